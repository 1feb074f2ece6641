import * as z from 'zod';
import type { FunctionProfile, PeriodSeconds, Series, SnapshotHeader } from './profile.js';

/**
 * zod schemas of snapshot format v1 (docs/snapshot-format.md): line 1 is the header, every
 * further line one function. Objects are not strict: unknown fields are dropped, so a newer
 * recorder can add fields without breaking older readers.
 */

export const SNAPSHOT_SCHEMA = 'lmi-advisor.snapshot/v1' as const;

const isoInstant = z.iso.datetime({ offset: true });
const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region name like us-east-1');
const finiteNonNegative = z.number().min(0);

export const periodSecondsSchema = z.union([z.literal(60), z.literal(300), z.literal(3600)], {
  error: 'expected periodSeconds 60, 300 or 3600 (the periods CloudWatch keeps)',
});

export const windowSchema = z
  .object({ start: isoInstant, end: isoInstant, periodSeconds: periodSecondsSchema })
  .superRefine((w, ctx) => {
    const startMs = Date.parse(w.start);
    const endMs = Date.parse(w.end);
    if (endMs <= startMs) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `window end ${w.end} is not after start ${w.start}` });
    } else if ((endMs - startMs) % (w.periodSeconds * 1000) !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `window length ${(endMs - startMs) / 1000} s is not a multiple of periodSeconds ${w.periodSeconds}`,
      });
    }
  });

export const headerSchema = z.object({
  schema: z.literal(SNAPSHOT_SCHEMA, {
    error: (issue) => `unknown schema ${JSON.stringify(issue.input)}; this version reads ${SNAPSHOT_SCHEMA}`,
  }),
  capturedAt: isoInstant,
  accountId: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  window: windowSchema,
  regions: z.array(regionName).optional(),
  prices: z
    .object({
      asOf: z.string().min(1),
      source: z.enum(['live', 'bundled']),
      items: z.array(z.string()),
    })
    .optional(),
  warnings: z
    .array(
      z.object({
        code: z.string().min(1),
        message: z.string(),
        region: z.string().optional(),
        function: z.string().optional(),
      }),
    )
    .optional(),
  bill: z
    .object({
      status: z.enum(['ok', 'denied', 'failed']),
      level: z.enum(['resource', 'region']).nullable(),
      startDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      endDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      lines: z.array(
        z.object({
          day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          usageType: z.string().min(1),
          resourceId: z.string().nullable(),
          region: z.string().nullable(),
          unblendedUsd: z.number().finite(),
          netUnblendedUsd: z.number().finite().nullable(),
          quantity: z.number().finite(),
        }),
      ),
      requests: z.number().int().min(0),
      throttled: z.number().int().min(0),
      notes: z.array(z.string()),
      lmiInstances: z
        .object({
          status: z.enum(['ok', 'denied', 'failed']),
          lines: z.array(
            z.object({
              day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
              capacityProvider: z.string().min(1),
              region: z.string().min(1),
              unblendedUsd: z.number().finite(),
              netUnblendedUsd: z.number().finite().nullable(),
            }),
          ),
          notes: z.array(z.string()),
        })
        .optional(),
    })
    .optional(),
});

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/**
 * What Lambda can physically produce (issue 8, item 3): values beyond these are bad input, never
 * priced. Chosen generously (they must never reject real data), from the quotas:
 * - Concurrency: Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)
 *   give 1,000 concurrent executions per account and Region by default, raisable to "tens of
 *   thousands". On LMI a capacity provider holds up to 15,000 vCPUs
 *   (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-quotas.html) and an
 *   execution environment (>= 1 vCPU) serves at most 1,600 requests at once (Lambda API,
 *   PerExecutionEnvironmentMaxConcurrency range 1-1600), i.e. at most 24,000,000.
 *   MAX_CONCURRENCY = 100,000,000 is above both with a wide margin.
 * - Invocation length: 900 s (15 min) timeout on standard Lambda; 5,400 s (90 min) for LMI
 *   functions invoked asynchronously or by an event source mapping (Lambda quotas page). A timed-out
 *   invocation reports a Duration slightly above its timeout, so 60 s of slack is added.
 * - Memory: 128-10,240 MB on standard Lambda (quotas page); LMI up to 32,768 MB (32 GB / 16 vCPU,
 *   AWS What's New 2026-03). Ephemeral storage 512-10,240 MB. vCPUs: memoryMB / 1,769, at most 6
 *   (configuration-memory.html); 16 on LMI.
 * Derived per-period bounds (period P seconds, C = MAX_CONCURRENCY, T = longest invocation + slack):
 * - concurrencyMax <= C;
 * - invocations <= C x P x 1,000: one invocation per millisecond (the smallest billed duration) per
 *   concurrent execution, at C;
 * - durationMsSum <= C x (P + T) x 1,000: invocations ending in the period may have started up to
 *   T before it;
 * - durationMsMax <= T x 1,000 (T of the function's kind: standard or LMI);
 * - cpuSecondsPerInvocation <= T x the kind's vCPUs; memoryUsedMBMax <= the kind's memory;
 *   initMsPerInvocation <= T x 1,000 (a mean over invocations of at most one INIT each);
 *   provisioned and reserved concurrency <= C.
 */
