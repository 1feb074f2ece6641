import { describe, expect, it } from 'vitest';
import { buildReportParts } from '../../src/model/build-report.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import { mergeShards } from '../../src/org/merge.js';
import { planShards } from '../../src/org/plan.js';
import { renderOrgHtml, renderOrgMarkdown } from '../../src/org/render.js';
import { formatUsd } from '../../src/render/format.js';
import { compactShard } from '../../src/org/shard.js';
import type { ShardResult } from '../../src/org/types.js';
import type { FunctionProfile, SnapshotWindow } from '../../src/source/profile.js';
import { makeWindow, RUN, steadyProfile, testConfig, testPriceBook } from '../model/helpers.js';

/**
 * The merge against the single-account model: an account split into region shards must give
 * the totals buildReport gives over all its regions at once (tiers per region, ONE free-tier
 * credit per account), and the org totals must be the sum of the accounts.
 */

const window = makeWindow(24 * 7, 60);
const config = testConfig();
const book = testPriceBook();
const { generatedAt, command, tool, version } = RUN;
const run = { generatedAt, command, tool, version };

function parts(accountId: string, profiles: FunctionProfile[], w: SnapshotWindow = window) {
  const summaries = profiles.map((p) => summarizeFunction(p, { window: w, prices: book.regions[p.region], config }));
  return buildReportParts({ accountId, window: w, summaries, priceBook: book, config, assumptions: [], run: RUN, warnings: [] });
}

/** Steady Node.js API, 2 GB, 200 ms, `concurrency` busy all week, CPU 5 % of duration: migrates. */
function busy(name: string, region: string, concurrency: number): FunctionProfile {
  const p = steadyProfile(window, {
    name,
    region,
    invocations: Math.round((concurrency / 0.2) * 3600 * 24 * 7),
    durationMs: 200,
    memoryMB: 2048,
    concurrencyMax: Math.ceil(concurrency),
  });
  p.cpuSecondsPerInvocation = 0.01;
  return p;
}

/** Small functions (inside the free tier) and a busy one that moves, in two regions. */
function accountProfiles(scale: number): FunctionProfile[] {
  return [
    steadyProfile(window, { name: 'small-a', region: 'us-east-1', invocations: 300_000 * scale, durationMs: 80, memoryMB: 512 }),
    steadyProfile(window, { name: 'small-b', region: 'eu-west-1', invocations: 500_000 * scale, durationMs: 120, memoryMB: 1024, architecture: 'arm64' }),
    busy('busy', 'us-east-1', 100 * scale),
    busy('busy-eu', 'eu-west-1', 60 * scale),
    steadyProfile(window, { name: 'pc', region: 'eu-west-1', invocations: 2_000_000 * scale, durationMs: 50, provisionedConcurrency: 2 }),
  ];
}

function shardsOf(accountId: string, profiles: FunctionProfile[]): ShardResult[] {
  return ['us-east-1', 'eu-west-1'].map((region) =>
    compactShard({ accountId, region, roleArn: null }, parts(accountId, profiles.filter((p) => p.region === region))),
  );
}

const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 6);

