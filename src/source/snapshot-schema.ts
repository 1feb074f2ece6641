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
      lmiMetrics: z
        .object({
          providers: z.array(
            z.object({
              region: z.string().min(1),
              capacityProviderArn: z.string().min(1),
              instanceTypes: z.array(z.string().min(1)),
              daysWithData: z.number().int().min(0),
              cpuUtilizationPctByType: z.record(z.string(), z.number().finite().nullable()),
              vCpuAllocatedAvg: z.number().finite().nullable(),
              vCpuAvailableAvg: z.number().finite().nullable(),
            }),
          ),
          notes: z.array(z.string()),
          requests: z.number().int().min(0),
        })
        .optional(),
    })
    .optional(),
});

/**
 * Characters that would rewrite or reorder what a terminal or a report shows: C0 and C1 controls
 * (U+009B is a terminal CSI), DEL, the line and paragraph separators U+2028/U+2029 and the bidi
 * embedding, override and isolate controls U+202A-U+202E, U+2066-U+2069. No real function name
 * ([A-Za-z0-9_-]) or tag (letters, digits, spaces and + - = . _ : / @) holds one.
 */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Tag limits (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-tag.html:
 * key 1-128, value 0-256 characters; https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html:
 * at most 50 per resource, tags whose key starts with `aws:` not counted). Lengths in Unicode
 * characters (code points), which is never more than JavaScript's UTF-16 length.
 */
export const TAG_LIMITS = { maxUserTags: 50, keyChars: { min: 1, max: 128 }, valueChars: { max: 256 } } as const;

const tagsSchema = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  const userTags = keys.filter((k) => !k.toLowerCase().startsWith('aws:')).length;
  if (userTags > TAG_LIMITS.maxUserTags) {
    ctx.addIssue({ code: 'custom', message: `${userTags} tags; Lambda allows at most ${TAG_LIMITS.maxUserTags} per function (not counting aws: tags)` });
    return;
  }
  for (const key of keys) {
    const value = tags[key]!;
    const keyChars = [...key].length;
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
    if (keyChars < TAG_LIMITS.keyChars.min || keyChars > TAG_LIMITS.keyChars.max) {
      issue(`tag key of ${keyChars} characters; AWS allows ${TAG_LIMITS.keyChars.min}-${TAG_LIMITS.keyChars.max}`);
      return;
    }
    if (UNSAFE_TEXT.test(key)) {
      issue('tag key holds a control, line-separator or bidi character');
      return;
    }
    const valueChars = [...value].length;
    if (valueChars > TAG_LIMITS.valueChars.max) {
      issue(`tag value of ${valueChars} characters; AWS allows at most ${TAG_LIMITS.valueChars.max}`);
      return;
    }
    if (UNSAFE_TEXT.test(value)) {
      issue('tag value holds a control, line-separator or bidi character');
      return;
    }
  }
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
 * Between series (crossCheckDurations): durationMsSum per invocation, durationMsMax <= durationMsSum.
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
      // anything else is escaped by every renderer. Control, line-separator and bidi characters
      // are refused (they would rewrite or reorder a terminal line or a report).
      name: z
        .string()
        .min(1, 'expected a function name (1-170 characters)')
        .max(170, 'expected a function name (1-170 characters)')
        .refine((n) => !UNSAFE_TEXT.test(n), 'expected a function name without control, line-separator or bidi characters'),
      runtime: z.string().min(1).nullable(),
      architecture: z.enum(['x86_64', 'arm64']),
      // The widest range of either kind here; the standard-Lambda range is checked below.
      memoryMB: z.number().int().min(LAMBDA_LIMITS.standard.memoryMB.min).max(LAMBDA_LIMITS.lmi.memoryMB.max),
      timeoutSeconds: z.number().int().min(1).max(LAMBDA_LIMITS.lmi.timeoutSeconds.max),
      ephemeralStorageMB: z.number().int().min(LAMBDA_LIMITS.ephemeralStorageMB.min).max(LAMBDA_LIMITS.ephemeralStorageMB.max),
      provisionedConcurrency: maxCount.nullable(),
      reservedConcurrency: maxCount.nullable().optional(),
      packageType: z.enum(['Zip', 'Image']).optional(),
      tags: tagsSchema,
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
        // Bounded below by the function's kind (standard or LMI), so the message cites that bound.
        durationMsMax: seriesSchema(points).optional(),
        errors: count(bounds.invocations, `${c} concurrent executions x one invocation per ms`).optional(),
        throttles: count(bounds.invocations, `${c} concurrent executions x one invocation per ms`).optional(),
      }),
    })
    .superRefine((f, ctx) => {
      const lmi = f.capacityProviderArn != null && f.capacityProviderArn !== '';
      const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      // Standard functions (no capacity provider) have tighter limits than LMI ones.
      if (!lmi) {
        const std = LAMBDA_LIMITS.standard;
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
      }
      const kind: FunctionKind = lmi ? 'lmi' : 'standard';
      const maxMs = maxInvocationMs(kind);
      const timeoutS = LAMBDA_LIMITS[kind].timeoutSeconds.max;
      const kindName = lmi ? 'LMI' : 'standard Lambda';
      const durMax = f.series.durationMsMax;
      if (durMax) {
        for (let i = 0; i < durMax.length; i++) {
          const v = durMax[i];
          if (v != null && v > maxMs) {
            issue(['series', 'durationMsMax', i], `${v} ms is longer than any ${kindName} invocation (at most ${maxMs} ms: the ${timeoutS} s timeout with slack)`);
            return;
          }
        }
      }
      crossCheckDurations(f.series, periodSeconds, maxMs, issue);
    });
}

