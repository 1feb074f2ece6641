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
    // As many invocations as can be, so that only the per-period bound applies (not the cross-check).
    { name: `durationMsSum at ${p} s`, max: seriesBounds(p).durationMsSum, field: 'series.durationMsSum[2]', make: (v) => line({}, { invocations: Array(POINTS).fill(C * p * 1000), durationMsSum: at2(v) }), periodSeconds: p },
  ]),
  { name: 'errors', max: C * 60_000, field: 'series.errors[2]', make: (v) => line({}, { errors: at2(v) }) },
  { name: 'throttles', max: C * 60_000, field: 'series.throttles[2]', make: (v) => line({}, { throttles: at2(v) }) },
  { name: 'durationMsMax, standard (900 s + 60 s)', max: 960_000, field: 'series.durationMsMax[2]', make: (v) => line({}, { durationMsSum: Array(POINTS).fill(1e10), durationMsMax: at2(v) }) },
  { name: 'durationMsMax, LMI (5,400 s + 60 s)', max: 5_460_000, field: 'series.durationMsMax[2]', make: (v) => line({ capacityProviderArn: LMI_ARN }, { durationMsSum: Array(POINTS).fill(1e10), durationMsMax: at2(v) }) },
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

describe('fields each within bounds but impossible together (issue 8 item 3, review)', () => {
  const STD_MS = 960_000;
  const LMI_MS = 5_460_000;
  const ones = [1, 1, 1, 1, 1];

  it('rejects 5e14 ms of duration for one invocation a period (a standard function), naming durationMsSum[0]', () => {
    const issue = check(line({}, { invocations: ones, durationMsSum: Array(POINTS).fill(5e14) }));
    expect(issue?.field).toBe('series.durationMsSum[0]');
    expect(issue?.detail).toMatch(/^500000000000000 ms is more than the invocations that can end in this period can run/);
  });

  it('after the look-back (3600 s periods), allows exactly the invocations of this and the earlier period x the longest invocation', () => {
    // Standard: ceil(960 s / 3600 s) = 1 earlier period; index 2 has invocations 1 + 1.
    const series = (v: number) => ({ invocations: ones, durationMsSum: [0, 0, v, 0, 0] });
    expect(check(line({}, series(2 * STD_MS)), 3600)).toBeNull();
    expect(check(line({}, series(2 * STD_MS + 1)), 3600)?.field).toBe('series.durationMsSum[2]');
    // LMI: ceil(5,460 s / 3600 s) = 2 earlier periods, the longer timeout.
    const lmi = (v: number) => line({ capacityProviderArn: LMI_ARN }, series(v));
    expect(check(lmi(3 * LMI_MS), 3600)).toBeNull();
    expect(check(lmi(3 * LMI_MS + 1), 3600)?.field).toBe('series.durationMsSum[2]');
  });

  it('accepts one long invocation reported in a period with no invocation counted (it may have started earlier)', () => {
    // Invoked in period 1 (counted there), ended in period 2 (its duration there).
    expect(check(line({}, { invocations: [0, 0, 1, 0, 0], durationMsSum: [0, 0, 0, STD_MS, 0] }), 3600)).toBeNull();
    // At the start of the window: invocations from before it are not known, up to C of them may run.
    expect(check(line({}, { invocations: [0, 0, 0, 0, 0], durationMsSum: [STD_MS, 0, 0, 0, 0] }))).toBeNull();
  });

  it('leaves the check out where an invocation count of the look-back is unknown', () => {
    expect(check(line({}, { invocations: [1, null, 1, 1, 1], durationMsSum: [0, 0, 1e13, 0, 0] }), 3600)).toBeNull();
    expect(check(line({}, { invocations: [1, 1, null, 1, 1], durationMsSum: [0, 0, 0, 1e13, 0] }), 3600)).toBeNull();
    expect(check(line({}, { invocations: [1, 1, 1, null, 1], durationMsSum: [0, 0, 0, 0, 1e13] }), 3600)).toBeNull();
  });

  it('rejects a durationMsMax above the durationMsSum of the same period', () => {
    const series = (max: number) => ({ durationMsSum: at2(1000), durationMsMax: at2(max) });
    expect(check(line({}, series(1000)))).toBeNull();
    expect(check(line({}, series(1001)))).toEqual({
      field: 'series.durationMsMax[2]',
      detail: '1001 ms is more than durationMsSum 1000 ms of the same period (the longest invocation is part of the sum)',
    });
    // With no invocation in the period the two are not compared.
    expect(check(line({}, { invocations: at2(0), ...series(1001) }))).toBeNull();
  });

  it('cites the bound of the function\'s kind for durationMsMax', () => {
    const big = (lmi: boolean) => check(line(lmi ? { capacityProviderArn: LMI_ARN } : {}, { durationMsMax: at2(1e300) }))?.detail;
    expect(big(false)).toBe('1e+300 ms is longer than any standard Lambda invocation (at most 960000 ms: the 900 s timeout with slack)');
    expect(big(true)).toBe('1e+300 ms is longer than any LMI invocation (at most 5460000 ms: the 5400 s timeout with slack)');
  });
});

describe('tags and names that AWS cannot hold or a terminal would obey', () => {
  const tags = (t: Record<string, string>) => check(line({ tags: t }));
  const many = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

  it('allows 50 tags (and aws: tags besides), refuses 51 naming tags', () => {
    expect(tags(many(50))).toBeNull();
    expect(tags({ ...many(50), ...many(3, 'aws:cloudformation:') })).toBeNull();
    expect(tags(many(51))).toEqual({ field: 'tags', detail: '51 tags; Lambda allows at most 50 per function (not counting aws: tags)' });
  });

  it('allows keys of 1-128 and values of 0-256 characters, refuses beyond naming tags.<key>', () => {
    expect(tags({ ['k'.repeat(128)]: 'v'.repeat(256), e: '' })).toBeNull();
    expect(tags({ ['k'.repeat(129)]: 'v' })?.field).toBe(`tags.${'k'.repeat(129)}`);
    expect(tags({ '': 'v' })?.field).toBe('tags.');
    expect(tags({ team: 'v'.repeat(257) })).toEqual({ field: 'tags.team', detail: 'tag value of 257 characters; AWS allows at most 256' });
    expect(tags({ team: 'v'.repeat(1_000_000) })?.field).toBe('tags.team');
    // Characters, not UTF-16 units: 256 emoji fit.
    expect(tags({ team: '\u{1F600}'.repeat(256) })).toBeNull();
  });

  const UNSAFE = ['\u0007', '\u007f', '\u0080', '\u009b', '\u009f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069'];
  it.each(UNSAFE.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))('refuses %s in a name, a tag key and a tag value', (_, c) => {
    expect(check(line({ name: `api${c}x` }))?.field).toBe('name');
    expect(tags({ [`team${c}`]: 'v' })?.field).toBe(`tags.team${c}`);
    expect(tags({ team: `v${c}` })?.field).toBe('tags.team');
  });

  it('still allows what real names and tags hold, and other non-ASCII text', () => {
    expect(check(line({ name: 'api-Prod_2', tags: { 'cost center': 'a+b=c.d_e:f/g@h-i', ['\u00e9quipe']: '\u6771\u4eac \u00a0' } }))).toBeNull();
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
