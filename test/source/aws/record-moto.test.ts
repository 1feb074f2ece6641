import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Command } from 'commander';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../../helpers/moto.js';
import { register } from '../../../src/cli/record-command.js';
import { attachContext, type CliContext } from '../../../src/cli/io.js';
import { clientFactoryFrom, type AwsClientFactory } from '../../../src/source/aws/clients.js';
import { planWindow } from '../../../src/source/aws/metrics-plan.js';
import { openSnapshot } from '../../../src/source/snapshot-reader.js';
import { periodCount, type FunctionProfile } from '../../../src/source/profile.js';

/**
 * The real SDK against a real moto_server: functions created with CreateFunction, their AWS/Lambda
 * metrics put with PutMetricData, then `record` writes a snapshot that must hold exactly that.
 * One function also has Lambda Insights metrics (namespace LambdaInsights, dimension
 * function_name), which must become its cpuSecondsPerInvocation, memoryUsedMBMax and
 * initMsPerInvocation.
 */

let moto: MotoServer;
let dir: string;

const config = (region: string) => ({
  region,
  endpoint: moto.endpoint,
  credentials: MOTO_CREDENTIALS,
  maxAttempts: 2,
});

function factory(): AwsClientFactory {
  return clientFactoryFrom(config);
}

/** An empty zip archive (end-of-central-directory record only): enough for moto. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

interface Spec {
  region: string;
  name: string;
  runtime: string;
  memoryMB: number;
  architecture: 'x86_64' | 'arm64';
  tags: Record<string, string>;
  /** minutes before the window end -> [invocations, durationMsSum, concurrencyMax] */
  points: Record<number, [number, number, number]>;
}

const SPECS: Spec[] = [
  { region: 'us-east-1', name: 'orders-api', runtime: 'nodejs22.x', memoryMB: 1024, architecture: 'arm64', tags: { team: 'checkout' }, points: { 5: [120, 4800, 7], 90: [3, 210.5, 1] } },
  { region: 'us-east-1', name: 'thumbnailer', runtime: 'python3.13', memoryMB: 2048, architecture: 'x86_64', tags: {}, points: { 600: [40, 12000, 4] } },
  { region: 'us-east-1', name: 'legacy-java', runtime: 'java21', memoryMB: 512, architecture: 'x86_64', tags: { team: 'core' }, points: {} },
  { region: 'eu-west-1', name: 'eu-reports', runtime: 'nodejs20.x', memoryMB: 3008, architecture: 'arm64', tags: { 'lmi-advisor:trust-group': 'reports' }, points: { 1: [9, 900, 2], 1439: [1, 50, 1] } },
];

let now: Date;

beforeAll(async () => {
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), 'record-moto-'));
  now = new Date();
  const window = planWindow(now, 1);
  const endMs = Date.parse(window.end);
  const iam = new IAMClient(config('us-east-1'));
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'lambda-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  for (const spec of SPECS) {
    const lambda = new LambdaClient(config(spec.region));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: spec.name,
        Runtime: spec.runtime as never,
        Role: role.Role!.Arn!,
        Handler: 'index.handler',
        Code: { ZipFile: EMPTY_ZIP },
        MemorySize: spec.memoryMB,
        Architectures: [spec.architecture],
        Timeout: 30,
        Tags: spec.tags,
      }),
    );
    const data: MetricDatum[] = [];
    for (const [minutes, [invocations, durationSum, concurrency]] of Object.entries(spec.points)) {
      // Inside the minute bucket, not on its edge; split over two data so Sum must add them.
      const t = new Date(endMs - Number(minutes) * 60_000 + 17_000);
      const dims = [{ Name: 'FunctionName', Value: spec.name }];
      data.push(
        { MetricName: 'Invocations', Dimensions: dims, Timestamp: t, Value: invocations - 1, Unit: 'Count' },
        { MetricName: 'Invocations', Dimensions: dims, Timestamp: t, Value: 1, Unit: 'Count' },
        { MetricName: 'Duration', Dimensions: dims, Timestamp: t, Value: durationSum, Unit: 'Milliseconds' },
        { MetricName: 'ConcurrentExecutions', Dimensions: dims, Timestamp: t, Value: concurrency, Unit: 'Count' },
        { MetricName: 'ConcurrentExecutions', Dimensions: dims, Timestamp: t, Value: Math.max(0, concurrency - 1), Unit: 'Count' },
      );
    }
    if (data.length > 0) {
      await new CloudWatchClient(config(spec.region)).send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data }));
    }
  }
  // Lambda Insights for thumbnailer only: one EMF sample per invocation, here as Values/Counts.
  // 10 invocations of 100-200 ms CPU (sum 1500) and 90 of 10 ms (sum 900): 2400 ms / 100 = 24 ms
  // per invocation. used_memory_max peaks at 300 MB. The `function_name, version` series (which
  // Insights publishes too) must not be added in: the query names `function_name` alone.
  const fn = [{ Name: 'function_name', Value: 'thumbnailer' }];
  const at = (minutes: number) => new Date(endMs - minutes * 60_000 + 17_000);
  await new CloudWatchClient(config('us-east-1')).send(
    new PutMetricDataCommand({
      Namespace: 'LambdaInsights',
      MetricData: [
        { MetricName: 'cpu_total_time', Dimensions: fn, Timestamp: at(700), Values: [100, 200], Counts: [5, 5], Unit: 'Milliseconds' },
        { MetricName: 'cpu_total_time', Dimensions: fn, Timestamp: at(30), Values: [10], Counts: [90], Unit: 'Milliseconds' },
        { MetricName: 'used_memory_max', Dimensions: fn, Timestamp: at(700), Value: 300, Unit: 'Megabytes' },
        { MetricName: 'used_memory_max', Dimensions: fn, Timestamp: at(30), Value: 250, Unit: 'Megabytes' },
        // Three cold starts: 1,200 ms of INIT over the 100 invocations cpu_total_time counted = 12 ms each.
        { MetricName: 'init_duration', Dimensions: fn, Timestamp: at(700), Values: [300, 500], Counts: [1, 1], Unit: 'Milliseconds' },
        { MetricName: 'init_duration', Dimensions: fn, Timestamp: at(30), Value: 400, Unit: 'Milliseconds' },
        { MetricName: 'cpu_total_time', Dimensions: [...fn, { Name: 'version', Value: '1' }], Timestamp: at(30), Value: 9999, Unit: 'Milliseconds' },
      ],
    }),
  );
});

