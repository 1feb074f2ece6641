import * as z from 'zod';
import type { FunctionProfile, Series, SnapshotHeader } from './profile.js';

/**
 * zod schemas of snapshot format v1 (design.md "Snapshot format v1"): line 1 is the header, every
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
});

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/**
 * A series of exactly `points` values, each a finite number >= 0 or null (unknown). Checked with a
 * plain loop rather than `z.array(...)`: a 10,000-function snapshot holds over a billion points, and
 * the loop keeps the input array instead of copying it.
 */
export function seriesSchema(points: number) {
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
    }
  });
}

function buildFunctionSchema(points: number) {
  const series = seriesSchema(points);
  return z.object({
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
    memoryMB: z.number().int().min(128).max(32768),
    timeoutSeconds: z.number().int().min(1).max(900),
    ephemeralStorageMB: z.number().int().min(512).max(10240),
    provisionedConcurrency: z.number().int().min(0).nullable(),
    reservedConcurrency: z.number().int().min(0).nullable().optional(),
    packageType: z.enum(['Zip', 'Image']).optional(),
    tags: z.record(z.string(), z.string()),
    capacityProviderArn: z.string().min(1).nullable().optional(),
    memoryUsedMBMax: z.number().positive().nullable().optional(),
    cpuSecondsPerInvocation: finiteNonNegative.nullable().optional(),
    series: z.object({
      invocations: series,
      durationMsSum: series,
      concurrencyMax: series,
      durationMsMax: series.optional(),
      errors: series.optional(),
      throttles: series.optional(),
    }),
  });
}

export type FunctionLineSchema = ReturnType<typeof buildFunctionSchema>;

const functionSchemas = new Map<number, FunctionLineSchema>();

/** Schema of a function line for a window of `points` periods (memoized: one per window length). */
export function functionLineSchema(points: number): FunctionLineSchema {
  let schema = functionSchemas.get(points);
  if (!schema) {
    schema = buildFunctionSchema(points);
    functionSchemas.set(points, schema);
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