/**
 * Checks between the series of one function (each value already within its own bound).
 *
 * durationMsSum[i] is a sum of Duration datapoints, one per invocation, each at most `maxMs` (the
 * timeout of the function's kind + slack). Which invocations it holds: those reported in period i.
 * CloudWatch may time-stamp an invocation at its end or its start, and Invocations and Duration
 * need not use the same instant; this bound holds in every case. An invocation whose duration lands
 * in period i ran within [start of i - maxMs, end of i], so it is counted in invocations[j] for a
 * period j from i - K to i (K = ceil(maxMs / period)), or, for j before the window, it was running
 * at the window start: at most C of those (the concurrency bound). So, per invocation:
 *   durationMsSum[i] <= maxMs x (invocations[i-K] + ... + invocations[i] + (C if i - K < 0)).
 * Unknown (null) invocations in that range leave the check out (unknown, not zero).
 *
 * durationMsMax[i] (a Maximum of the same datapoints as the Sum) cannot exceed durationMsSum[i];
 * a relative 1e-9 absorbs any rounding in CloudWatch's aggregation.
 *
 * concurrencyMax is NOT cross-checked: CloudWatch's ConcurrentExecutions Maximum is sampled, so it
 * can miss short peaks (a mean concurrency durationMsSum / period above it is real), and invocations
 * started in earlier periods keep it above 0 with no invocation in the period. No check of it against
 * the other series is safe for every real account.
 */
function crossCheckDurations(
  series: { invocations: Series; durationMsSum: Series; durationMsMax?: Series | undefined },
  periodSeconds: PeriodSeconds,
  maxMs: number,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const { invocations, durationMsSum: sum, durationMsMax: max } = series;
  const lookback = Math.ceil(maxMs / (periodSeconds * 1000));
  for (let i = 0; i < sum.length; i++) {
    const s = sum[i];
    if (s == null) continue;
    let count = i - lookback < 0 ? LAMBDA_LIMITS.maxConcurrency : 0;
    let known = true;
    for (let j = Math.max(0, i - lookback); j <= i; j++) {
      const n = invocations[j];
      if (n == null) {
        known = false;
        break;
      }
      count += n;
    }
    if (known && s > count * maxMs) {
      issue(
        ['series', 'durationMsSum', i],
        `${s} ms is more than the invocations that can end in this period can run (at most ${count * maxMs} ms: ${count} invocations of this and the ${lookback} earlier periods${i - lookback < 0 ? ', and those running at the window start,' : ''} x ${maxMs} ms)`,
      );
      return;
    }
    const m = max?.[i];
    const n = invocations[i];
    if (m != null && n != null && n > 0 && m > s * (1 + 1e-9)) {
      issue(['series', 'durationMsMax', i], `${m} ms is more than durationMsSum ${s} ms of the same period (the longest invocation is part of the sum)`);
      return;
    }
  }
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
