import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { UserInputError } from '../../src/errors.js';
import { runPipeline, type SourceFn, type SourceResult } from '../../src/pipeline/run.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import type { ReportModel } from '../../src/report/types.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { renderHtml } from '../../src/render/html.js';
import { applyKnobs } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
import { embeddedData } from '../../src/whatif/page.js';

/**
 * runPipeline with an in-memory source (no AWS): time budget, incomplete runs, previous-report
 * handling and the dir channel. The moto-backed run is test/handler.test.ts.
 */

const NOW = new Date('2026-11-21T03:00:00Z');
const WINDOW = { start: '2026-11-20T03:00:00Z', end: '2026-11-21T03:00:00Z', periodSeconds: 3600 as const };

function profile(name: string, invocationsPerHour: number): FunctionProfile {
  return {
    region: 'us-east-1',
    name,
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memoryMB: 1024,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: {},
    series: {
      invocations: Array.from({ length: 24 }, () => invocationsPerHour),
      durationMsSum: Array.from({ length: 24 }, () => invocationsPerHour * 120),
      concurrencyMax: Array.from({ length: 24 }, () => 5),
    },
  };
}

function memorySource(names: string[], extra: Partial<SourceResult> = {}): SourceFn {
  return async () => {
    const header: SnapshotHeader = { schema: 'lmi-advisor.snapshot/v1', capturedAt: NOW.toISOString(), accountId: '123456789012', window: WINDOW };
    return {
      header,
      profiles: names.map((n) => profile(n, 10_000)),
      priceBook: loadBundledPriceBook(),
      warnings: [],
      failedRegions: [],
      ...extra,
    };
  };
}

const s3 = mockClient(S3Client);
const target = { client: new S3Client({ region: 'us-east-1' }), bucket: 'b', prefix: 'reports/', region: 'us-east-1' };
let dir: string;