afterAll(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function record(args: string[], clock: () => Date = () => now): Promise<{ context: CliContext; out: string; err: string }> {
  let out = '';
  let err = '';
  const context: CliContext = {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), stderrIsTTY: false },
    exitCode: 0,
  };
  const program = new Command('lmi-advisor').exitOverride();
  attachContext(program, context);
  register(program, { clients: factory(), now: clock });
  await program.parseAsync(['record', ...args], { from: 'user' });
  return { context, out, err };
}

describe('record against moto_server', () => {
  it('writes a snapshot holding exactly the functions and metrics that were put', async () => {
    // Prepare
    const path = join(dir, 'moto.ndjson.gz');
    // Act
    const { context, err } = await record(['--regions', 'us-east-1,eu-west-1', '--days', '1', '--out', path, '--no-live-prices']);
    // Assess
    expect(err).toBe('');
    expect(context.exitCode).toBe(0);
    const { header, profiles } = await openSnapshot(path);
    expect(header.accountId).toMatch(/^\d{12}$/);
    expect(header.window).toEqual(planWindow(now, 1));
    expect(header.regions).toEqual(['us-east-1', 'eu-west-1']);
    const codes = (header.warnings ?? []).map((w) => w.code);
    expect(codes).toContain('prices-fallback');
    expect(codes).toContain('capacity-providers-unknown'); // moto has no ListCapacityProviders
    expect(codes).not.toContain('region-failed');

    const points = periodCount(header.window);
    const got = new Map<string, FunctionProfile>();
    for await (const p of profiles) got.set(`${p.region}/${p.name}`, p);
    expect([...got.keys()].sort()).toEqual(SPECS.map((s) => `${s.region}/${s.name}`).sort());
    for (const spec of SPECS) {
      const p = got.get(`${spec.region}/${spec.name}`)!;
      const expected = { invocations: new Array(points).fill(0), durationMsSum: new Array(points).fill(0), concurrencyMax: new Array(points).fill(0) };
      for (const [minutes, [inv, dur, conc]] of Object.entries(spec.points)) {
        const index = points - Number(minutes);
        expected.invocations[index] = inv;
        expected.durationMsSum[index] = dur;
        expected.concurrencyMax[index] = conc;
      }
      expect(p.runtime).toBe(spec.runtime);
      expect(p.memoryMB).toBe(spec.memoryMB);
      expect(p.architecture).toBe(spec.architecture);
      expect(p.timeoutSeconds).toBe(30);
      expect(p.tags).toEqual(spec.tags);
      expect(p.provisionedConcurrency).toBe(0);
      expect(p.series.invocations).toEqual(expected.invocations);
      expect(p.series.durationMsSum).toEqual(expected.durationMsSum);
      expect(p.series.concurrencyMax).toEqual(expected.concurrencyMax);
      expect(p.series.errors).toBeUndefined();
      if (spec.name === 'thumbnailer') {
        expect(p.cpuSecondsPerInvocation).toBeCloseTo(0.024, 12);
        expect(p.memoryUsedMBMax).toBe(300);
        expect(p.initMsPerInvocation).toBeCloseTo(12, 12);
      } else {
        expect(p.cpuSecondsPerInvocation).toBeUndefined();
        expect(p.memoryUsedMBMax).toBeUndefined();
        expect(p.initMsPerInvocation).toBeUndefined();
      }
    }
  });

  it('applies name globs and tag filters', async () => {
    // Prepare
    const path = join(dir, 'filtered.ndjson');
    // Act
    await record(['--regions', 'us-east-1', '--days', '1', '--out', path, '--no-live-prices', '--include', '*-*', '--exclude', 'legacy-*', '--tag', 'team=checkout']);
    // Assess
    const { profiles } = await openSnapshot(path);
    const names: string[] = [];
    for await (const p of profiles) names.push(p.name);
    expect(names).toEqual(['orders-api']);
  });
});

