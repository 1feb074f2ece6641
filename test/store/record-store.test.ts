import { existsSync } from 'node:fs';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/record-command.js';
import { register as registerAnalyze } from '../../src/cli/analyze-command.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { StoreError } from '../../src/store/errors.js';
import { commandHarness } from '../cli/run-cli.js';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { direct, FAST, fakeFactory, fakeFunctions, fromStore, tempStore } from './fake-store-account.js';

/**
 * `record --store`: the snapshot it writes is the one `record` writes without a store, and the
 * store's bad inputs and faults: a clear error naming the place, exit 2 (UserInputError),
 * nothing overwritten; a truncated object is read again with a warning.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const NOW_ISO = '2026-11-21T03:17:42Z';
const NOW = new Date(NOW_ISO);
const dayDir = (store: string, kind: string, date: string) => join(store, kind, 'account=123456789012', 'region=us-east-1', `date=${date}`);

async function record(args: string[]) {
  const h = commandHarness((program) => register(program, { clients: fakeFactory(fake!.endpoint), limits: FAST }));
  await h.program.parseAsync(['node', 'lmi-advisor', 'record', '--regions', 'us-east-1', '--no-live-prices', '--now', NOW_ISO, ...args]);
  return h;
}

async function profilesOf(file: string): Promise<FunctionProfile[]> {
  const snapshot = await openSnapshot(file);
  const out: FunctionProfile[] = [];
  for await (const p of snapshot.profiles) out.push(p);
  return out;
}

describe('record --store', () => {
  it('writes the same snapshot series as record without a store, and reads only what the store lacks', async () => {
    // One function with Lambda Insights (CPU, memory, INIT per invocation) among them.
    fake = await startFakeAws({ functions: fakeFunctions(5).map((f, i) => (i === 2 ? { ...f, insights: true } : f)), density: 0.3 });
    const dir = await tempStore();
    await record(['--days', '2', '--out', join(dir, 'direct.ndjson.gz')]);
    await record(['--days', '2', '--store', join(dir, 'store'), '--out', join(dir, 'stored.ndjson.gz')]);
    const before = fake.counts.getMetricData;
    await record(['--days', '2', '--store', join(dir, 'store'), '--out', join(dir, 'again.ndjson.gz')]);
    // The unsettled day, and the window's Lambda Insights values (read live by every run).
    expect(fake.counts.getMetricData - before).toBe(2);
    const expected = await profilesOf(join(dir, 'direct.ndjson.gz'));
    expect(expected).toHaveLength(5);
    expect(expected[2]).toMatchObject({ cpuSecondsPerInvocation: 0.04, memoryUsedMBMax: 300, initMsPerInvocation: 25 });
    expect(await profilesOf(join(dir, 'stored.ndjson.gz'))).toEqual(expected);
    expect(await profilesOf(join(dir, 'again.ndjson.gz'))).toEqual(expected);
    const snapshot = await openSnapshot(join(dir, 'stored.ndjson.gz'));
    expect(snapshot.header.window).toEqual({ start: '2026-11-19T03:17:00.000Z', end: '2026-11-21T03:17:00.000Z', periodSeconds: 60 });
  });

  it('rejects a --store that is not a directory or s3://bucket/prefix', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(1) });
    await expect(record(['--store', 'gs://bucket/x', '--out', '/tmp/never.ndjson'])).rejects.toThrow(/--store: "gs:\/\/bucket\/x"/);
  });
});

describe('analyze --store', () => {
  it('is refused without --live (a snapshot is analysed as it is)', async () => {
    const h = commandHarness(registerAnalyze);
    await expect(
      h.program.parseAsync(['node', 'lmi-advisor', 'analyze', '--snapshot', 'fixtures/sample-account.ndjson.gz', '--store', '/tmp/s']),
    ).rejects.toThrow(/--store does not apply with --snapshot/);
  });
});

describe('store faults', () => {
  it('a store path that cannot be written: error naming it, nothing written', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(2) });
    const dir = await tempStore();
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const out = join(dir, 'x.ndjson');
    const error = await record(['--store', join(file, 'store'), '--out', out]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(join(file, 'store'));
    expect((error as Error).message).toMatch(/not writable/);
    expect(existsSync(out)).toBe(false);
    expect(fake.counts.getMetricData).toBe(0);
  });

  async function storedDay(): Promise<string> {
    fake = await startFakeAws({ functions: fakeFunctions(3), density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 1, now: NOW });
    return dir;
  }

  it('a status of an unknown schema version: error naming the object, nothing overwritten', async () => {
    const dir = await storedDay();
    const status = join(dayDir(dir, 'metrics', '2026-11-20'), '_status.json');
    const text = (await readFile(status, 'utf8')).replace('"schemaVersion": 2', '"schemaVersion": 3');
    await writeFile(status, text);
    const error = await fromStore(fake!.endpoint, dir, { days: 1, now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(status);
    expect((error as Error).message).toMatch(/unknown store schema .* version 3/);
    expect(await readFile(status, 'utf8')).toBe(text);
  });

  it('a foreign status (not ours): error naming the object', async () => {
    const dir = await storedDay();
    const status = join(dayDir(dir, 'metrics', '2026-11-20'), '_status.json');
    await writeFile(status, '{"hello": "world"}');
    await expect(fromStore(fake!.endpoint, dir, { days: 1, now: NOW })).rejects.toThrow(new RegExp(`${status.replace(/[/.]/g, '\\$&')}: unknown store schema`));
  });

  it('a corrupt data object of the right size: error naming it, nothing overwritten', async () => {
    const dir = await storedDay();
    const folder = dayDir(dir, 'metrics', '2026-11-20');
    const name = (await readdir(folder)).find((n) => n.endsWith('.parquet'))!;
    const size = (await stat(join(folder, name))).size;
    const garbage = Buffer.alloc(size, 7);
    await writeFile(join(folder, name), garbage);
    const error = await fromStore(fake!.endpoint, dir, { days: 1, now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(`${join(folder, name)}: not a Parquet file`);
    expect(await readFile(join(folder, name))).toEqual(garbage);
  });

  it('a truncated data object is treated as missing: a warning, the day read again, the same series', async () => {
    const dir = await storedDay();
    const folder = dayDir(dir, 'metrics', '2026-11-20');
    const name = (await readdir(folder)).find((n) => n.endsWith('.parquet'))!;
    const size = (await stat(join(folder, name))).size;
    await truncate(join(folder, name), 100);
    const run = await fromStore(fake!.endpoint, dir, { days: 1, now: NOW });
    const warning = run.source.warnings.find((w) => w.code === 'store-object-missing');
    expect(warning?.message).toContain(join(folder, name));
    expect(warning?.message).toContain('truncated');
    expect(run.source.stats.daysRead).toEqual(['us-east-1/2026-11-21', 'us-east-1/2026-11-20']);
    expect(run.profiles).toEqual(await direct(fake!.endpoint, { days: 1, now: NOW }));
    // Rewritten whole: the same data gives the same content-named object.
    expect((await readdir(folder)).filter((n) => n.endsWith('.parquet'))).toEqual([name]);
    expect((await stat(join(folder, name))).size).toBe(size);
  });
});
