/**
 * Issue 8, item 3: values beyond what Lambda can physically produce are rejected, naming the
 * field; every bound is checked at the bound (accepted), one below (accepted) and one above
 * (rejected). The bounds and their sources are in LAMBDA_LIMITS (src/source/snapshot-schema.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodSeconds } from '../../src/source/profile.js';
import { firstIssue, functionLineSchema, headerSchema, LAMBDA_LIMITS, seriesBounds } from '../../src/source/snapshot-schema.js';
import { runCli } from '../cli/run-cli.js';

const POINTS = 5;
const LMI_ARN = 'arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp';

function line(overrides: Record<string, unknown> = {}, series: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region: 'us-east-1',
    name: 'api',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memoryMB: 1024,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: {},
    ...overrides,
    series: {
      invocations: [600, 600, 600, 600, 600],
      durationMsSum: [60_000, 60_000, 60_000, 60_000, 60_000],
      concurrencyMax: [1, 1, 1, 1, 1],
      ...series,
    },
  };
}

function check(value: Record<string, unknown>, periodSeconds: PeriodSeconds = 60): { field: string | null; detail: string } | null {
  const parsed = functionLineSchema(POINTS, periodSeconds).safeParse(value);
  return parsed.success ? null : firstIssue(parsed.error);
}

/** A series with `v` at index 2. */
const at2 = (v: number): number[] => [1, 1, v, 1, 1];

const C = LAMBDA_LIMITS.maxConcurrency;

interface Bound {
  name: string;
  max: number;
  field: string;
  make: (v: number) => Record<string, unknown>;
  periodSeconds?: PeriodSeconds;
}

const UPPER: Bound[] = [
  { name: 'concurrencyMax', max: C, field: 'series.concurrencyMax[2]', make: (v) => line({}, { concurrencyMax: at2(v) }) },
  ...([60, 300, 3600] as const).flatMap((p): Bound[] => [
    { name: `invocations at ${p} s`, max: C * p * 1000, field: 'series.invocations[2]', make: (v) => line({}, { invocations: at2(v) }), periodSeconds: p },
    { name: `durationMsSum at ${p} s`, max: seriesBounds(p).durationMsSum, field: 'series.durationMsSum[2]', make: (v) => line({}, { durationMsSum: at2(v) }), periodSeconds: p },
  ]),
  { name: 'errors', max: C * 60_000, field: 'series.errors[2]', make: (v) => line({}, { errors: at2(v) }) },
  { name: 'throttles', max: C * 60_000, field: 'series.throttles[2]', make: (v) => line({}, { throttles: at2(v) }) },
  { name: 'durationMsMax, standard (900 s + 60 s)', max: 960_000, field: 'series.durationMsMax[2]', make: (v) => line({}, { durationMsMax: at2(v) }) },
  { name: 'durationMsMax, LMI (5,400 s + 60 s)', max: 5_460_000, field: 'series.durationMsMax[2]', make: (v) => line({ capacityProviderArn: LMI_ARN }, { durationMsMax: at2(v) }) },
  { name: 'memoryMB, standard', max: 10_240, field: 'memoryMB', make: (v) => line({ memoryMB: v }) },
  { name: 'memoryMB, LMI', max: 32_768, field: 'memoryMB', make: (v) => line({ memoryMB: v, capacityProviderArn: LMI_ARN }) },
  { name: 'timeoutSeconds, standard', max: 900, field: 'timeoutSeconds', make: (v) => line({ timeoutSeconds: v }) },
  { name: 'timeoutSeconds, LMI', max: 5_400, field: 'timeoutSeconds', make: (v) => line({ timeoutSeconds: v, capacityProviderArn: LMI_ARN }) },
  { name: 'ephemeralStorageMB', max: 10_240, field: 'ephemeralStorageMB', make: (v) => line({ ephemeralStorageMB: v }) },
  { name: 'provisionedConcurrency', max: C, field: 'provisionedConcurrency', make: (v) => line({ provisionedConcurrency: v }) },
  { name: 'reservedConcurrency', max: C, field: 'reservedConcurrency', make: (v) => line({ reservedConcurrency: v }) },
  { name: 'memoryUsedMBMax, standard', max: 10_240, field: 'memoryUsedMBMax', make: (v) => line({ memoryUsedMBMax: v }) },
  { name: 'memoryUsedMBMax, LMI', max: 32_768, field: 'memoryUsedMBMax', make: (v) => line({ memoryUsedMBMax: v, capacityProviderArn: LMI_ARN }) },
  { name: 'cpuSecondsPerInvocation, standard (6 vCPU x 960 s)', max: 5_760, field: 'cpuSecondsPerInvocation', make: (v) => line({ cpuSecondsPerInvocation: v }) },
  { name: 'cpuSecondsPerInvocation, LMI (16 vCPU x 5,460 s)', max: 87_360, field: 'cpuSecondsPerInvocation', make: (v) => line({ cpuSecondsPerInvocation: v, capacityProviderArn: LMI_ARN }) },
  { name: 'initMsPerInvocation (the longest invocation, 5,460 s)', max: 5_460_000, field: 'initMsPerInvocation', make: (v) => line({ initMsPerInvocation: v }) },
];

