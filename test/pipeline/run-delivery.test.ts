import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { runPipeline, type RunResult, type SourceFn } from '../../src/pipeline/run.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import type { Channel, PublishTargets } from '../../src/publish/index.js';
import type { SlackMessage } from '../../src/render/slack.js';
import type { ReportModel } from '../../src/report/types.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import {
  BUCKET,
  createBucketAndIdentities,
  getText,
  listKeys,
  motoClients,
  SENDER,
  startSlackReceiver,
  type MotoClients,
  type SlackReceiver,
} from '../publish/moto-account.js';

/**
 * A change reaches a digest channel even when that channel failed the night it happened (issue 8,
 * item 8): runPipeline with an in-memory source, the real SDK against moto_server for S3 (reports
 * and delivery state) and SES, and a real node:http Slack receiver.
 */

const DAY = (n: number) => new Date(`2026-11-${String(20 + n).padStart(2, '0')}T03:00:00Z`);

function profile(name: string): FunctionProfile {
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
      invocations: Array.from({ length: 24 }, () => 10_000),
      durationMsSum: Array.from({ length: 24 }, () => 10_000 * 120),
      concurrencyMax: Array.from({ length: 24 }, () => 5),
    },
  };
}

function source(names: string[], failedRegions: string[] = []): SourceFn {
  return async ({ now }) => {
    const end = now.toISOString();
    const start = new Date(now.getTime() - 86_400_000).toISOString();
    const header: SnapshotHeader = { schema: 'lmi-advisor.snapshot/v1', capturedAt: end, accountId: '123456789012', window: { start, end, periodSeconds: 3600 } };
    return { header, profiles: names.map(profile), priceBook: loadBundledPriceBook(), warnings: [], failedRegions };
  };
}

let moto: MotoServer;
let clients: MotoClients;
let slack: SlackReceiver;
let mails: SendEmailCommandInput[];
let waits: number[];
let dir: string;

