import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/analyze-command.js';
import { register as registerRun } from '../../src/cli/run-command.js';
import { startSlackReceiver } from '../publish/moto-account.js';
import { UserInputError } from '../../src/errors.js';
import type { OrgReportModel, ShardResult } from '../../src/org/types.js';
import type { ReportModel } from '../../src/report/types.js';
import { MOTO_CREDENTIALS, type MotoServer } from '../helpers/moto.js';
import { commandHarness } from '../cli/run-cli.js';
import { CURRENT_ACCOUNT, credentialsFor, type OrgMoto, seedAccountRegion, startOrgMoto, type StsGate } from './org-moto.js';

/**
 * `analyze --live --accounts`: plan -> shards -> merge in-process against moto with 3 accounts
 * x 2 regions (real SDK clients, member roles assumed through STS, endpoint from
 * AWS_ENDPOINT_URL). An STS gate in front of moto denies the roles a test names.
 */

const REGIONS = ['us-east-1', 'us-west-2'];
const MEMBERS = ['111111111111', '222222222222'];
const NOW = '2026-11-21T03:00:00Z';
const START = new Date('2026-11-19T00:00:00Z');

let fixture: OrgMoto | undefined;
let moto: MotoServer;
let gate: StsGate;
let dir: string;

function useEnv(endpoint: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = MOTO_CREDENTIALS) {
  vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', creds.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', creds.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', creds.sessionToken ?? '');
  vi.stubEnv('AWS_REGION', 'us-east-1');
}

beforeAll(async () => {
  fixture = await startOrgMoto('lmi-org-');
  ({ moto, gate, dir } = fixture);
  // Different traffic per account and region, so a mix-up between shards shows in the totals.
  const accounts = [CURRENT_ACCOUNT, ...MEMBERS, '333333333333'];
  for (const [a, accountId] of accounts.entries()) {
    for (const [r, region] of REGIONS.entries()) {
      await seedAccountRegion(
        moto,
        accountId,
        region,
        [
          { name: 'api', memoryMB: 2048, invocations: 20_000 * (a + 1), durationMs: 200, concurrency: 20 + 5 * r },
          { name: `small-${r}`, memoryMB: 512, invocations: 100 * (a + 1), durationMs: 50, concurrency: 1 },
        ],
        START,
        52,
      );
    }
  }
}, 240_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await fixture?.stop();
});

async function analyze(args: string[]) {
  const h = commandHarness(register);
  await h.program.parseAsync(
    ['analyze', '--live', '--regions', REGIONS.join(','), '--days', '1', '--now', NOW, '--config', join(dir, 'cfg.yaml'), ...args],
    { from: 'user' },
  );
  return h;
}

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