describe('mergeShards', () => {
  const accounts = { '111111111111': accountProfiles(1), '222222222222': accountProfiles(3), '333333333333': accountProfiles(0.5) };
  const plan = planShards({
    runId: 'r',
    accounts: Object.keys(accounts).map((accountId) => ({ accountId, name: null })),
    regions: ['us-east-1', 'eu-west-1'],
    currentAccountId: '111111111111',
    roleName: 'lmi-advisor-reader',
  });
  const results = Object.entries(accounts).flatMap(([id, profiles]) => shardsOf(id, profiles));
  const merged = mergeShards({ plan, results, run });

  it('gives each account the totals of one report over all its regions (one free-tier credit)', () => {
    for (const [id, profiles] of Object.entries(accounts)) {
      const whole = parts(id, profiles).report;
      const account = merged.org.accounts.find((a) => a.accountId === id)!;
      // The credit is binding here: two region credits would be twice one.
      expect(whole.totals.freeTierCreditUsd).toBeGreaterThan(0);
      const regionCredits = results.filter((r) => r.accountId === id).reduce((s, r) => s + r.report.totals.freeTierCreditUsd, 0);
      expect(regionCredits).toBeGreaterThan(whole.totals.freeTierCreditUsd * 1.01);
      close(account.totals!.freeTierCreditUsd, whole.totals.freeTierCreditUsd);
      close(account.totals!.standardUsd, whole.totals.standardUsd);
      close(account.totals!.recommendedUsd, whole.totals.recommendedUsd);
      close(account.totals!.savingsUsd, whole.totals.savingsUsd);
      expect(account.totals!.counts).toEqual(whole.totals.counts);
      const report = merged.accounts.find((r) => r.accountId === id)!;
      expect(report.functions.map((f) => `${f.region}/${f.name}`)).toEqual(whole.functions.map((f) => `${f.region}/${f.name}`));
      expect(report.capacityProviders.map((p) => p.name).sort()).toEqual(whole.capacityProviders.map((p) => p.name).sort());
      expect(account.complete).toBe(true);
    }
  });

  it('makes the org totals the sum of the accounts, and ranks opportunities across them', () => {
    const sum = (f: (t: NonNullable<(typeof merged.org.accounts)[number]['totals']>) => number) =>
      merged.org.accounts.reduce((s, a) => s + f(a.totals!), 0);
    expect(merged.org.totals.standardUsd).toBe(sum((t) => t.standardUsd));
    expect(merged.org.totals.savingsUsd).toBe(sum((t) => t.savingsUsd));
    expect(merged.org.totals.freeTierCreditUsd).toBe(sum((t) => t.freeTierCreditUsd));
    expect(merged.org.totals.counts.migrate).toBe(sum((t) => t.counts.migrate));
    const top = merged.org.topOpportunities;
    expect(top.length).toBeGreaterThan(0);
    expect(top[0]!.accountId).toBe('222222222222'); // three times the traffic
    for (let i = 1; i < top.length; i++) expect(top[i - 1]!.savingsUsd).toBeGreaterThanOrEqual(top[i]!.savingsUsd);
    expect(merged.org.run.complete).toBe(true);
    expect(merged.org.failures).toEqual([]);
  });

  it('keeps a single shard exactly as it is (the one-shard case)', () => {
    const profiles = accountProfiles(1).filter((p) => p.region === 'us-east-1');
    const single = parts('111111111111', profiles);
    const out = mergeShards({
      plan: planShards({ runId: 'r', accounts: [{ accountId: '111111111111', name: null }], regions: ['us-east-1'], currentAccountId: '111111111111', roleName: 'x' }),
      results: [compactShard({ accountId: '111111111111', region: 'us-east-1', roleArn: null }, single)],
      run,
    });
    expect(out.accounts[0]!.totals).toEqual(single.report.totals);
    expect(out.org.totals.savingsUsd).toBe(single.report.totals.savingsUsd);
  });

  it('names a shard without a result, keeps the others, and marks the run incomplete', () => {
    const missing = results.filter((r) => !(r.accountId === '333333333333' && r.region === 'eu-west-1'));
    const out = mergeShards({ plan, results: missing, failures: [{ accountId: '333333333333', region: 'eu-west-1', message: 'cannot assume arn:aws:iam::333333333333:role/lmi-advisor-reader: AccessDenied' }], run });
    expect(out.org.run.complete).toBe(false);
    expect(out.org.failures).toEqual([{ accountId: '333333333333', region: 'eu-west-1', message: 'cannot assume arn:aws:iam::333333333333:role/lmi-advisor-reader: AccessDenied' }]);
    const account = out.org.accounts.find((a) => a.accountId === '333333333333')!;
    expect(account.complete).toBe(false);
    expect(account.failedRegions).toEqual(['eu-west-1']);
    expect(account.regions).toEqual(['us-east-1']);
    expect(out.org.accounts.filter((a) => a.complete)).toHaveLength(2);
    // An item with neither a result nor a reported failure is still named.
    const silent = mergeShards({ plan, results: missing, run });
    expect(silent.org.failures[0]).toMatchObject({ accountId: '333333333333', region: 'eu-west-1', message: expect.stringContaining('no shard result') });
  });

  it('shows an account with no result at all as unknown, not $0', () => {
    const out = mergeShards({ plan, results: results.filter((r) => r.accountId !== '222222222222'), run });
    const account = out.org.accounts.find((a) => a.accountId === '222222222222')!;
    expect(account.totals).toBeNull();
    expect(out.org.failures.filter((f) => f.accountId === '222222222222')).toHaveLength(2);
  });

  it('lists migrate savings only across the org; review and unpriced functions are counted on the page, never summed', () => {
    // The top migrate function of one shard re-labelled `review` (a risk to accept), as the model would.
    const edited = structuredClone(results);
    const shard = edited.find((r) => r.report.functions.some((f) => f.recommendation === 'migrate' && (f.savingsUsd ?? 0) > 0))!;
    const target = shard.report.functions.find((f) => f.recommendation === 'migrate' && (f.savingsUsd ?? 0) > 0)!;
    target.recommendation = 'review';
    target.reviewRisks = ['throttling'];
    shard.report.totals.counts.migrate -= 1;
    shard.report.totals.counts.review += 1;
    shard.report.totals.unpricedFunctions += 2;
    const out = mergeShards({ plan, results: edited, run });
    expect(out.org.topOpportunities.length).toBeGreaterThan(0);
    expect(out.org.topOpportunities.every((o) => o.recommendation === 'migrate')).toBe(true);
    expect(out.org.topOpportunities.some((o) => o.accountId === shard.accountId && o.region === shard.region && o.name === target.name)).toBe(false);
    const md = renderOrgMarkdown(out.org);
    expect(md).toContain("1 function needs a person's review before any move (verdict `review`): their savings are not in the totals");
    expect(md).toContain('2 functions are left out of the money totals (cost unknown, or already on LMI)');
    expect(md).not.toContain(formatUsd(target.savingsUsd));
    const html = renderOrgHtml(out.org);
    expect(html).toContain('2 functions are left out of the money totals');
    // Nothing to say: no such line.
    expect(renderOrgMarkdown(merged.org)).not.toMatch(/review before any move|left out of the money totals/);
  });

  it('compacts shards: no charts cross the shard boundary', () => {
    expect(results.every((r) => r.report.functions.every((f) => f.chart === null))).toBe(true);
    expect(JSON.parse(JSON.stringify(results[0]))).toEqual(results[0]);
  });
});
