import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { AwsStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler, NightlyRunError, type HandlerResult } from '../src/handler.js';
import type { SlackBlock, SlackMessage } from '../src/render/slack.js';
import type { ReportModel } from '../src/report/types.js';
import { startMoto, type MotoServer } from './helpers/moto.js';
import {
  BUCKET,
  collectorClients,
  createBucketAndIdentities,
  createFunction,
  getText,
  listKeys,
  mockPriceListApi,
  motoClients,
  putTraffic,
  resetRole,
  SENDER,
  sentEmails,
  startSlackReceiver,
  WEBHOOK_PARAMETER,
  type MotoClients,
  type SlackReceiver,
} from './publish/moto-account.js';

/**
 * The nightly handler end to end with the real SDK against moto_server (Lambda, CloudWatch,
 * S3, SES v2, SSM), the Price List API mocked in-process, and a local Slack receiver.
 */

const HOSTILE = '<b>*x*_y_&';
const DAY1 = '2026-11-21T03:00:00Z';
const DAY2 = '2026-11-22T03:00:00Z';
/**
 * One-day windows keep moto's GetMetricData quick, so the config lowers minWindowDays; the
 * functions are said to be mostly waiting, so the busy ones come out as LMI opportunities.
 */
const CONFIG_JSON = JSON.stringify({ recommend: { minWindowDays: 1, minInvocations: 10 }, lmi: { cpuBusyFraction: 0.05 } });

let moto: MotoServer;
let clients: MotoClients;
let slack: SlackReceiver;
let pricing: AwsStub<any, any, any>;
let logLines: string[];
let slackWaits: number[] = [];

function capturedLogger(): Logger {
  // The test env silences Powertools; this logger must print so its output can be checked.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  const logger = new Logger({ serviceName: 'lmi-advisor-test' });
  // The logger's Console writes info to stdout and errors to stderr.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    });
  }
  return logger;
}

function handlerFor(env: Record<string, string>) {
  return createHandler({
    env: {
      AWS_REGION: 'us-east-1',
      LMI_REGIONS: 'us-east-1',
      LMI_DAYS: '1',
      LMI_PUBLISH: 's3,slack,email',
      REPORT_BUCKET: BUCKET,
      SLACK_WEBHOOK_PARAMETER: WEBHOOK_PARAMETER,
      EMAIL_FROM: SENDER,
      EMAIL_TO: 'team@example.com,lead@example.com',
      LMI_CONFIG_JSON: CONFIG_JSON,
      ...env,
    },
    clients: collectorClients(clients),
    s3: clients.s3,
    ses: clients.ses,
    ssm: clients.ssm,
    logger: capturedLogger(),
    metrics: new Metrics({ namespace: 'LmiAdvisorTest' }),
    // Slack's back-off is waited for in test/publish/slack.test.ts; here it is recorded.
    slackRetry: { sleep: async (ms: number) => void slackWaits.push(ms) },
  });
}

const context = { getRemainingTimeInMillis: () => 600_000, awsRequestId: 'req-1', functionName: 'lmi-advisor-test-nightly' };

function blockTexts(message: SlackMessage): string {
  return message.blocks
    .flatMap((b: SlackBlock) => {
      if (b.type === 'section') return [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)];
      if (b.type === 'context') return b.elements.map((e) => e.text);
      if (b.type === 'header') return [b.text.text];
      if (b.type === 'actions') return b.elements.map((e) => `${e.text.text} ${e.url}`);
      return [];
    })
    .join('\n');
}

beforeAll(async () => {
  moto = await startMoto();
  slack = await startSlackReceiver();
  pricing = mockPriceListApi();
});