const LOWER: Bound[] = [
  { name: 'memoryMB', max: 128, field: 'memoryMB', make: (v) => line({ memoryMB: v }) },
  { name: 'timeoutSeconds', max: 1, field: 'timeoutSeconds', make: (v) => line({ timeoutSeconds: v }) },
  { name: 'ephemeralStorageMB', max: 512, field: 'ephemeralStorageMB', make: (v) => line({ ephemeralStorageMB: v }) },
  { name: 'initMsPerInvocation', max: 0, field: 'initMsPerInvocation', make: (v) => line({ initMsPerInvocation: v }) },
];

describe('physical bounds of a function line', () => {
  it.each(UPPER)('$name: $max and $max - 1 pass, $max + 1 is rejected naming the field', (b) => {
    expect(check(b.make(b.max), b.periodSeconds)).toBeNull();
    expect(check(b.make(b.max - 1), b.periodSeconds)).toBeNull();
    const issue = check(b.make(b.max + 1), b.periodSeconds);
    expect(issue?.field).toBe(b.field);
  });

  it.each(LOWER)('$name: $max and $max + 1 pass, $max - 1 is rejected', (b) => {
    expect(check(b.make(b.max))).toBeNull();
    expect(check(b.make(b.max + 1))).toBeNull();
    expect(check(b.make(b.max - 1))?.field).toBe(b.field);
  });

  it.each(['invocations', 'concurrencyMax', 'errors', 'throttles'])('%s are counts: 0.5 is rejected, a whole number passes', (key) => {
    expect(check(line({}, { [key]: at2(0.5) }))).toEqual({ field: `series.${key}[2]`, detail: '0.5 is not a whole number (a count)' });
    expect(check(line({}, { [key]: at2(7) }))).toBeNull();
  });

  it('1e200 invocations and a 1e100 ms duration are rejected, saying what Lambda can produce', () => {
    expect(check(line({}, { invocations: at2(1e200) }))).toEqual({
      field: 'series.invocations[2]',
      detail: `1e+200 is more than Lambda can produce in a period (at most ${C * 60_000}: 100,000,000 concurrent executions x one invocation per ms)`,
    });
    expect(check(line({}, { durationMsSum: at2(1e100) }))?.detail).toMatch(/^1e\+100 is more than Lambda can produce in a period/);
  });
});

describe('absurd values through the CLI', () => {
  const BAD = join(import.meta.dirname, '../../fixtures/scenarios/bad');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snapshot-bounds-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it.each([
    ['absurd-invocations.ndjson', 'series.invocations[2]'],
    ['absurd-duration.ndjson', 'series.durationMsSum[7]'],
  ])('%s exits 2 naming line 2 and %s, writing nothing', async (file, field) => {
    const out = join(dir, file);
    const run = await runCli(['analyze', '--snapshot', join(BAD, file), '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2 field ${field}: `);
    expect(run.stderr).not.toMatch(/report\.json|non-finite/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('header: the bill with the capacity providers\' EC2 instances (lmiInstances)', () => {
  const header = (lmiInstances: unknown) => ({
    schema: 'lmi-advisor.snapshot/v1',
    capturedAt: '2026-11-24T03:00:00Z',
    accountId: '123456789012',
    window: { start: '2026-11-10T00:00:00Z', end: '2026-11-24T00:00:00Z', periodSeconds: 3600 },
    bill: { status: 'ok', level: 'resource', startDay: '2026-11-10', endDay: '2026-11-24', lines: [], requests: 2, throttled: 0, notes: [], lmiInstances },
  });
  const line = { day: '2026-11-10', capacityProvider: 'cp-main', region: 'us-east-1', unblendedUsd: 11.75, netUnblendedUsd: 11.75 };

  it('accepts it absent (older snapshots) and well formed', () => {
    expect(headerSchema.safeParse(header(undefined)).success).toBe(true);
    expect(headerSchema.safeParse(header({ status: 'ok', lines: [line], notes: [] })).success).toBe(true);
  });

  it('rejects an empty tag value and an unknown status, naming the field', () => {
    const empty = headerSchema.safeParse(header({ status: 'ok', lines: [{ ...line, capacityProvider: '' }], notes: [] }));
    expect(empty.success).toBe(false);
    expect(empty.error!.issues[0]!.path.join('.')).toBe('bill.lmiInstances.lines.0.capacityProvider');
    expect(headerSchema.safeParse(header({ status: 'maybe', lines: [], notes: [] })).success).toBe(false);
  });
});
