import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeProfiles, analyzeSnapshotFile, priceBookFor } from '../../src/pipeline/analyze.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { snapshotText, writeSnapshot } from '../cli/snapshot-builder.js';

const RUN = { tool: 'lmi-advisor', version: 'test', generatedAt: '2026-11-22T00:00:00Z', command: 'test' };

/** Header and profiles of the CLI test snapshot, parsed from its text. */
function sample(): { header: SnapshotHeader; profiles: FunctionProfile[] } {
  const [header, ...profiles] = snapshotText()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  return { header: header as SnapshotHeader, profiles: profiles as FunctionProfile[] };
}

async function* stream(profiles: FunctionProfile[]): AsyncGenerator<FunctionProfile> {
  for (const p of profiles) yield p;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-pipeline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('analyzeProfiles', () => {
  it('summarizes every profile, reports progress, and carries the run info', async () => {
    // Prepare
    const { header, profiles } = sample();
    const progress: number[] = [];
    // Act
    const report = await analyzeProfiles({
      header,
      profiles: stream(profiles),
      priceBook: loadBundledPriceBook(),
      config: defaultConfig(),
      run: RUN,
      onProgress: (n) => progress.push(n),
    });
    // Assess
    expect(progress).toEqual([1, 2, 3]);
    expect(report.functions).toHaveLength(3);
    expect(report.run).toEqual({ ...RUN, complete: true });
    expect(report.accountId).toBe(header.accountId);
    expect(report.assumptions.length).toBeGreaterThan(10);
  });

  it('never reads a profile again once the next one is requested (streams)', async () => {
    // Prepare: a stream that wipes each profile's series as soon as the pipeline asks for more
    const reference = sample();
    const wiped = sample();
    async function* wiping(): AsyncGenerator<FunctionProfile> {
      for (const p of wiped.profiles) {
        yield p;
        for (const series of Object.values(p.series)) series?.fill(null);
      }
    }
    const input = { priceBook: loadBundledPriceBook(), config: defaultConfig(), run: RUN };
    // Act
    const expected = await analyzeProfiles({ ...input, header: reference.header, profiles: stream(reference.profiles) });
    const actual = await analyzeProfiles({ ...input, header: wiped.header, profiles: wiping() });
    // Assess
    expect(actual).toEqual(expected);
  });

  it('turns recorded warnings into report warnings; a failed region makes the run incomplete', async () => {
    // Prepare
    const { header, profiles } = sample();
    const failed: SnapshotHeader = {
      ...header,
      warnings: [{ code: 'region-failed', region: 'eu-west-1', message: 'eu-west-1: AccessDenied' }],
    };
    const partial: SnapshotHeader = {
      ...header,
      warnings: [{ code: 'tags-unknown', region: 'us-east-1', message: 'tags could not be read' }],
    };
    const input = { priceBook: loadBundledPriceBook(), config: defaultConfig(), run: RUN };
    // Act
    const a = await analyzeProfiles({ ...input, header: failed, profiles: stream(profiles) });
    const b = await analyzeProfiles({ ...input, header: partial, profiles: stream(sample().profiles) });
    // Assess
    expect(a.run.complete).toBe(false);
    expect(a.warnings).toContainEqual({ code: 'region-failed', region: 'eu-west-1', message: 'eu-west-1: AccessDenied' });
    expect(b.run.complete).toBe(true);
    expect(b.warnings.map((w) => w.code)).toContain('tags-unknown');
  });

  it('keeps a run the caller marked incomplete incomplete', async () => {
    const { header, profiles } = sample();
    const report = await analyzeProfiles({
      header,
      profiles: stream(profiles),
      priceBook: loadBundledPriceBook(),
      config: defaultConfig(),
      run: { ...RUN, complete: false },
    });
    expect(report.run.complete).toBe(false);
  });
});

describe('priceBookFor', () => {
  it('uses the prices recorded with the snapshot, as source "snapshot"', () => {
    // Prepare: the bundled items, recorded as if `record` had fetched them
    const { header } = sample();
    const bundledItems = loadBundledPriceBook();
    const recorded: SnapshotHeader = { ...header, prices: { asOf: '2026-11-20', source: 'live', items: [] } };
    // Act
    const book = priceBookFor(recorded);
    // Assess
    expect(book.source).toBe('snapshot');
    expect(book.asOf).toBe('2026-11-20');
    expect(Object.keys(book.regions)).toHaveLength(0);
    expect(Object.keys(bundledItems.regions).length).toBeGreaterThan(0);
  });

  it('falls back to the bundled book when the snapshot has no prices', () => {
    const book = priceBookFor(sample().header);
    expect(book.source).toBe('bundled');
    expect(book).toEqual(loadBundledPriceBook());
  });
});

describe('analyzeSnapshotFile', () => {
  it('stamps generatedAt from --now, else from capturedAt, and records how to reproduce', async () => {
    // Prepare
    const path = join(dir, 'acct.ndjson.gz');
    await writeSnapshot(path);
    // Act
    const byCapture = await analyzeSnapshotFile(path, { config: defaultConfig() });
    const byNow = await analyzeSnapshotFile(path, { config: defaultConfig(), configPath: 'my cfg.yaml', now: '2026-12-01T00:00:00.000Z' });
    // Assess
    expect(byCapture.run.generatedAt).toBe('2026-11-21T03:00:00Z');
    expect(byCapture.run.command).toBe(`lmi-advisor analyze --snapshot ${path}`);
    expect(byNow.run.generatedAt).toBe('2026-12-01T00:00:00.000Z');
    expect(byNow.run.config).toBe('my cfg.yaml');
    expect(byNow.run.command).toBe(`lmi-advisor analyze --snapshot ${path} --config 'my cfg.yaml' --now 2026-12-01T00:00:00.000Z`);
    expect(byNow.functions).toEqual(byCapture.functions);
  });
});