beforeAll(async () => {
  moto = await startMoto();
  slack = await startSlackReceiver();
});
afterAll(async () => {
  await slack?.close();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  clients = motoClients(moto);
  await createBucketAndIdentities(clients, slack.url);
  mails = [];
  clients.ses.middlewareStack.add(
    (next) => async (args) => {
      mails.push(args.input as SendEmailCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'captureMail' },
  );
  slack.received.length = 0;
  slack.status = 200;
  slack.script = [];
  slack.failHeaders = {};
  waits = [];
  dir = await mkdtemp(join(tmpdir(), 'lmi-delivery-'));
  return async () => rm(dir, { recursive: true, force: true });
});

function targets(opts: { emailFrom?: string } = {}): PublishTargets {
  return {
    s3: { client: clients.s3, bucket: BUCKET, prefix: 'reports/', region: 'us-east-1' },
    dir: { outDir: dir },
    slack: { webhookUrl: async () => slack.url, retry: { sleep: async (ms) => void waits.push(ms) } },
    email: { client: clients.ses, from: opts.emailFrom ?? SENDER, to: ['team@example.com'] },
  };
}

async function night(n: number, names: string[], channels: Channel[], opts: { emailFrom?: string; failedRegions?: string[] } = {}): Promise<RunResult> {
  slack.received.length = 0;
  mails.length = 0;
  return runPipeline({
    regions: ['us-east-1'], days: 1, now: DAY(n), config: defaultConfig(), source: source(names, opts.failedRegions), channels, targets: targets(opts),
  });
}

function slackText(): string {
  const last = slack.received.at(-1);
  if (!last) return '';
  return JSON.stringify((last.body as SlackMessage).blocks);
}

function mailText(): string {
  return mails.at(-1)?.Content?.Simple?.Body?.Text?.Data ?? '';
}

const NEW = 'New: `us-east-1/another-new-fn`';

describe('a change reaches each digest channel on its next successful delivery', () => {
  it('Slack fails with 500 the night a function appears; the next post still says "New" since the last post', async () => {
    // Prepare: night 1 is delivered everywhere
    const first = await night(1, ['a', 'b'], ['s3', 'slack', 'email']);
    expect(first.exitCode).toBe(0);
    expect(slackText()).toContain('First run');
    // Act: night 2 carries the new function, but Slack answers 500 to every attempt and SES
    // rejects the (unverified) sender
    slack.status = 500;
    const second = await night(2, ['a', 'b', 'another-new-fn'], ['s3', 'slack', 'email'], { emailFrom: 'unverified@example.com' });
    // Assess: both digest channels failed, latest/ moved on anyway
    expect(second.exitCode).toBe(1);
    expect(second.publish.results.map((r) => [r.channel, r.ok])).toEqual([['s3', true], ['slack', false], ['email', false]]);
    expect(slack.received).toHaveLength(3);
    expect(slackText()).toContain(NEW);
    const latest2 = JSON.parse(await getText(clients, 'reports/latest/report.json')) as ReportModel;
    expect(latest2.changes?.newFunctions).toEqual(['us-east-1/another-new-fn']);

    // Act: night 3, nothing new since night 2, every channel answers
    slack.status = 200;
    const third = await night(3, ['a', 'b', 'another-new-fn'], ['s3', 'slack', 'email']);

    // Assess: the report diffs against latest/ (night 2): nothing new there...
    expect(third.exitCode).toBe(0);
    expect(third.model.changes?.newFunctions).toEqual([]);
    // ...but Slack and email last received night 1, so their digests carry the change
    expect(slack.received).toHaveLength(1);
    expect(slackText()).toContain(NEW);
    expect(slackText()).toContain('since 2026-11-21');
    expect(mailText()).toContain('New: us-east-1/another-new-fn');
    expect(mailText()).toContain('since 2026-11-21');
    // and their state now points at night 3
    for (const channel of ['slack', 'email']) {
      const state = JSON.parse(await getText(clients, `reports/state/delivered-${channel}.json`)) as { schema: string; report: { run: { generatedAt: string } } };
      expect(state.schema).toBe('lmi-advisor.delivery/v1');
      expect(state.report.run.generatedAt).toBe(DAY(3).toISOString());
    }

    // Act: night 4, nothing new: the digests say so (the change is not repeated forever)
    const fourth = await night(4, ['a', 'b', 'another-new-fn'], ['s3', 'slack', 'email']);
    expect(fourth.exitCode).toBe(0);
    expect(slackText()).not.toContain('another-new-fn');
    expect(slackText()).toContain('since 2026-11-23');
  });

  it('retries a 429 after its Retry-After and records the delivery', async () => {
    // Prepare
    await night(1, ['a'], ['s3', 'slack']);
    slack.script = [429];
    slack.failHeaders = { 'retry-after': '2' };
    // Act
    const second = await night(2, ['a', 'another-new-fn'], ['s3', 'slack']);
    // Assess
    expect(second.exitCode).toBe(0);
    expect(slack.received).toHaveLength(2);
    expect(waits).toEqual([2000]);
    expect(slackText()).toContain(NEW);
    const state = JSON.parse(await getText(clients, 'reports/state/delivered-slack.json')) as { report: { run: { generatedAt: string } } };
    expect(state.report.run.generatedAt).toBe(DAY(2).toISOString());
  });

  it('a channel that fails before it ever had a state keeps the report its digest was compared with', async () => {
    // Prepare: night 1 published to S3 only (Slack added later)
    await night(1, ['a'], ['s3']);
    expect(await listKeys(clients)).not.toContain('reports/state/delivered-slack.json');
    // Act: night 2 adds Slack, which fails; night 3 succeeds
    slack.status = 503;
    await night(2, ['a', 'another-new-fn'], ['s3', 'slack']);
    slack.status = 200;
    await night(3, ['a', 'another-new-fn'], ['s3', 'slack']);
    // Assess
    expect(slackText()).toContain(NEW);
    expect(slackText()).toContain('since 2026-11-21');
  });

  it('an incomplete run does not become a channel baseline, like latest/', async () => {
    // Prepare
    await night(1, ['a'], ['s3', 'slack']);
    // Act: night 2 is incomplete (a region failed) but delivered
    const second = await night(2, ['a', 'another-new-fn'], ['s3', 'slack'], { failedRegions: ['eu-west-1'] });
    expect(second.exitCode).toBe(3);
    expect(slackText()).toContain(NEW);
    const third = await night(3, ['a', 'another-new-fn'], ['s3', 'slack']);
    // Assess: night 3 compares with night 1 again, for the report and the digest alike
    expect(third.model.changes?.previousGeneratedAt).toBe(DAY(1).toISOString());
    expect(slackText()).toContain(NEW);
  });

  it('without S3 the state lives in the reports directory, and the same holds', async () => {
    // Prepare
    await night(1, ['a'], ['dir', 'slack']);
    slack.status = 500;
    await night(2, ['a', 'another-new-fn'], ['dir', 'slack']);
    slack.status = 200;
    // Act
    await night(3, ['a', 'another-new-fn'], ['dir', 'slack']);
    // Assess
    expect(slackText()).toContain(NEW);
    expect(await readdir(join(dir, '.lmi-advisor-state'))).toEqual(['delivered-slack.json']);
    const state = JSON.parse(await readFile(join(dir, '.lmi-advisor-state', 'delivered-slack.json'), 'utf8')) as { report: { run: { generatedAt: string } } };
    expect(state.report.run.generatedAt).toBe(DAY(3).toISOString());
    expect(await listKeys(clients)).toEqual([]);
  });

  it('an unreadable state is a warning, and the digest falls back to the change since the last report', async () => {
    // Prepare
    await night(1, ['a'], ['s3', 'slack']);
    await clients.s3.send(
      new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: BUCKET, Key: 'reports/state/delivered-slack.json', Body: '{"schema":"lmi-advisor.delivery/v1","channel":"email"}' }),
    );
    // Act
    const second = await night(2, ['a', 'another-new-fn'], ['s3', 'slack']);
    // Assess
    expect(second.exitCode).toBe(0);
    expect(second.model.warnings).toContainEqual({
      code: 'delivery-state-unreadable',
      message: `s3://${BUCKET}/reports/state/delivered-slack.json: channel is not slack; the slack digest shows the change since the last report instead`,
    });
    expect(slackText()).toContain(NEW);
    const state = JSON.parse(await getText(clients, 'reports/state/delivered-slack.json')) as { channel: string };
    expect(state.channel).toBe('slack');
  });
});