describe('record: periods CloudWatch cannot answer for are unknown, never 0 (issue 8 item 2)', () => {
  const MINUTE = 60_000;
  const DAY = 1440 * MINUTE;
  const series = async (path: string) => {
    const { header, profiles } = await openSnapshot(path);
    const got = new Map<string, FunctionProfile>();
    for await (const p of profiles) got.set(p.name, p);
    return { header, got, points: periodCount(header.window) };
  };

  it('a window partly older than 1-minute retention: the expired periods are null, the rest read', async () => {
    // Prepare: the clock 15 days - 6 h after the window's end: only its last 6 h of 1-minute data is kept.
    const clock = new Date(now.getTime() + 15 * DAY - 6 * 60 * MINUTE);
    const path = join(dir, 'expired.ndjson');
    // Act
    const { context, err } = await record(
      ['--regions', 'us-east-1', '--days', '1', '--resolution', '60', '--now', now.toISOString(), '--out', path, '--no-live-prices'],
      () => clock,
    );
    // Assess
    expect(err).toBe('');
    expect(context.exitCode).toBe(0);
    const { header, got, points } = await series(path);
    const unknown = (header.warnings ?? []).find((w) => w.code === 'periods-expired');
    expect(unknown?.message).toContain('CloudWatch keeps 60-second Lambda metrics 15 days');
    const orders = got.get('orders-api')!;
    const thumbnailer = got.get('thumbnailer')!;
    // 10 h before the end: expired. moto still has it, but asking would read an expired period as
    // CloudWatch answers it (no data = 0); it is unknown instead.
    expect(thumbnailer.series.invocations[points - 600]).toBeNull();
    expect(orders.series.invocations[points - 5]).toBe(120);
    expect(orders.series.invocations[points - 90]).toBe(3);
    const known = orders.series.invocations.filter((v) => v !== null).length;
    expect(known).toBeGreaterThanOrEqual(6 * 60 - 1);
    expect(known).toBeLessThanOrEqual(6 * 60 + 1);
    expect(orders.series.invocations.slice(0, points - 6 * 60 - 1).every((v) => v === null)).toBe(true);
  });

  it('periods not ended at the clock are null (a --now a few minutes ahead of it)', async () => {
    // Prepare: the clock 3 minutes before the window's end.
    const clock = new Date(now.getTime() - 3 * MINUTE);
    const path = join(dir, 'not-ended.ndjson');
    // Act
    const { context } = await record(['--regions', 'us-east-1', '--days', '1', '--now', now.toISOString(), '--out', path, '--no-live-prices'], () => clock);
    // Assess
    expect(context.exitCode).toBe(0);
    const { header, got, points } = await series(path);
    expect((header.warnings ?? []).map((w) => w.code)).toContain('periods-not-ended');
    const orders = got.get('orders-api')!;
    expect(orders.series.invocations[points - 5]).toBe(120); // ended before the clock
    const tail = orders.series.invocations.slice(points - 3);
    expect(tail.every((v) => v === null)).toBe(true);
  });

  it('a window nothing of which is kept at the chosen resolution is exit 2 naming it, nothing written', async () => {
    const path = join(dir, 'never.ndjson');
    const clock = new Date(now.getTime() + 20 * DAY);
    await expect(record(['--regions', 'us-east-1', '--days', '1', '--resolution', '60', '--now', now.toISOString(), '--out', path], () => clock)).rejects.toThrow(
      /^--resolution 60: CloudWatch no longer keeps 60-second data/,
    );
    await expect(openSnapshot(path)).rejects.toThrow(/file not found/);
  });
});