afterAll(async () => {
  pricing?.restore();
  await slack?.close();
  await moto?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function freshAccount(): Promise<void> {
  await moto.reset();
  resetRole();
  clients = motoClients(moto);
  slack.received.length = 0;
  slack.status = 200;
  slack.script = [];
  slack.failHeaders = {};
  slackWaits = [];
  logLines = [];
  await createBucketAndIdentities(clients, slack.url);
  // Busy, mostly waiting API (cheap on LMI), a hostile name, and one nearly idle function.
  await createFunction(clients, 'orders-api', 2048);
  await createFunction(clients, HOSTILE, 2048);
  await createFunction(clients, 'cron-job', 512);
  const start = new Date('2026-11-20T00:00:00Z');
  await putTraffic(clients, 'orders-api', start, 52, { invocations: 60_000, durationMs: 400, concurrency: 90 });
  await putTraffic(clients, HOSTILE, start, 52, { invocations: 30_000, durationMs: 300, concurrency: 40 });
  await putTraffic(clients, 'cron-job', start, 52, { invocations: 1, durationMs: 50, concurrency: 1 });
}

describe('nightly handler against moto', () => {
  it('publishes dated and latest reports, sends the email and posts the Slack digest; a second run shows the change', async () => {
    // Prepare
    await freshAccount();
    const sentBefore = await sentEmails(moto);
    const mails: SendEmailCommandInput[] = [];
    clients.ses.middlewareStack.add(
      (next) => async (args) => {
        mails.push(args.input as SendEmailCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'captureMail' },
    );

    // Act: first night
    const first: HandlerResult = await handlerFor({})({ time: DAY1 }, context);

    // Assess: S3 holds the dated set and latest
    expect(first.exitCode).toBe(0);
    expect(first.complete).toBe(true);
    const keys = await listKeys(clients);
    expect(keys).toEqual(expect.arrayContaining(['reports/2026-11-21/report.json', 'reports/latest/report.json']));
    const formats = keys.filter((k) => k.startsWith('reports/2026-11-21/')).map((k) => k.slice('reports/2026-11-21/'.length));
    expect(keys.filter((k) => k.startsWith('reports/latest/')).map((k) => k.slice('reports/latest/'.length)).sort()).toEqual(formats.sort());
    // The metric store (default: the reports bucket under store/) holds the days read, status last.
    const storePrefix = 'store/metrics/account=123456789012/region=us-east-1/';
    expect(keys).toEqual(expect.arrayContaining([`${storePrefix}date=2026-11-20/_status.json`, `${storePrefix}date=2026-11-21/_status.json`]));
    const status20 = JSON.parse(await getText(clients, `${storePrefix}date=2026-11-20/_status.json`)) as { state: string; functions: number };
    expect(status20).toMatchObject({ state: 'complete', functions: 3 });
    expect(JSON.parse(await getText(clients, `${storePrefix}date=2026-11-21/_status.json`))).toMatchObject({ state: 'unsettled' });
    expect(keys.filter((k) => k.startsWith('store/functions/')).length).toBe(2);
    // Its progress is logged: one line per day read, then the totals.
    const storeLines = logLines.filter((l) => /"message":"store (progress|read finished)"/.test(l)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(storeLines.map((l) => l['daysDone'])).toEqual([0, 1, 2, 2]);
    expect(storeLines.at(-1)).toMatchObject({ message: 'store read finished', daysToRead: 2, throttles: 0, final: true });
    const dated = JSON.parse(await getText(clients, 'reports/2026-11-21/report.json')) as ReportModel;
    expect(dated.accountId).toBe('123456789012');
    expect(dated.functions.map((f) => f.name).sort()).toEqual([HOSTILE, 'cron-job', 'orders-api'].sort());
    expect(dated.changes).toBeUndefined();
    expect(await getText(clients, 'reports/latest/report.json')).toBe(await getText(clients, 'reports/2026-11-21/report.json'));

    // SES sent the mail (moto counts one per recipient), HTML and text, names escaped
    expect((await sentEmails(moto)) - sentBefore).toBe(2);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.Destination?.ToAddresses).toEqual(['team@example.com', 'lead@example.com']);
    const html = mails[0]?.Content?.Simple?.Body?.Html?.Data ?? '';
    expect(html).toContain('&lt;b&gt;*x*_y_&amp;');
    expect(html).not.toContain('<b>*x*');
    expect(mails[0]?.Content?.Simple?.Body?.Text?.Data).toContain(`- ${HOSTILE} (us-east-1): Migrate: LMI saves $`);

    // Slack got Block Kit with the totals, the escaped hostile name and the report link
    expect(slack.received).toHaveLength(1);
    const post = slack.received[0]!;
    expect(post.path).toBe('/services/T0TEST/B0TEST/s3cr3tT0k3nXYZ');
    expect(post.contentType).toContain('application/json');
    const message = post.body as SlackMessage;
    expect(message.blocks[0]?.type).toBe('header');
    const text = blockTexts(message);
    expect(text).toContain('*Savings / month*');
    expect(text).toContain('Functions analysed*\n3 ');
    expect(JSON.stringify(message)).not.toContain('<b>');
    const hostile = dated.functions.find((f) => f.name === HOSTILE);
    expect(hostile?.recommendation).toBe('migrate');
    expect(text).toContain('`&lt;b&gt;*x*_y_&amp;`');
    expect(text).toContain('First run');
    expect(text).toContain(`s3/object/${BUCKET}?region=us-east-1&prefix=reports%2F2026-11-21%2Freport.`);
    expect(first.metrics).toMatchObject({ FunctionsAnalysed: 3, ChannelFailures: 0, Incomplete: 0 });
    expect(first.metrics.ApiCalls).toBeGreaterThan(3);

    // Act: a new function appears, second night
    await createFunction(clients, 'new-fn', 1024);
    await putTraffic(clients, 'new-fn', new Date('2026-11-21T00:00:00Z'), 28, { invocations: 500, durationMs: 20, concurrency: 2 });
    slack.received.length = 0;
    const second = await handlerFor({})({ time: DAY2 }, context);

    // Assess: the change since the first run is in the report and the digests
    expect(second.exitCode).toBe(0);
    const report2 = JSON.parse(await getText(clients, 'reports/latest/report.json')) as ReportModel;
    expect(report2.run.generatedAt).toBe('2026-11-22T03:00:00.000Z');
    expect(report2.changes?.previousGeneratedAt).toBe('2026-11-21T03:00:00.000Z');
    expect(report2.changes?.newFunctions).toEqual(['us-east-1/new-fn']);
    expect(report2.changes?.removedFunctions).toEqual([]);
    expect(report2.changes?.savingsDeltaUsd).toBeCloseTo(report2.totals.savingsUsd - dated.totals.savingsUsd, 9);
    const text2 = blockTexts(slack.received[0]!.body as SlackMessage);
    expect(text2).toContain('*What changed since last run*');
    expect(text2).toContain('New: `us-east-1/new-fn`');
    expect(text2).toContain('since 2026-11-21');
    expect(await listKeys(clients)).toEqual(expect.arrayContaining(['reports/2026-11-21/report.json', 'reports/2026-11-22/report.json']));
    expect((await sentEmails(moto)) - sentBefore).toBe(4);
    // Second night: 11-21 is now final and holds the new function; 11-20, outside the window, is untouched.
    const status21 = JSON.parse(await getText(clients, `${storePrefix}date=2026-11-21/_status.json`)) as { state: string; functions: number };
    expect(status21).toMatchObject({ state: 'complete', functions: 4 });
    expect(JSON.parse(await getText(clients, `${storePrefix}date=2026-11-20/_status.json`))).toEqual(status20);
  });

  it('keeps S3 when Slack answers 500 and SES rejects the sender: failures logged, counted, run fails, secret never logged', async () => {
    // Prepare
    await freshAccount();
    slack.status = 500;
    const sentBefore = await sentEmails(moto);

    // Act
    const error = await handlerFor({ EMAIL_FROM: 'unverified@example.com' })({ time: DAY1 }, context).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(NightlyRunError);
    const result = (error as NightlyRunError).result;
    expect(result.exitCode).toBe(1);
    expect(result.metrics.ChannelFailures).toBe(2);
    expect(result.channels.map((c) => [c.channel, c.ok])).toEqual([
      ['s3', true],
      ['slack', false],
      ['email', false],
    ]);
    expect(result.channels.find((c) => c.channel === 'email')?.error).toContain('MessageRejected');
    expect(result.channels.find((c) => c.channel === 'slack')?.error).toBe('slack: webhook answered HTTP 500: internal_error at [REDACTED] (after 3 attempts)');
    expect(await listKeys(clients)).toEqual(expect.arrayContaining(['reports/2026-11-21/report.json', 'reports/latest/report.json']));
    expect(await sentEmails(moto)).toBe(sentBefore);
    expect(slack.received).toHaveLength(3);
    expect(slackWaits).toEqual([1000, 2000]);

    const logs = logLines.join('');
    const failures = logLines.filter((l) => l.includes('"channel failed"'));
    expect(failures.map((l) => (JSON.parse(l) as { channel: string }).channel).sort()).toEqual(['email', 'slack']);
    for (const secret of [slack.url, 's3cr3tT0k3nXYZ', '/services/T0TEST/B0TEST/s3cr3tT0k3nXYZ']) {
      expect(logs).not.toContain(secret);
      expect((error as Error).message).not.toContain(secret);
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    expect(await getText(clients, 'reports/2026-11-21/report.json')).not.toContain('s3cr3tT0k3nXYZ');
  });
  it('a change in a night whose Slack post failed reaches Slack the next night (delivery state in S3)', async () => {
    // Prepare: night 1 delivered; then a function appears
    await freshAccount();
    await handlerFor({ LMI_PUBLISH: 's3,slack' })({ time: DAY1 }, context);
    await createFunction(clients, 'another-new-fn', 1024);
    await putTraffic(clients, 'another-new-fn', new Date('2026-11-21T00:00:00Z'), 28, { invocations: 500, durationMs: 20, concurrency: 2 });
    // Act: night 2, Slack answers 500 to every attempt; night 3, it answers
    slack.status = 500;
    const failed = await handlerFor({ LMI_PUBLISH: 's3,slack' })({ time: DAY2 }, context).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(NightlyRunError);
    slack.status = 200;
    slack.received.length = 0;
    const third = await handlerFor({ LMI_PUBLISH: 's3,slack' })({ time: '2026-11-23T03:00:00Z' }, context);
    // Assess
    expect(third.exitCode).toBe(0);
    const text = blockTexts(slack.received[0]!.body as SlackMessage);
    expect(text).toContain('New: `us-east-1/another-new-fn`');
    expect(text).toContain('since 2026-11-21');
    expect(await listKeys(clients)).toContain('reports/state/delivered-slack.json');
  });
});
