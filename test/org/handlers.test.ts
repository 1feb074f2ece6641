import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { sentEmails, startSlackReceiver } from '../publish/moto-account.js';
import { STSClient } from '@aws-sdk/client-sts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMergeHandler, createPlanHandler, createShardHandler, type PlanOutput } from '../../src/org/handlers.js';
import { OrganizationError } from '../../src/org/org-accounts.js';
import type { OrgReportModel, ShardItem } from '../../src/org/types.js';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../helpers/moto.js';
import { CURRENT_ACCOUNT, credentialsFor, mockPrices, seedAccountRegion, startStsGate, type StsGate } from './org-moto.js';

/**
 * The Lambda path of an org run against moto: Organizations lists the accounts (one closed, so
 * SUSPENDED), the plan handler writes the items to S3, the shard handler runs once per item (as
 * the Distributed Map would), the merge handler publishes the org report to S3.
 */

const NOW = '2026-11-21T03:00:00Z';
const BUCKET = 'reports';
let moto: MotoServer;
let gate: StsGate;
let pricing: { restore(): void };
let s3: S3Client;
let member = '';
let closed = '';
let root = '';

const quiet = () => ({ logger: new Logger({ serviceName: 't', logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'T', serviceName: 't' }) });

beforeAll(async () => {
  moto = await startMoto();
  gate = await startStsGate(moto.endpoint);
  pricing = mockPrices();
  const c = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
  s3 = new S3Client({ ...c, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const org = new OrganizationsClient(c);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  member = (await org.send(new CreateAccountCommand({ AccountName: 'team-a', Email: 'a@example.com' }))).CreateAccountStatus!.AccountId!;
  closed = (await org.send(new CreateAccountCommand({ AccountName: 'old', Email: 'old@example.com' }))).CreateAccountStatus!.AccountId!;
  await org.send(new CloseAccountCommand({ AccountId: closed }));
  const fns = (n: number) => [{ name: 'api', memoryMB: 2048, invocations: 20_000 * n, durationMs: 200, concurrency: 20 }];
  await seedAccountRegion(moto, CURRENT_ACCOUNT, 'us-east-1', fns(1), new Date('2026-11-19T00:00:00Z'), 52);
  await seedAccountRegion(moto, member, 'us-east-1', fns(2), new Date('2026-11-19T00:00:00Z'), 52);
  await seedAccountRegion(moto, closed, 'us-east-1', fns(3), new Date('2026-11-19T00:00:00Z'), 52);
}, 240_000);

afterAll(async () => {
  pricing?.restore();
  await gate?.close();
  await moto?.stop();
});

function deps(env: Record<string, string>, endpoint = moto.endpoint) {
  const c = { region: 'us-east-1', endpoint, credentials: MOTO_CREDENTIALS };
  return {
    env: {
      AWS_REGION: 'us-east-1',
      REPORT_BUCKET: BUCKET,
      LMI_REGIONS: 'us-east-1',
      LMI_DAYS: '1',
      LMI_CONFIG_JSON: '{"recommend":{"minWindowDays":1}}',
      ...env,
    },
    s3,
    sts: new STSClient(c),
    organizations: new OrganizationsClient(c),
    base: { endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 },
    ...quiet(),
  };
}

async function text(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToString('utf-8');
}

/** Plan, every shard (errors kept, as the Map tolerates them), merge. */
async function runAll(d: ReturnType<typeof deps>) {
  const plan: PlanOutput = await createPlanHandler(d)({ time: NOW });
  const items = JSON.parse(await text(plan.itemsKey)) as ShardItem[];
  const shard = createShardHandler(d);
  const errors: string[] = [];
  for (const item of items) {
    await shard({ item, runId: plan.runId, bucket: plan.bucket, prefix: plan.prefix, generatedAt: plan.generatedAt }).catch((e: Error) => errors.push(e.message));
  }
  const merged = await createMergeHandler(d)({ plan });
  return { plan, items, errors, merged };
}

describe('org Lambdas against moto', () => {
  it('--org: lists ACTIVE accounts, skips the suspended one, publishes one org report', async () => {
    const { plan, items, errors, merged } = await runAll(deps({ LMI_ORG_SOURCE: 'organization' }));
    expect(plan.shards).toBe(2);
    expect(items.map((i) => i.accountId).sort()).toEqual([CURRENT_ACCOUNT, member].sort());
    // The management account is read with its own credentials, the member through its role.
    expect(items.find((i) => i.accountId === CURRENT_ACCOUNT)!.roleArn).toBeNull();
    expect(items.find((i) => i.accountId === member)!.roleArn).toBe(`arn:aws:iam::${member}:role/lmi-advisor-reader`);
    expect(errors).toEqual([]);
    expect(merged).toMatchObject({ complete: true, failedShards: 0 });
    const org = JSON.parse(await text('reports/latest/report.json')) as OrgReportModel;
    expect(org.accounts.map((a) => a.accountId).sort()).toEqual([CURRENT_ACCOUNT, member].sort());
    expect(org.accounts.find((a) => a.accountId === member)!.name).toBe('team-a');
    expect(org.skippedAccounts).toEqual([{ accountId: closed, name: 'old', state: 'SUSPENDED' }]);
    // Per-account pages beside the org page; the shard results under the run's prefix.
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents!.map((o) => o.Key!);
    expect(keys).toContain(`reports/latest/account-${member}.html`);
    expect(keys).toContain(`${plan.prefix}shards/${member}-us-east-1.json`);
    // Each shard collected into the metric store (default: the reports bucket under store/),
    // partitioned by the account its credentials read (the member's through its role).
    for (const id of [CURRENT_ACCOUNT, member]) {
      expect(keys.some((k) => k.startsWith(`store/metrics/account=${id}/region=us-east-1/date=2026-11-20/`))).toBe(true);
    }
    const shardResult = JSON.parse(await text(`${plan.prefix}shards/${member}-us-east-1.json`)) as { store?: { daysRead: string[] } };
    expect(shardResult.store?.daysRead).toEqual(['2026-11-21', '2026-11-20']);
    const memberTotals = org.accounts.find((a) => a.accountId === member)!.totals!;
    const mgmtTotals = org.accounts.find((a) => a.accountId === CURRENT_ACCOUNT)!.totals!;
    expect(org.totals.standardUsd).toBe(memberTotals.standardUsd + mgmtTotals.standardUsd);
    expect(memberTotals.standardUsd).toBeGreaterThan(mgmtTotals.standardUsd);
  }, 120_000);

  it('a role that cannot be assumed: that shard fails and is named, the others publish, run incomplete', async () => {
    gate.deny = ['333333333333'];
    const d = deps({ LMI_ORG_SOURCE: 'accounts', LMI_ORG_ACCOUNTS: `${member},333333333333` }, gate.endpoint);
    const { errors, merged, plan } = await runAll(d);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^account 333333333333: cannot assume arn:aws:iam::333333333333:role\/lmi-advisor-reader: AccessDenied/);
    expect(merged).toMatchObject({ complete: false, failedShards: 1 });
    const org = JSON.parse(await text(`reports/${plan.generatedAt.slice(0, 10)}/report.json`)) as OrgReportModel;
    expect(org.failures).toEqual([{ accountId: '333333333333', region: 'us-east-1', message: expect.stringMatching(/^cannot assume arn:aws:iam::333333333333:role\/lmi-advisor-reader: AccessDenied/) }]);
    expect(org.accounts.find((a) => a.accountId === member)!.complete).toBe(true);
    gate.deny = [];
  }, 120_000);

  it('an OU that is not there is named; the OUs that are there are still read', async () => {
    const { merged, plan } = await runAll(deps({ LMI_ORG_SOURCE: 'organization', LMI_ORG_OUS: `ou-zzzz-zzzzzzzz,${root}` }));
    expect(plan.shards).toBe(2);
    expect(merged.complete).toBe(false);
    const org = JSON.parse(await text(`reports/${plan.generatedAt.slice(0, 10)}/report.json`)) as OrgReportModel;
    expect(org.failures).toHaveLength(1);
    expect(org.failures[0]!.message).toMatch(/^--ou ou-zzzz-zzzzzzzz: no such organizational unit/);
  }, 120_000);

  it('the merge sends the org digest to Slack and email, with a delivery state per channel', async () => {
    const slack = await startSlackReceiver();
    try {
      const c = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
      const ses = new SESv2Client(c);
      const ssm = new SSMClient(c);
      await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'finops@example.com' }));
      await ssm.send(new PutParameterCommand({ Name: '/lmi/org-webhook', Type: 'SecureString', Value: slack.url, Overwrite: true }));
      const d = {
        ...deps({ LMI_ORG_SOURCE: 'accounts', LMI_ORG_ACCOUNTS: member, REPORT_PREFIX: 'digest/', LMI_PUBLISH: 's3,slack,email', SLACK_WEBHOOK_PARAMETER: '/lmi/org-webhook', EMAIL_FROM: 'finops@example.com', EMAIL_TO: 'team@example.com' }),
        ses,
        ssm,
        slackRetry: { attempts: 1, sleep: async () => {} },
      };
      const mailsBefore = await sentEmails(moto);
      const first = await runAll(d);
      expect(first.merged.digests.map((x) => [x.channel, x.ok])).toEqual([['slack', true], ['email', true]]);
      expect(slack.received).toHaveLength(1);
      expect(JSON.stringify(slack.received[0]!.body)).toContain('LMI advisor: 1 accounts');
      expect(await sentEmails(moto)).toBe(mailsBefore + 1);
      const stateOf = async (channel: string) => (JSON.parse(await text(`digest/org/state/delivered-${channel}.json`)) as { report: { run: { generatedAt: string } } }).report.run.generatedAt;
      expect(await stateOf('slack')).toBe('2026-11-21T03:00:00.000Z');
      expect(await stateOf('email')).toBe('2026-11-21T03:00:00.000Z');

      // Next night Slack fails: S3 and email still go out; Slack's state stays on the run it last got.
      slack.status = 500;
      const plan2: PlanOutput = await createPlanHandler(d)({ time: '2026-11-22T03:00:00Z' });
      const shard = createShardHandler(d);
      for (const item of JSON.parse(await text(plan2.itemsKey)) as ShardItem[]) await shard({ item, runId: plan2.runId, bucket: plan2.bucket, prefix: plan2.prefix, generatedAt: plan2.generatedAt });
      const second = await createMergeHandler(d)({ plan: plan2 });
      expect(second.digests.map((x) => [x.channel, x.ok])).toEqual([['slack', false], ['email', true]]);
      // The webhook URL (a secret) never appears in what the merge returns or logs.
      expect(JSON.stringify(second.digests)).not.toContain('s3cr3tT0k3n');
      expect(await stateOf('slack')).toBe('2026-11-21T03:00:00.000Z');
      expect(await stateOf('email')).toBe('2026-11-22T03:00:00.000Z');
      expect((JSON.parse(await text('digest/latest/report.json')) as OrgReportModel).run.generatedAt).toBe('2026-11-22T03:00:00.000Z');
    } finally {
      await slack.close();
    }
  }, 240_000);

  it('--org from an account outside the organization: one line naming the account', async () => {
    const other = await credentialsFor(moto.endpoint, '999999999999');
    const c = { region: 'us-east-1', endpoint: moto.endpoint, credentials: other };
    const d = { ...deps({ LMI_ORG_SOURCE: 'organization' }), sts: new STSClient(c), organizations: new OrganizationsClient(c) };
    const error = await createPlanHandler(d)({ time: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrganizationError);
    expect((error as Error).message).toMatch(/^--org: account 999999999999 /);
  });
});