beforeEach(async () => {
  s3.reset();
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
  s3.on(PutObjectCommand).resolves({});
  dir = await mkdtemp(join(tmpdir(), 'lmi-run-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function putKeys(): string[] {
  return s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key ?? '');
}

describe('runPipeline', () => {
  it('publishes a complete run to the dated set first and latest last, report.json last of all', async () => {
    // Act
    const result = await runPipeline({
      regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a', 'b']), channels: ['s3'], targets: { s3: target },
    });
    // Assess
    expect(result.exitCode).toBe(0);
    const keys = putKeys();
    const dated = keys.filter((k) => k.startsWith('reports/2026-11-21/'));
    const latest = keys.filter((k) => k.startsWith('reports/latest/'));
    expect(dated.length).toBeGreaterThan(0);
    expect(latest.length).toBe(dated.length);
    expect(keys).toEqual([...dated, ...latest]);
    expect(latest.at(-1)).toBe('reports/latest/report.json');
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'b', Key: 'reports/latest/report.json' });
    expect(result.model.changes).toBeUndefined();
  });

  it('stops analysing when time runs short, publishes the dated set marked incomplete and leaves latest alone', async () => {
    // Prepare: 10 s left while collecting, then the clock passes the reserve after two functions
    let profilesRead = 0;
    const source: SourceFn = async (opts) => {
      const base = await memorySource([])(opts);
      async function* slow(): AsyncGenerator<FunctionProfile> {
        for (const name of ['a', 'b', 'c', 'd']) {
          profilesRead++;
          yield profile(name, 10_000);
        }
      }
      return { ...base, profiles: slow() };
    };
    // Act
    const result = await runPipeline({
      regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source, channels: ['s3'], targets: { s3: target },
      timeLeftMs: () => (profilesRead >= 3 ? 1_000 : 10_000),
      reserveMs: 5_000,
    });
    // Assess
    expect(result.cutShort).toBe(true);
    expect(result.model.run.complete).toBe(false);
    expect(result.model.functions.map((f) => f.name)).toEqual(['a', 'b']);
    expect(result.model.warnings.map((w) => w.code)).toContain('run-cut-short');
    expect(result.exitCode).toBe(3);
    expect(putKeys().some((k) => k.startsWith('reports/2026-11-21/'))).toBe(true);
    expect(putKeys().filter((k) => k.includes('/latest/'))).toEqual([]);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Metadata).toEqual({ complete: 'false', 'generated-at': '2026-11-21T03:00:00.000Z' });
  });

  it('fails clearly when discovery itself does not finish within the budget', async () => {
    const never: SourceFn = () => new Promise(() => {});
    await expect(
      runPipeline({ regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: never, channels: ['s3'], targets: { s3: target }, timeLeftMs: () => 5_050, reserveMs: 5_000 }),
    ).rejects.toThrow(/nothing collected before the time limit \(regions us-east-1\)/);
    expect(putKeys()).toEqual([]);
  });

  it('marks a run with a failed region incomplete and names the region', async () => {
    const result = await runPipeline({
      regions: ['us-east-1', 'eu-west-1'], days: 1, now: NOW, config: defaultConfig(),
      source: memorySource(['a'], { failedRegions: ['eu-west-1'] }), channels: ['s3'], targets: { s3: target },
    });
    expect(result.model.run.complete).toBe(false);
    expect(result.model.warnings).toContainEqual(expect.objectContaining({ code: 'region-failed', region: 'eu-west-1' }));
    expect(putKeys().filter((k) => k.includes('/latest/'))).toEqual([]);
    expect(result.exitCode).toBe(3);
  });

  it('turns an unreadable previous report into a warning and still publishes', async () => {
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{"schema":"something-else"}' } as never });
    const result = await runPipeline({
      regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a']), channels: ['s3'], targets: { s3: target },
    });
    expect(result.model.changes).toBeUndefined();
    expect(result.model.warnings).toContainEqual(
      expect.objectContaining({ code: 'previous-report-unreadable', message: expect.stringContaining('s3://b/reports/latest/report.json: schema') }),
    );
    expect(result.exitCode).toBe(0);
    expect(putKeys()).toContain('reports/latest/report.json');
  });

  it('with the dir channel, diffs against the report already in the directory', async () => {
    // Prepare: a first run writes the directory
    const first = await runPipeline({ regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a', 'b']), channels: ['dir'], targets: { dir: { outDir: dir } } });
    // Act
    const second = await runPipeline({
      regions: ['us-east-1'], days: 1, now: new Date('2026-11-22T03:00:00Z'), config: defaultConfig(), source: memorySource(['a', 'c']), channels: ['dir'], targets: { dir: { outDir: dir } },
    });
    // Assess
    const written = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as ReportModel;
    expect(written.changes).toEqual({
      previousGeneratedAt: '2026-11-21T03:00:00.000Z',
      newFunctions: ['us-east-1/c'],
      removedFunctions: ['us-east-1/b'],
      changedRecommendations: [],
      savingsDeltaUsd: second.model.totals.savingsUsd - first.model.totals.savingsUsd,
    });
    expect(second.publish.results).toEqual([expect.objectContaining({ channel: 'dir', ok: true })]);
  });

  it("writes report.html with the what-if panel, whose data rebuilds the run's report, changes and warnings included", async () => {
    // Prepare: a first run, so the second has changes; the second has a collection warning.
    await runPipeline({ regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a', 'b']), channels: ['dir'], targets: { dir: { outDir: dir } } });
    const warning = { code: 'metrics-partial', region: 'us-east-1', message: 'us-east-1: some metrics were throttled' };

    // Act
    const second = await runPipeline({
      regions: ['us-east-1'], days: 1, now: new Date('2026-11-22T03:00:00Z'), config: defaultConfig(), source: memorySource(['a', 'c'], { warnings: [warning] }), channels: ['dir'], targets: { dir: { outDir: dir } },
    });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const data = embeddedData(html);

    // Assess
    expect(html).toContain('data-knob="lmi.discount"');
    expect(second.model.changes?.newFunctions).toEqual(['us-east-1/c']);
    expect(second.model.warnings.some((w) => w.message === warning.message)).toBe(true);
    expect(renderHtml(whatIfReport(data, data.config))).toBe(renderHtml(second.model));
    expect(whatIfReport(data, applyKnobs(data.config, { 'lmi.discount': 0.3 })).changes).toEqual(second.model.changes);
  });

  it('writes the static report.html without the panel when asked (whatIf: false)', async () => {
    // Act
    await runPipeline({ regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a']), channels: ['dir'], targets: { dir: { outDir: dir } }, whatIf: false });
    const html = await readFile(join(dir, 'report.html'), 'utf8');

    // Assess
    expect(html).not.toContain('id="whatif"');
    expect(html).not.toContain('<script');
  });

  it('refuses a dir channel whose report name holds a directory before collecting anything', async () => {
    // Prepare
    await mkdir(join(dir, 'report.html'));
    await writeFile(join(dir, 'report.html', 'mine.txt'), 'mine', 'utf8');
    let collected = false;
    const source: SourceFn = async (o) => {
      collected = true;
      return memorySource(['a'])(o);
    };
    // Act
    const error = await runPipeline({
      regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source, channels: ['dir'], targets: { dir: { outDir: dir } },
    }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(new RegExp(`^${join(dir, 'report.html')}: is a directory, not a report file`));
    expect(collected).toBe(false);
    expect(await readdir(dir)).toEqual(['report.html']);
    expect(await readFile(join(dir, 'report.html', 'mine.txt'), 'utf8')).toBe('mine');
  });

  it('counts a requested but unconfigured channel as a failure without stopping the others', async () => {
    const result = await runPipeline({
      regions: ['us-east-1'], days: 1, now: NOW, config: defaultConfig(), source: memorySource(['a']), channels: ['s3', 'email'], targets: { s3: target },
    });
    expect(result.publish.results.map((r) => [r.channel, r.ok])).toEqual([['s3', true], ['email', false]]);
    expect(result.publish.results[1]?.error).toBe('email: channel requested but not configured');
    expect(result.exitCode).toBe(1);
  });
});
