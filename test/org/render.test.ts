import { describe, expect, it } from 'vitest';
import { renderOrgEmailDigest, renderOrgSlackDigest } from '../../src/org/digest.js';
import { mergeShards } from '../../src/org/merge.js';
import { planShards } from '../../src/org/plan.js';
import { orgReportFiles, renderOrgHtml, renderOrgMarkdown } from '../../src/org/render.js';
import { compactShard } from '../../src/org/shard.js';
import { buildReportParts } from '../../src/model/build-report.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import { makeWindow, RUN, steadyProfile, testConfig, testPriceBook } from '../model/helpers.js';

/** The org renderings: one page per account linked from the org page, failures shown, names escaped. */

const window = makeWindow(24 * 7, 60);
const book = testPriceBook();
const config = testConfig();

function shard(accountId: string, region: string, concurrency: number) {
  const p = steadyProfile(window, { name: `api-<b>${accountId.slice(0, 1)}`, region, invocations: Math.round((concurrency / 0.2) * 3600 * 24 * 7), durationMs: 200, memoryMB: 2048, concurrencyMax: concurrency });
  p.cpuSecondsPerInvocation = 0.01;
  const s = summarizeFunction(p, { window, prices: book.regions[region], config });
  return compactShard({ accountId, region, roleArn: null }, buildReportParts({ accountId, window, summaries: [s], priceBook: book, config, assumptions: [], run: RUN, warnings: [] }));
}

const plan = planShards({
  runId: 'r',
  accounts: [
    { accountId: '111111111111', name: 'Team <script>alert(1)</script>' },
    { accountId: '222222222222', name: null },
  ],
  regions: ['us-east-1', 'eu-west-1'],
  currentAccountId: null,
  roleName: 'r',
});
const merged = mergeShards({
  plan,
  results: [shard('111111111111', 'us-east-1', 100), shard('111111111111', 'eu-west-1', 50), shard('222222222222', 'us-east-1', 80)],
  failures: [{ accountId: '222222222222', region: 'eu-west-1', message: 'cannot assume arn:aws:iam::222222222222:role/r: AccessDenied' }],
  run: { tool: 'lmi-advisor', version: 'test', generatedAt: '2026-11-22T00:00:00Z', command: 'test' },
});

describe('org renderings', () => {
  it('writes the org set and one set per account, linked from the org page', () => {
    const files = orgReportFiles(merged);
    expect(files.map((f) => f.name)).toEqual([
      'report.json',
      'report.md',
      'report.html',
      'account-111111111111.json',
      'account-111111111111.md',
      'account-111111111111.html',
      'account-222222222222.json',
      'account-222222222222.md',
      'account-222222222222.html',
    ]);
    const json = JSON.parse(files[0]!.content) as { accounts: { accountId: string; files?: string[] }[] };
    expect(json.accounts[0]!.files).toEqual(['account-111111111111.json', 'account-111111111111.md', 'account-111111111111.html']);
    const html = renderOrgHtml(merged.org);
    expect(html).toContain('<a href="account-111111111111.html">111111111111</a>');
    expect(html).toContain('222222222222 eu-west-1: cannot assume');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Incomplete run');
    const md = renderOrgMarkdown(merged.org);
    expect(md).toContain('[111111111111](account-111111111111.md)');
    expect(md).toContain('Team \\<script\\>alert(1)\\</script\\>');
    expect(md).toContain('## Capacity-provider plans (per account)');
    expect(md).toContain('### 111111111111');
  });

  it('sends digests with the org totals, the top accounts and what was not read', () => {
    const slack = renderOrgSlackDigest(merged.org, { reportUrl: 'https://example.com/r.html' });
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    const text = JSON.stringify(slack.blocks);
    expect(text).toContain('Not read');
    expect(text).toContain('222222222222 eu-west-1');
    expect(text).toContain('https://example.com/r.html');
    expect(slack.text).toContain('across 2 accounts (incomplete)');
    const email = renderOrgEmailDigest(merged.org, { reportUrl: 'javascript:alert(1)' });
    expect(email.subject).toMatch(/across 2 accounts \[incomplete\]$/);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('javascript:');
    expect(email.text).toContain('Team <script>alert(1)</script>');
  });
});
