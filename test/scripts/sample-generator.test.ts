import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionProfile, Series } from '../../src/source/profile.js';
import { functionLineSchema, headerSchema } from '../../src/source/snapshot-schema.js';
import { writeSnapshot } from '../../src/source/snapshot-writer.js';
import { SAMPLE_PATH, writeSample } from '../../scripts/generate-sample.js';
import { SCENARIO_DIR, scenarios, writeScenarios } from '../../scripts/generate-scenarios.js';
import { generateAccount, mulberry32, SAMPLE_SEED } from '../../scripts/sample-generator.js';

let dir: string;
let sample: FunctionProfile[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sample-generator-'));
  sample = [...generateAccount({ seed: SAMPLE_SEED }).profiles()];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sum = (s: Series): number => s.reduce<number>((a, v) => a + (v ?? 0), 0);
const known = (s: Series): number[] => s.filter((v): v is number => v !== null);
const byName = (name: string, region = 'us-east-1'): FunctionProfile => {
  const p = sample.find((x) => x.name === name && x.region === region);
  if (!p) throw new Error(`no ${region}/${name} in the sample`);
  return p;
};
/** Mean requests per second over the window (14 days at 60 s). */
const meanRps = (p: FunctionProfile): number => sum(p.series.invocations) / (14 * 86_400);
const avgDurationMs = (p: FunctionProfile): number => sum(p.series.durationMsSum) / sum(p.series.invocations);

describe('mulberry32', () => {
  it('is reproducible and seed-dependent', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe('generateAccount determinism', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', async () => {
    // Prepare
    const write = async (file: string, seed: number) => {
      const { header, profiles } = generateAccount({ seed, functions: 40, days: 1 });
      await writeSnapshot(join(dir, file), header, profiles(), { gzipLevel: 1 });
      return readFile(join(dir, file));
    };
    // Act
    const first = await write('a.ndjson.gz', 42);
    const again = await write('b.ndjson.gz', 42);
    const other = await write('c.ndjson.gz', 43);
    // Assess
    expect(first.equals(again)).toBe(true);
    expect(first.equals(other)).toBe(false);
  });

  it('the committed sample equals a fresh generation (it cannot drift)', async () => {
    const fresh = join(dir, 'sample.ndjson.gz');
    await writeSample(fresh);
    const committed = await readFile(SAMPLE_PATH);
    // Content, not gzip bytes: another zlib build may compress the same text differently.
    expect(gunzipSync(await readFile(fresh)).equals(gunzipSync(committed))).toBe(true);
    expect(committed.length).toBeLessThan(3.2 * 1024 * 1024);
  });

  it('the committed scenarios equal a fresh generation', async () => {
    const out = join(dir, 'scenarios');
    await mkdir(join(out, 'bad'), { recursive: true });
    const files = await writeScenarios(out);
    expect(files.length).toBe(Object.keys(scenarios()).length + 1);
    // The truncated gzip is left out: its bytes depend on the zlib build (the reader tests cover it).
    for (const file of files.filter((f) => !f.endsWith('.gz'))) {
      expect((await readFile(join(out, file))).equals(await readFile(join(SCENARIO_DIR, file))), file).toBe(true);
    }
  });
});

describe('the sample account', () => {
  it('has the fixed header of docs/snapshot-format.md', () => {
    const { header } = generateAccount({ seed: SAMPLE_SEED });
    expect(headerSchema.parse(header)).toEqual(header);
    expect(header).toMatchObject({
      capturedAt: '2026-11-21T03:00:00Z',
      accountId: '123456789012',
      window: { start: '2026-11-07T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60 },
    });
  });

  it('has at least 30 valid, unique functions in us-east-1 and us-west-2', () => {
    const schema = functionLineSchema(14 * 1440, 60);
    for (const p of sample) expect(schema.safeParse(p).success, p.name).toBe(true);
    expect(sample.length).toBeGreaterThanOrEqual(30);
    expect(new Set(sample.map((p) => `${p.region}/${p.name}`)).size).toBe(sample.length);
    expect(new Set(sample.map((p) => p.region))).toEqual(new Set(['us-east-1', 'us-west-2']));
  });

  it('covers the configuration archetypes', () => {
    const arm = sample.filter((p) => p.architecture === 'arm64').length;
    expect(arm).toBeGreaterThan(0);
    expect(sample.length - arm).toBeGreaterThan(0);
    expect(sample.some((p) => (p.provisionedConcurrency ?? 0) > 0)).toBe(true);
    expect(sample.some((p) => p.runtime === 'nodejs18.x')).toBe(true);
    expect(sample.some((p) => p.runtime === 'python3.9')).toBe(true);
    expect(sample.some((p) => p.memoryMB === 10240)).toBe(true);
    expect(sample.some((p) => p.runtime === null && p.packageType === 'Image')).toBe(true);
    expect(sample.some((p) => p.ephemeralStorageMB > 512)).toBe(true);
    expect(sample.some((p) => p.runtime?.startsWith('python') && p.memoryMB >= 3008 && p.memoryUsedMBMax)).toBe(true);
    expect(sample.filter((p) => p.cpuSecondsPerInvocation != null).length).toBeGreaterThanOrEqual(2);
    const groups = sample.map((p) => p.tags['lmi-advisor:trust-group']);
    expect(new Set(groups.filter((g) => g !== undefined))).toEqual(new Set(['payments', 'platform']));
    expect(groups.filter((g) => g === undefined).length).toBeGreaterThan(0);
    expect(sample.every((p) => p.tags.team)).toBe(true);
  });

  it('has a few unknown (null) points, at the same periods in every series of a function', () => {
    const withNulls = sample.filter((p) => p.series.invocations.includes(null));
    expect(withNulls.length).toBeGreaterThan(0);
    for (const p of withNulls) {
      const at = (s: Series) => s.flatMap((v, i) => (v === null ? [i] : []));
      expect(at(p.series.durationMsSum)).toEqual(at(p.series.invocations));
      expect(at(p.series.concurrencyMax)).toEqual(at(p.series.invocations));
    }
  });

  it("keeps concurrency consistent with Little's law: 1-min peak >= mean concurrency, none without load", () => {
    for (const p of sample) {
      const { invocations, durationMsSum, concurrencyMax } = p.series;
      const violations: string[] = [];
      for (let i = 0; i < invocations.length; i++) {
        const n = invocations[i] ?? null;
        const d = durationMsSum[i] ?? null;
        const c = concurrencyMax[i] ?? null;
        if (n === null || d === null || c === null) continue;
        if (n === 0 && d !== 0) violations.push(`[${i}] duration without invocations`);
        // Runs longer than a minute count in the minute they start; only short ones are checked.
        if (n > 0 && d / n < 60_000 && c < d / 60_000) violations.push(`[${i}] peak ${c} below mean ${d / 60_000}`);
        if (n > 0 && c < 1) violations.push(`[${i}] invocations without concurrency`);
      }
      expect(violations.slice(0, 3), p.name).toEqual([]);
      const meanConcurrency = sum(durationMsSum) / 60_000 / invocations.length;
      expect(Math.max(...known(concurrencyMax)), p.name).toBeGreaterThanOrEqual(meanConcurrency);
    }
  });

  it('covers the traffic archetypes', () => {
    // steady high throughput: hundreds of req/s at 100-300 ms
    expect(sample.some((p) => meanRps(p) >= 200 && avgDurationMs(p) >= 100 && avgDurationMs(p) <= 300)).toBe(true);
    // diurnal: busiest hour of the day far above the quietest
    const orders = byName('orders-api');
    const hourly = Array.from({ length: 24 }, (_, h) =>
      orders.series.invocations.reduce<number>((a, v, i) => a + (Math.floor((i % 1440) / 60) === h ? (v ?? 0) : 0), 0),
    );
    expect(Math.max(...hourly) / Math.min(...hourly)).toBeGreaterThan(2);
    // sharp bursts: traffic x3 or more from one minute to the next, from a real base load
    const jumps = (p: FunctionProfile) =>
      p.series.invocations.some((v, i) => {
        const prev = i > 0 ? (p.series.invocations[i - 1] ?? null) : null;
        return prev !== null && v !== null && prev >= 100 && v >= 3 * prev;
      });
    expect(sample.filter(jumps).length).toBeGreaterThanOrEqual(2);
    // nearly idle: under 100 invocations a day
    expect(sample.some((p) => sum(p.series.invocations) > 0 && sum(p.series.invocations) < 14 * 100)).toBe(true);
    // hourly cron: invocations in exactly one minute of each hour, every hour
    const cron = (p: FunctionProfile) => {
      const minutes = new Set(p.series.invocations.flatMap((v, i) => (v ? [i % 60] : [])));
      return minutes.size === 1 && p.series.invocations.filter((v) => v).length === 14 * 24;
    };
    expect(sample.filter(cron).length).toBeGreaterThanOrEqual(2);
    // CPU-heavy (measured CPU close to the duration) and I/O-bound (measured CPU a small share)
    const cpuShare = (p: FunctionProfile) => (p.cpuSecondsPerInvocation ?? 0) / (avgDurationMs(p) / 1000);
    expect(sample.some((p) => p.cpuSecondsPerInvocation != null && cpuShare(p) >= 0.7)).toBe(true);
    expect(sample.some((p) => p.cpuSecondsPerInvocation != null && cpuShare(p) <= 0.2 && meanRps(p) >= 200)).toBe(true);
    // throttles recorded where reserved concurrency caps a burst
    expect(sample.some((p) => p.series.throttles && sum(p.series.throttles) > 0)).toBe(true);
  });
});

describe('generateAccount options', () => {
  it('cycles the archetypes into more, unique, valid functions', () => {
    const { header, profiles } = generateAccount({ seed: 1, functions: 100, days: 1 });
    const all = [...profiles()];
    const schema = functionLineSchema(1440, 60);
    expect(header.window.end).toBe('2026-11-08T00:00:00Z');
    expect(all).toHaveLength(100);
    expect(new Set(all.map((p) => `${p.region}/${p.name}`)).size).toBe(100);
    for (const p of all) expect(schema.safeParse(p).success, p.name).toBe(true);
  });

  it('aggregates into coarser periods: same totals, peaks as maxima', () => {
    // Prepare
    const minute = [...generateAccount({ seed: 5, functions: 6, days: 1 }).profiles()];
    // Act
    const hourly = [...generateAccount({ seed: 5, functions: 6, days: 1, periodSeconds: 3600 }).profiles()];
    // Assess
    for (let f = 0; f < minute.length; f++) {
      const m = minute[f] as FunctionProfile;
      const h = hourly[f] as FunctionProfile;
      expect(h.series.invocations).toHaveLength(24);
      if (m.series.invocations.includes(null)) continue;
      expect(sum(h.series.invocations)).toBe(sum(m.series.invocations));
      expect(sum(h.series.durationMsSum)).toBe(sum(m.series.durationMsSum));
      expect(Math.max(...known(h.series.concurrencyMax))).toBe(Math.max(...known(m.series.concurrencyMax)));
    }
  });
});
