import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotError } from '../../src/errors.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { writeSnapshot } from '../../src/source/snapshot-writer.js';

const roots: string[] = [];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snapshot-writer-'));
  roots.push(dir);
});
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const HEADER: SnapshotHeader = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-20T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T01:00:00Z', periodSeconds: 300 },
  regions: ['us-east-1', 'eu-west-1'],
  warnings: [{ code: 'partial-data', message: 'one gap', region: 'eu-west-1', function: 'b' }],
};

function profile(name: string, region = 'us-east-1', scale = 1): FunctionProfile {
  const points = 12;
  const invocations = Array.from({ length: points }, (_, i) => (i === 5 ? null : (i + 1) * 100 * scale));
  return {
    region,
    name,
    runtime: name === 'img' ? null : 'python3.13',
    architecture: 'x86_64',
    memoryMB: 2048,
    timeoutSeconds: 60,
    ephemeralStorageMB: 1024,
    provisionedConcurrency: 2,
    reservedConcurrency: 40,
    packageType: name === 'img' ? 'Image' : 'Zip',
    tags: { team: 'x', 'lmi-advisor:trust-group': 'payments' },
    memoryUsedMBMax: 812.5,
    cpuSecondsPerInvocation: 0.012,
    series: {
      invocations,
      durationMsSum: invocations.map((v) => (v === null ? null : v * 37)),
      concurrencyMax: invocations.map((v) => (v === null ? null : Math.ceil((v * 37) / 300_000) + 1)),
      errors: invocations.map((v) => (v === null ? null : 0)),
    },
  };
}

async function* stream<T>(items: T[], failAt?: number): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    if (i === failAt) throw new Error('source failed');
    yield items[i] as T;
  }
}

async function readBack(path: string): Promise<{ header: SnapshotHeader; profiles: FunctionProfile[] }> {
  const { header, profiles } = await openSnapshot(path);
  const all: FunctionProfile[] = [];
  for await (const p of profiles) all.push(p);
  return { header, profiles: all };
}

describe('writeSnapshot', () => {
  it.each(['out.ndjson', 'out.ndjson.gz'])('round-trips header and profiles through %s', async (file) => {
    // Prepare
    const path = join(dir, file);
    const profiles = [profile('a'), profile('b', 'eu-west-1', 3), profile('img')];
    // Act
    const result = await writeSnapshot(path, HEADER, stream(profiles));
    const back = await readBack(path);
    // Assess
    expect(result).toEqual({ functions: 3 });
    expect(back.header).toEqual(HEADER);
    expect(back.profiles).toEqual(profiles);
  });

  it('gzips when the path ends in .gz, and only then', async () => {
    await writeSnapshot(join(dir, 'a.ndjson.gz'), HEADER, [profile('a')]);
    await writeSnapshot(join(dir, 'a.ndjson'), HEADER, [profile('a')]);
    const gz = await readFile(join(dir, 'a.ndjson.gz'));
    const plain = await readFile(join(dir, 'a.ndjson'));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    expect(plain.toString('utf8').split('\n')).toHaveLength(3); // header, one function, final newline
  });

  it('writes the same bytes for the same input (no time or name in the gzip header)', async () => {
    await writeSnapshot(join(dir, 'x.ndjson.gz'), HEADER, [profile('a'), profile('b')]);
    await writeSnapshot(join(dir, 'y.ndjson.gz'), HEADER, [profile('a'), profile('b')]);
    const x = await readFile(join(dir, 'x.ndjson.gz'));
    const y = await readFile(join(dir, 'y.ndjson.gz'));
    expect(x.equals(y)).toBe(true);
  });

  it('drops unknown fields', async () => {
    const path = join(dir, 'extra.ndjson');
    const withExtra = { ...profile('a'), debug: 'x' } as FunctionProfile;
    await writeSnapshot(path, HEADER, [withExtra]);
    expect(await readFile(path, 'utf8')).not.toContain('debug');
  });

  it('rejects a NaN (which JSON would turn into a silent null) naming line and field, and writes nothing', async () => {
    // Prepare
    const path = join(dir, 'nan.ndjson.gz');
    const bad = profile('b');
    bad.series.durationMsSum[7] = Number.NaN;
    // Act
    const error = await writeSnapshot(path, HEADER, stream([profile('a'), bad])).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).line).toBe(3);
    expect((error as SnapshotError).field).toBe('series.durationMsSum[7]');
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a duplicate function', async () => {
    const error = await writeSnapshot(join(dir, 'dup.ndjson'), HEADER, [profile('a'), profile('a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).field).toBe('name');
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a bad header at line 1', async () => {
    const header = { ...HEADER, window: { ...HEADER.window, end: '2026-11-20T01:01:00Z' } };
    const error = await writeSnapshot(join(dir, 'h.ndjson'), header, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).line).toBe(1);
    expect((error as SnapshotError).field).toBe('window.end');
  });

  it('leaves an existing file untouched and no temporary file when the source fails midway', async () => {
    // Prepare
    const path = join(dir, 'keep.ndjson.gz');
    await writeFile(path, 'previous content');
    // Act
    const error = await writeSnapshot(path, HEADER, stream([profile('a'), profile('b'), profile('c')], 2)).catch((e: unknown) => e);
    // Assess
    expect((error as Error).message).toBe('source failed');
    expect(await readFile(path, 'utf8')).toBe('previous content');
    expect(await readdir(dir)).toEqual(['keep.ndjson.gz']);
  });

  it('replaces an existing file once complete', async () => {
    const path = join(dir, 'replace.ndjson');
    await writeFile(path, 'previous content');
    await writeSnapshot(path, HEADER, [profile('a')]);
    expect((await readBack(path)).profiles.map((p) => p.name)).toEqual(['a']);
    expect(await readdir(dir)).toEqual(['replace.ndjson']);
  });

  it('streams many profiles without holding them (writes what a generator yields)', async () => {
    // Prepare: 300 profiles made on demand
    function* many(): Generator<FunctionProfile> {
      for (let i = 0; i < 300; i++) yield profile(`fn-${i}`);
    }
    const path = join(dir, 'many.ndjson.gz');
    // Act
    const result = await writeSnapshot(path, HEADER, many());
    // Assess
    expect(result.functions).toBe(300);
    expect((await readBack(path)).profiles.at(-1)?.name).toBe('fn-299');
  });
});
