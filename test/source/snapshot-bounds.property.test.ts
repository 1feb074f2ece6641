/**
 * Issue 8 "guard the classes" for snapshot values (items 1 and 3): over random function lines,
 * with random nulls and values up to and beyond the physical bounds, reading + analysing gives
 * either a report whose every number is finite, or a SnapshotError (exit 2) naming the line and
 * a field whose value really is out of bounds (or a count that is not whole). Never another error.
 */
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { SnapshotError } from '../../src/errors.js';
import { analyzeProfiles } from '../../src/pipeline/analyze.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { LAMBDA_LIMITS, maxInvocationMs, seriesBounds } from '../../src/source/snapshot-schema.js';

const POINTS = 6;
const PERIOD = 60 as const;
const HEADER = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-20T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T00:06:00Z', periodSeconds: PERIOD },
};
const BOUNDS = { ...seriesBounds(PERIOD), durationMsMax: maxInvocationMs('standard') };
type SeriesKey = keyof typeof BOUNDS;
const MEMORY = LAMBDA_LIMITS.standard.memoryMB;

/**
 * A value for a series with upper bound `max`: ordinary, or at the bound; with `beyond`, also
 * just or far beyond it.
 */
const valueArb = (max: number, count: boolean, beyond: boolean) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
    { weight: 2, arbitrary: fc.double({ min: 0, max, noNaN: true }).map((v) => (count ? Math.floor(v) : v)) },
    { weight: 1, arbitrary: fc.constantFrom(max, max - 1) },
    { weight: beyond ? 1 : 0, arbitrary: fc.constantFrom(max + 1, max * 2, 1e100, 1e200, Number.MAX_VALUE, 0.5, 5e-324) },
  );

/** Series of whole counts (the others are milliseconds). */
const COUNTS: readonly SeriesKey[] = ['invocations', 'concurrencyMax'];

const seriesArb = (key: SeriesKey, beyond: boolean) =>
  fc.array(valueArb(BOUNDS[key], COUNTS.includes(key), beyond), { minLength: POINTS, maxLength: POINTS });

const lineArb = (name: string, beyond: boolean) =>
  fc.record({
    region: fc.constant('us-east-1'),
    name: fc.constant(name),
    runtime: fc.constantFrom('nodejs22.x', 'python3.13', 'java21', null),
    architecture: fc.constantFrom('x86_64', 'arm64'),
    memoryMB: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: MEMORY.min, max: MEMORY.max }) },
      { weight: beyond ? 1 : 0, arbitrary: fc.constantFrom(MEMORY.min - 1, MEMORY.max + 1, 32_768) },
    ),
    timeoutSeconds: fc.constant(30),
    ephemeralStorageMB: fc.integer({ min: 512, max: 10_240 }),
    provisionedConcurrency: fc.oneof(fc.constant(0), fc.constant(null), fc.integer({ min: 1, max: 50 })),
    tags: fc.constant({}),
    series: fc.record(
      {
        invocations: seriesArb('invocations', beyond),
        durationMsSum: seriesArb('durationMsSum', beyond),
        concurrencyMax: seriesArb('concurrencyMax', beyond),
        durationMsMax: seriesArb('durationMsMax', beyond),
      },
      { requiredKeys: ['invocations', 'durationMsSum', 'concurrencyMax'] },
    ),
  }).chain((line) => fitArb(beyond)(line as Line));

type Line = Record<string, unknown> & { memoryMB: number; series: Partial<Record<SeriesKey, (number | null)[]>> };

/**
 * Within the bounds, a duration sum also fits its invocations (each at most the longest
 * invocation) and a duration maximum fits its sum, mostly: some lines keep the raw values, to
 * exercise the cross-field checks.
 */
const MAX_MS = maxInvocationMs('standard');
const LOOKBACK = Math.ceil(MAX_MS / (PERIOD * 1000));
const fitArb = (beyond: boolean) => (line: Line) =>
  fc.boolean().map((fit) => {
    if (!fit || beyond) return line;
    const { invocations = [], durationMsSum = [], durationMsMax } = line.series;
    const sum = durationMsSum.map((v, i) => (v !== null && invocations[i] != null ? Math.min(v, invocations[i]! * MAX_MS) : v));
    const max = durationMsMax?.map((v, i) => (v !== null && sum[i] != null ? Math.min(v, sum[i]!) : v));
    return { ...line, series: { ...line.series, durationMsSum: sum, ...(max ? { durationMsMax: max } : {}) } };
  });

/** What the schema checks between series (snapshot-schema.ts crossCheckDurations), written out. */
function crossFieldBad(series: Line['series']): string[] {
  const bad: string[] = [];
  const inv = series.invocations ?? [];
  (series.durationMsSum ?? []).forEach((s, i) => {
    if (s === null) return;
    const range = inv.slice(Math.max(0, i - LOOKBACK), i + 1);
    if (!range.includes(null)) {
      const count = (i < LOOKBACK ? LAMBDA_LIMITS.maxConcurrency : 0) + range.reduce<number>((a, n) => a + n!, 0);
      if (s > count * MAX_MS) bad.push(`series.durationMsSum[${i}]`);
    }
    const m = series.durationMsMax?.[i];
    const n = inv[i];
    if (m != null && n != null && n > 0 && m > s * (1 + 1e-9)) bad.push(`series.durationMsMax[${i}]`);
  });
  return bad;
}

/** Fields of a line that are beyond the bounds, as the reader names them. */
function outOfBounds(line: Line): string[] {
  const bad: string[] = [];
  if (line.memoryMB < MEMORY.min || line.memoryMB > MEMORY.max) bad.push('memoryMB');
  for (const key of Object.keys(BOUNDS) as SeriesKey[]) {
    (line.series[key] ?? []).forEach((v, i) => {
      if (v !== null && (v > BOUNDS[key] || (COUNTS.includes(key) && !Number.isInteger(v)))) bad.push(`series.${key}[${i}]`);
    });
  }
  return bad.length > 0 ? bad : crossFieldBad(line.series);
}

function nonFinitePaths(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nonFinitePaths(v, `${path}.${k}`));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snapshot-bounds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('random snapshot lines', () => {
  const priceBook = loadBundledPriceBook();
  const config = defaultConfig();
  let n = 0;

  it.each([
    ['within the bounds (often at them)', false],
    ['up to and beyond the bounds', true],
  ])('%s: a finite report, or exit 2 naming the line and an out-of-bounds field', async (_, beyond) => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(lineArb('first-fn', beyond), lineArb('second-fn', beyond)), async (lines) => {
        const path = join(dir, `s${n++}.ndjson`);
        await writeFile(path, [HEADER, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n');
        const bad = lines.map((l) => outOfBounds(l as Line));
        let report: unknown = null;
        let error: unknown = null;
        try {
          const { header, profiles } = await openSnapshot(path);
          report = await analyzeProfiles({
            header,
            profiles,
            priceBook,
            config,
            run: { tool: 'lmi-advisor', version: 'test', generatedAt: '2026-11-22T00:00:00Z', command: 'test' },
          });
        } catch (e) {
          error = e;
        }
        const firstBad = bad.findIndex((b) => b.length > 0);
        if (firstBad < 0) {
          expect(error).toBeNull();
          expect(nonFinitePaths(report)).toEqual([]);
        } else {
          expect(error).toBeInstanceOf(SnapshotError);
          const e = error as SnapshotError;
          expect(e.line).toBe(firstBad + 2);
          expect(bad[firstBad]).toContain(e.field);
        }
      }),
      { numRuns: 80 },
    );
  });
});