export const LAMBDA_LIMITS = {
  maxConcurrency: 100_000_000,
  timeoutSlackSeconds: 60,
  ephemeralStorageMB: { min: 512, max: 10_240 },
  standard: { memoryMB: { min: 128, max: 10_240 }, timeoutSeconds: { min: 1, max: 900 }, maxVCpus: 6 },
  lmi: { memoryMB: { min: 128, max: 32_768 }, timeoutSeconds: { min: 1, max: 5_400 }, maxVCpus: 16 },
} as const;

type FunctionKind = 'standard' | 'lmi';

/** Longest invocation a function of this kind can report, in ms (timeout + slack). */
export function maxInvocationMs(kind: FunctionKind): number {
  return (LAMBDA_LIMITS[kind].timeoutSeconds.max + LAMBDA_LIMITS.timeoutSlackSeconds) * 1000;
}

/** Upper bound of each series' per-period value (see LAMBDA_LIMITS), generous over both kinds. */
export function seriesBounds(periodSeconds: PeriodSeconds): Record<'invocations' | 'durationMsSum' | 'concurrencyMax' | 'durationMsMax', number> {
  const c = LAMBDA_LIMITS.maxConcurrency;
  return {
    invocations: c * periodSeconds * 1000,
    durationMsSum: c * (periodSeconds * 1000 + maxInvocationMs('lmi')),
    concurrencyMax: c,
    durationMsMax: maxInvocationMs('lmi'),
  };
}

/**
 * A series of exactly `points` values, each a finite number >= 0 (whole for counts, at most
 * `max`) or null (unknown). Checked with a
 * plain loop rather than `z.array(...)`: a 10,000-function snapshot holds over a billion points, and
 * the loop keeps the input array instead of copying it.
 */
