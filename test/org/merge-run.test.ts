import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReportParts } from '../../src/model/build-report.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import { mergeShards } from '../../src/org/merge.js';
import { mergeToSpool } from '../../src/org/merge-run.js';
import { planShards } from '../../src/org/plan.js';
import { orgFiles, orgReportFiles } from '../../src/org/render.js';
import { compactShard } from '../../src/org/shard.js';
import { dirShardStore } from '../../src/org/shard-store.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { makeWindow, RUN, steadyProfile, testConfig, testPriceBook } from '../model/helpers.js';

/**
 * The account-at-a-time merge over a shard store gives exactly what the all-in-memory merge
 * gives (org model and every file, byte for byte), with each account's files written to the
 * spool as it is merged and read back only when `content` is taken.
 */

const window = makeWindow(24, 60);
const config = testConfig();
const book = testPriceBook();
const run = { generatedAt: RUN.generatedAt, command: RUN.command, tool: RUN.tool, version: RUN.version };
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function shard(accountId: string, region: string, scale: number) {
  const profiles: FunctionProfile[] = [
    steadyProfile(window, { name: `api-${region}`, region, invocations: 900_000 * scale, durationMs: 150, memoryMB: 2048 }),
    steadyProfile(window, { name: 'small', region, invocations: 10_000 * scale, durationMs: 40, memoryMB: 512 }),
  ];
  const summaries = profiles.map((p) => summarizeFunction(p, { window, prices: book.regions[p.region], config }));
  return compactShard({ accountId, region, roleArn: null }, buildReportParts({ accountId, window, summaries, priceBook: book, config, assumptions: [], run: RUN, warnings: [] }));
}

describe('mergeToSpool', () => {
  it('equals the in-memory merge, file for file; a planned shard without a result is named', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lmi-merge-run-'));
    const ids = ['333333333333', '111111111111', '222222222222'];
    const plan = planShards({ runId: 'r', accounts: ids.map((accountId) => ({ accountId, name: null })), regions: ['us-east-1', 'eu-west-1'], currentAccountId: '111111111111', roleName: 'lmi-advisor-reader' });
    // 222222222222 eu-west-1 produced no result.
    const results = ids.flatMap((id, i) => ['us-east-1', 'eu-west-1'].filter((r) => !(id === '222222222222' && r === 'eu-west-1')).map((r) => shard(id, r, i + 1)));
    const store = dirShardStore(join(dir, 'run'));
    await store.putPlan(plan);
    for (const r of results) await store.putResult(r);

    const seen: string[] = [];
    const spooled = await mergeToSpool({ store, plan, failures: [], run, formats: ['json', 'md', 'html'], spoolDir: join(dir, 'spool'), onAccount: (id) => seen.push(id) });
    const memory = mergeShards({ plan, results, run });
    expect(seen).toEqual([...ids].sort());
    expect(spooled.org).toEqual(memory.org);
    expect(spooled.org.failures).toEqual([{ accountId: '222222222222', region: 'eu-west-1', message: 'no shard result (the shard failed after its retries)' }]);
    expect(spooled.org.totals.standardUsd).toBeGreaterThan(0);
    // Every account file is on disk before any content is taken, and reads back identical.
    expect((await readdir(join(dir, 'spool'))).sort()).toEqual(spooled.accountFiles.map((f) => f.name).sort());
    const all = [...orgFiles(spooled.org), ...spooled.accountFiles];
    expect(all.map((f) => [f.name, f.content])).toEqual(orgReportFiles(memory).map((f) => [f.name, f.content]));
  });
});
