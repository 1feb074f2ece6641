import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerAnalyze } from '../../src/cli/analyze-command.js';
import { register as registerRecord } from '../../src/cli/record-command.js';
import { UserInputError } from '../../src/errors.js';
import type { OrgReportModel } from '../../src/org/types.js';
import type { ReportModel } from '../../src/report/types.js';
import { commandHarness } from '../cli/run-cli.js';
import { MOTO_CREDENTIALS, type MotoServer } from '../helpers/moto.js';
import { CURRENT_ACCOUNT, type OrgMoto, seedAccountRegion, startOrgMoto, type StsGate } from './org-moto.js';

/**
 * `record` with account options against moto: one snapshot per account (all its regions), each
 * account through its member role; a role that cannot be assumed is named and the others are
 * written (exit 3); `analyze --snapshot` of an account's snapshot gives the same totals as the
 * organization run gives that account.
 */

const REGIONS = ['us-east-1', 'us-west-2'];
const MEMBER = '111111111111';
const DENIED = '333333333333';
const NOW = '2026-11-21T03:00:00Z';

let fixture: OrgMoto | undefined;
let moto: MotoServer;
let gate: StsGate;
let dir: string;

beforeAll(async () => {
  fixture = await startOrgMoto('lmi-org-record-');
  ({ moto, gate, dir } = fixture);
  for (const [a, accountId] of [CURRENT_ACCOUNT, MEMBER, DENIED].entries()) {
    for (const [r, region] of REGIONS.entries()) {
      await seedAccountRegion(moto, accountId, region, [{ name: `api-${r}`, memoryMB: 2048, invocations: 20_000 * (a + 1), durationMs: 200, concurrency: 20 + r }], new Date('2026-11-19T00:00:00Z'), 52);
    }
  }
  vi.stubEnv('AWS_ENDPOINT_URL', gate.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_REGION', 'us-east-1');
}, 240_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await fixture?.stop();
});

const common = ['--regions', REGIONS.join(','), '--days', '1', '--now', NOW];

describe('record --accounts', () => {
  it('writes one snapshot per account with all its regions; a denied role is named, the others written, exit 3', async () => {
    gate.deny = [DENIED];
    const out = join(dir, 'snapshots');
    const h = commandHarness((p) => registerRecord(p));
    await h.program.parseAsync(['record', ...common, '--accounts', [CURRENT_ACCOUNT, MEMBER, DENIED].join(','), '--out', out], { from: 'user' });
    expect(h.context.exitCode).toBe(3);
    expect((await readdir(out)).sort()).toEqual([`account-${CURRENT_ACCOUNT}.ndjson.gz`, `account-${MEMBER}.ndjson.gz`].sort());
    for (const id of [CURRENT_ACCOUNT, MEMBER]) {
      const lines = gunzipSync(await readFile(join(out, `account-${id}.ndjson.gz`))).toString('utf8').trim().split('\n');
      const header = JSON.parse(lines[0]!) as { accountId: string; regions: string[] };
      expect(header.accountId).toBe(id);
      expect(header.regions).toEqual(REGIONS);
      expect(lines.slice(1).map((l) => (JSON.parse(l) as { name: string; region: string }).name).sort()).toEqual(['api-0', 'api-1']);
    }
    expect(h.err.join('')).toMatch(new RegExp(`account ${DENIED} FAILED: cannot assume arn:aws:iam::${DENIED}:role/lmi-advisor-reader: AccessDenied`));
    expect(h.out.join('')).toContain(`account-${MEMBER}.ndjson.gz: 2 functions`);
    gate.deny = [];

    // The member's snapshot analysed alone = the organization run's figures for that account.
    const single = join(dir, 'single');
    const a = commandHarness(registerAnalyze);
    await a.program.parseAsync(['analyze', '--snapshot', join(out, `account-${MEMBER}.ndjson.gz`), '--config', join(dir, 'cfg.yaml'), '--out', single, '--format', 'json'], { from: 'user' });
    const report = JSON.parse(await readFile(join(single, 'report.json'), 'utf8')) as ReportModel;
    const orgOut = join(dir, 'org');
    const o = commandHarness(registerAnalyze);
    await o.program.parseAsync(['analyze', '--live', ...common, '--config', join(dir, 'cfg.yaml'), '--accounts', MEMBER, '--out', orgOut, '--format', 'json'], { from: 'user' });
    const org = JSON.parse(await readFile(join(orgOut, 'report.json'), 'utf8')) as OrgReportModel;
    expect(report.totals.standardUsd).toBeGreaterThan(0);
    expect(org.accounts[0]!.totals!.standardUsd).toBeCloseTo(report.totals.standardUsd, 9);
    expect(org.accounts[0]!.totals!.freeTierCreditUsd).toBeCloseTo(report.totals.freeTierCreditUsd, 9);
    expect(org.accounts[0]!.totals!.counts).toEqual(report.totals.counts);
  }, 240_000);

  it.each([
    [['--accounts', MEMBER, '--out', 'x.ndjson.gz'], '--out: "x.ndjson.gz" is a snapshot file name; with account options give a directory'],
    [['--accounts', MEMBER, '--reconcile', '--out', 'never'], '--reconcile does not apply with account options'],
    [['--concurrency', '2', '--out', 'x.ndjson'], '--concurrency applies only with --accounts'],
    [['--accounts', '12345', '--out', 'never'], '--accounts: "12345" is not a 12-digit AWS account id'],
  ])('rejects %j with one line naming the flag', async (args, message) => {
    const h = commandHarness((p) => registerRecord(p));
    const error = await h.program.parseAsync(['record', ...common, ...args.map((x) => (x === 'never' ? join(dir, 'never') : x))], { from: 'user' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(message);
    await expect(readdir(join(dir, 'never'))).rejects.toThrow();
  });
});