export function seriesSchema(points: number, max: { value: number; why: string; integer?: boolean } | null = null) {
  return z.custom<Series>(() => true).superRefine((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `missing (a required series of ${points} points)` });
      return;
    }
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `expected an array of ${points} numbers or null, got ${describe(value)}` });
      return;
    }
    if (value.length !== points) {
      ctx.addIssue({ code: 'custom', message: `expected ${points} points, got ${value.length}` });
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `expected a finite number or null, got ${describe(v)}` });
        return;
      }
      if (v < 0) {
        ctx.addIssue({ code: 'custom', path: [i], message: `negative value ${v}` });
        return;
      }
      if (max?.integer && !Number.isInteger(v)) {
        // Counts (CloudWatch Sum of Invocations, Errors, Throttles; Maximum of ConcurrentExecutions) are whole.
        ctx.addIssue({ code: 'custom', path: [i], message: `${v} is not a whole number (a count)` });
        return;
      }
      if (max !== null && v > max.value) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${v} is more than Lambda can produce in a period (at most ${max.value}: ${max.why})` });
        return;
      }
    }
  });
}

function buildFunctionSchema(points: number, periodSeconds: PeriodSeconds) {
  const bounds = seriesBounds(periodSeconds);
  const c = LAMBDA_LIMITS.maxConcurrency.toLocaleString('en-US');
  const bounded = (value: number, why: string) => seriesSchema(points, { value, why });
  const count = (value: number, why: string) => seriesSchema(points, { value, why, integer: true });
  const maxCount = z.number().int().min(0).max(LAMBDA_LIMITS.maxConcurrency);
  return z
    .object({
      region: regionName,
      // Whatever ListFunctions can return (API model: FunctionName up to 170 characters), so that
      // record writes every function analyze --live reads; real names are [A-Za-z0-9_-]{1,64},
      // anything else is escaped by every renderer. Control characters are refused (they would
      // rewrite a terminal line).
      name: z
        .string()
        .min(1, 'expected a function name (1-170 characters)')
        .max(170, 'expected a function name (1-170 characters)')
        .regex(/^[^\u0000-\u001f\u007f]*$/, 'expected a function name without control characters'),
      runtime: z.string().min(1).nullable(),
      architecture: z.enum(['x86_64', 'arm64']),
      // The widest range of either kind here; the standard-Lambda range is checked below.
      memoryMB: z.number().int().min(LAMBDA_LIMITS.standard.memoryMB.min).max(LAMBDA_LIMITS.lmi.memoryMB.max),
      timeoutSeconds: z.number().int().min(1).max(LAMBDA_LIMITS.lmi.timeoutSeconds.max),
      ephemeralStorageMB: z.number().int().min(LAMBDA_LIMITS.ephemeralStorageMB.min).max(LAMBDA_LIMITS.ephemeralStorageMB.max),
      provisionedConcurrency: maxCount.nullable(),
      reservedConcurrency: maxCount.nullable().optional(),
      packageType: z.enum(['Zip', 'Image']).optional(),
      tags: z.record(z.string(), z.string()),
      capacityProviderArn: z.string().min(1).nullable().optional(),
      memoryUsedMBMax: z.number().positive().max(LAMBDA_LIMITS.lmi.memoryMB.max).nullable().optional(),
      cpuSecondsPerInvocation: finiteNonNegative
        .max((maxInvocationMs('lmi') / 1000) * LAMBDA_LIMITS.lmi.maxVCpus)
        .nullable()
        .optional(),
      // A mean over invocations of at most one INIT each: no longer than the longest invocation.
      initMsPerInvocation: finiteNonNegative.max(maxInvocationMs('lmi')).nullable().optional(),
      series: z.object({
        invocations: count(bounds.invocations, `${c} concurrent executions x one invocation per ms`),
        durationMsSum: bounded(bounds.durationMsSum, `${c} concurrent executions x (period + longest invocation)`),
        concurrencyMax: count(bounds.concurrencyMax, 'concurrent executions, far above any Lambda quota'),
        durationMsMax: bounded(bounds.durationMsMax, 'the longest invocation Lambda allows, with slack').optional(),
        errors: count(bounds.invocations, `${c} concurrent executions x one invocation per ms`).optional(),
        throttles: count(bounds.invocations, `${c} concurrent executions x one invocation per ms`).optional(),
      }),
    })
    .superRefine((f, ctx) => {
      // Standard functions (no capacity provider) have tighter limits than LMI ones.
      if (f.capacityProviderArn != null && f.capacityProviderArn !== '') return;
      const std = LAMBDA_LIMITS.standard;
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      if (f.memoryMB > std.memoryMB.max) {
        issue(['memoryMB'], `${f.memoryMB} MB is above the ${std.memoryMB.max} MB standard Lambda allows (more needs a capacity provider, capacityProviderArn)`);
      }
      if (f.timeoutSeconds > std.timeoutSeconds.max) {
        issue(['timeoutSeconds'], `${f.timeoutSeconds} s is above the ${std.timeoutSeconds.max} s standard Lambda allows`);
      }
      if (f.memoryUsedMBMax != null && f.memoryUsedMBMax > std.memoryMB.max) {
        issue(['memoryUsedMBMax'], `${f.memoryUsedMBMax} MB is above the ${std.memoryMB.max} MB standard Lambda allows`);
      }
      const maxCpu = (maxInvocationMs('standard') / 1000) * std.maxVCpus;
      if (f.cpuSecondsPerInvocation != null && f.cpuSecondsPerInvocation > maxCpu) {
        issue(['cpuSecondsPerInvocation'], `${f.cpuSecondsPerInvocation} CPU-s is more than one invocation can use (${maxCpu}: ${std.maxVCpus} vCPUs x ${maxInvocationMs('standard') / 1000} s)`);
      }
      const maxMs = maxInvocationMs('standard');
      const durMax = f.series.durationMsMax;
      if (durMax) {
        for (let i = 0; i < durMax.length; i++) {
          const v = durMax[i];
          if (v != null && v > maxMs) {
            issue(['series', 'durationMsMax', i], `${v} ms is longer than any standard Lambda invocation (at most ${maxMs} ms: the 900 s timeout with slack)`);
            return;
          }
        }
      }
    });
}

export type FunctionLineSchema = ReturnType<typeof buildFunctionSchema>;

const functionSchemas = new Map<string, FunctionLineSchema>();

/**
 * Schema of a function line for a window of `points` periods of `periodSeconds` (the bounds of
 * LAMBDA_LIMITS depend on it). Memoized: one per window shape.
 */
export function functionLineSchema(points: number, periodSeconds: PeriodSeconds): FunctionLineSchema {
  const key = `${points}/${periodSeconds}`;
  let schema = functionSchemas.get(key);
  if (!schema) {
    schema = buildFunctionSchema(points, periodSeconds);
    functionSchemas.set(key, schema);
  }
  return schema;
}

// Compile-time guards: what the schemas yield must be the contract types of profile.ts.
type Assignable<T, U extends T> = U;
export type HeaderCheck = Assignable<SnapshotHeader, z.output<typeof headerSchema>>;
export type FunctionCheck = Assignable<FunctionProfile, z.output<FunctionLineSchema>>;

/** First zod issue as a dotted field path (`series.invocations[12]`) and a message. */
export function firstIssue(error: z.ZodError): { field: string | null; detail: string } {
  const issue = error.issues[0];
  if (!issue) return { field: null, detail: 'invalid' };
  let field = '';
  for (const key of issue.path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field === '' ? String(key) : `.${String(key)}`;
  }
  return { field: field === '' ? null : field, detail: issue.message };
}