describe('analyze --live --accounts against moto', () => {
  it('reads every account x region as a shard and merges them; org totals = the sum of per-account runs', async () => {
    useEnv(gate.endpoint);
    gate.deny = [];
    const out = join(dir, 'org');
    const h = await analyze(['--accounts', [CURRENT_ACCOUNT, ...MEMBERS].join(','), '--concurrency', '3', '--out', out]);
    expect(h.context.exitCode).toBe(0);
    const org = await readJson<OrgReportModel>(join(out, 'report.json'));
    expect(org.schema).toBe('lmi-advisor.org-report/v1');
    expect(org.run.complete).toBe(true);
    // The reproduce line names the accounts read (figures depend on them), not the concurrency.
    expect(org.run.command).toContain(`--accounts ${[CURRENT_ACCOUNT, ...MEMBERS].join(',')} --role-name lmi-advisor-reader`);
    expect(org.run.command).toMatch(/^lmi-advisor analyze --live --regions \S+ --days \d+ --now \S+ --resolution \d+ /);
    expect(org.run.command).not.toContain('--concurrency');
    expect(org.accounts.map((a) => a.accountId)).toEqual([CURRENT_ACCOUNT, ...MEMBERS].sort());
    for (const a of org.accounts) {
      expect(a.regions).toEqual([...REGIONS].sort());
      expect(a.functions).toBe(4);
    }
    // Roles were assumed for the members only, with the default role name.
    expect([...new Set(gate.assumed)].sort()).toEqual(MEMBERS.map((id) => `arn:aws:iam::${id}:role/lmi-advisor-reader`));
    // Progress per shard on stderr.
    expect(h.err.join('')).toMatch(/\[6\/6\] \d{12}\/us-(east-1|west-2): 2 functions/);

    // Each account alone, through the single-account path with that account's credentials.
    let standard = 0;
    let savings = 0;
    for (const accountId of [CURRENT_ACCOUNT, ...MEMBERS]) {
      useEnv(moto.endpoint, await credentialsFor(moto.endpoint, accountId));
      const single = join(dir, `single-${accountId}`);
      const s = await analyze(['--out', single, '--format', 'json']);
      expect(s.context.exitCode).toBe(0);
      const report = await readJson<ReportModel>(join(single, 'report.json'));
      expect(report.accountId).toBe(accountId);
      const merged = org.accounts.find((a) => a.accountId === accountId)!;
      expect(merged.totals!.standardUsd).toBeCloseTo(report.totals.standardUsd, 9);
      expect(merged.totals!.recommendedUsd).toBeCloseTo(report.totals.recommendedUsd, 9);
      expect(merged.totals!.freeTierCreditUsd).toBeCloseTo(report.totals.freeTierCreditUsd, 9);
      expect(merged.totals!.counts).toEqual(report.totals.counts);
      // The per-account page holds the same functions.
      const page = await readJson<ReportModel>(join(out, `account-${accountId}.json`));
      expect(page.functions.map((f) => `${f.region}/${f.name}`)).toEqual(report.functions.map((f) => `${f.region}/${f.name}`));
      standard += report.totals.standardUsd;
      savings += report.totals.savingsUsd;
    }
    expect(org.totals.standardUsd).toBeCloseTo(standard, 9);
    expect(org.totals.savingsUsd).toBeCloseTo(savings, 9);
    expect(org.totals.standardUsd).toBeGreaterThan(0);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(['report.json', 'report.md', 'report.html', `account-${MEMBERS[0]}.html`]));
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`<a href="account-${MEMBERS[0]}.html">${MEMBERS[0]}</a>`);
  }, 240_000);

  it('--store: each shard collects into the store under its own account and region; a re-run reads only the day the store lacks', async () => {
    useEnv(gate.endpoint);
    gate.deny = [];
    const store = join(dir, 'store');
    const accounts = [CURRENT_ACCOUNT, ...MEMBERS];
    const shardResults = async (out: string) => {
      const runs = await readdir(join(out, 'shards'));
      expect(runs).toHaveLength(1);
      const folder = join(out, 'shards', runs[0]!, 'shards');
      return Promise.all((await readdir(folder)).map((name) => readJson<ShardResult>(join(folder, name))));
    };
    const first = join(dir, 'store-1');
    const h1 = await analyze(['--accounts', accounts.join(','), '--store', store, '--concurrency', '3', '--out', first, '--format', 'json']);
    expect(h1.context.exitCode).toBe(0);
    // Hive partitions by the account each shard read (the members' through their roles).
    const partitions = (await readdir(join(store, 'metrics'))).sort();
    expect(partitions).toEqual(accounts.map((id) => `account=${id}`).sort());
    for (const id of accounts) expect((await readdir(join(store, 'metrics', `account=${id}`))).sort()).toEqual(REGIONS.map((r) => `region=${r}`));
    const before = await shardResults(first);
    expect(before).toHaveLength(6);
    for (const r of before) {
      expect(r.store).toMatchObject({ daysKept: 0, daysRead: ['2026-11-21', '2026-11-20'], daysMissing: [] });
      expect(r.store!.getMetricDataCalls).toBeGreaterThan(0);
    }
    // The figures through the store equal the direct read (the first test's run of the same accounts and window).
    const org = await readJson<OrgReportModel>(join(first, 'report.json'));
    const direct = await readJson<OrgReportModel>(join(dir, 'org', 'report.json'));
    expect(org.totals.standardUsd).toBeCloseTo(direct.totals.standardUsd, 9);
    expect(org.totals.recommendedUsd).toBeCloseTo(direct.totals.recommendedUsd, 9);
    expect(org.totals.counts).toEqual(direct.totals.counts);
    expect(org.run.command).toContain(`--store ${store}`);

    // An hour later: 2026-11-20 is complete in the store, only the unsettled 2026-11-21 is read again.
    const second = join(dir, 'store-2');
    const h2 = commandHarness(register);
    await h2.program.parseAsync(
      ['analyze', '--live', '--regions', REGIONS.join(','), '--days', '1', '--now', '2026-11-21T04:00:00Z', '--config', join(dir, 'cfg.yaml'), '--accounts', accounts.join(','), '--store', store, '--out', second, '--format', 'json'],
      { from: 'user' },
    );
    expect(h2.context.exitCode).toBe(0);
    const after = await shardResults(second);
    expect(after.map((r) => `${r.accountId}/${r.region}`).sort()).toEqual(before.map((r) => `${r.accountId}/${r.region}`).sort());
    for (const r of after) {
      expect(r.store).toMatchObject({ daysKept: 1, daysRead: ['2026-11-21'], daysAdded: [], daysMissing: [] });
      const was = before.find((b) => b.accountId === r.accountId && b.region === r.region)!;
      expect(r.store!.getMetricDataCalls).toBeLessThan(was.store!.getMetricDataCalls);
      expect(r.report.functions).toHaveLength(2);
    }
    expect(h2.err.join('')).toMatch(/store: 1 days kept, read 2026-11-21/);
  }, 240_000);

  it('names an account whose role cannot be assumed, reports the others, exits 3', async () => {
    useEnv(gate.endpoint);
    gate.deny = ['333333333333'];
    const out = join(dir, 'denied');
    const h = await analyze(['--accounts', `${MEMBERS[0]},333333333333`, '--out', out, '--format', 'json,md']);
    expect(h.context.exitCode).toBe(3);
    const org = await readJson<OrgReportModel>(join(out, 'report.json'));
    expect(org.run.complete).toBe(false);
    expect(org.failures).toHaveLength(2);
    for (const f of org.failures) {
      expect(f.accountId).toBe('333333333333');
      expect(f.message).toMatch(/^cannot assume arn:aws:iam::333333333333:role\/lmi-advisor-reader: AccessDenied/);
    }
    const good = org.accounts.find((a) => a.accountId === MEMBERS[0])!;
    expect(good.complete).toBe(true);
    expect(good.functions).toBe(4);
    expect(org.accounts.find((a) => a.accountId === '333333333333')!.totals).toBeNull();
    expect(h.out.join('')).toContain('not read: 333333333333 us-east-1: cannot assume');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('Incomplete run');
    expect(md).toContain('333333333333 us-west-2: cannot assume');
  }, 240_000);

  it.each([
    [['--accounts', '12345'], '--accounts: "12345" is not a 12-digit AWS account id'],
    [['--accounts', '111111111111', '--org'], '--accounts and --org exclude each other'],
    [['--ou', 'ou-ab12-abcdefgh'], '--ou needs --org'],
    [['--org', '--ou', 'nonsense'], '--ou: "nonsense" is not an OU id'],
    [['--accounts', '111111111111', '--concurrency', '0'], '--concurrency: expected a whole number'],
  ])('rejects %j with one line naming the flag', async (args, message) => {
    const error = await analyze([...args, '--out', join(dir, 'never')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(message);
  });

  it('run --accounts --publish dir,slack: the org report and the org digest', async () => {
    useEnv(gate.endpoint);
    gate.deny = [];
    const slack = await startSlackReceiver();
    vi.stubEnv('SLACK_WEBHOOK_URL', slack.url);
    try {
      const out = join(dir, 'run-org');
      const h = commandHarness(registerRun);
      await h.program.parseAsync(
        ['run', '--regions', 'us-east-1', '--days', '1', '--now', NOW, '--config', join(dir, 'cfg.yaml'), '--accounts', MEMBERS.join(','), '--publish', 'dir,slack', '--out', out],
        { from: 'user' },
      );
      expect(h.context.exitCode).toBe(0);
      const org = await readJson<OrgReportModel>(join(out, 'report.json'));
      expect(org.accounts.map((a) => a.accountId)).toEqual(MEMBERS);
      expect(slack.received).toHaveLength(1);
      expect(JSON.stringify(slack.received[0]!.body)).toContain('LMI advisor: 2 accounts');
      expect(h.out.join('')).toContain('slack: ok');
    } finally {
      await slack.close();
    }
  }, 240_000);
});
