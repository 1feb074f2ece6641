import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { fetchMetricSeries, type FetchedSeries } from '../../../src/source/aws/metrics-fetch.js';
import { minimumCalls, planWindow, REQUIRED_METRICS, type MetricSpec } from '../../../src/source/aws/metrics-plan.js';
import { createRateLimiter } from '../../../src/source/aws/rate-limit.js';
import { periodCount, type SnapshotWindow, type SourceWarning } from '../../../src/source/profile.js';

const NOW = new Date('2026-11-21T03:17:42Z');
const fast = () => createRateLimiter({ callsPerSecond: 1e6, concurrency: 8 });

function newClient() {
  const client = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return { client, mock: mockClient(client) };
}

async function collect(
  client: CloudWatchClient,
  window: SnapshotWindow,
  names: string[] | AsyncIterable<readonly string[]>,
  metrics: readonly MetricSpec[] = REQUIRED_METRICS,
  readable?: { from: number; to: number },
) {
  const warnings: SourceWarning[] = [];
  const failed: string[] = [];
  const out: FetchedSeries[] = [];
  for await (const f of fetchMetricSeries({
    region: 'us-east-1',
    cloudWatch: client,
    limit: fast(),
    window,
    functionNames: names,
    metrics,
    ...(readable ? { readable } : {}),
    warn: (w) => warnings.push(w),
    onRegionFailed: (m) => failed.push(m),
  })) {
    out.push(f);
  }
  return { out, warnings, failed };
}

type Query = NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number];
const fnOf = (q: Query) => q.MetricStat!.Metric!.Dimensions![0]!.Value!;
const metricOf = (q: Query) => `${q.MetricStat!.Metric!.MetricName}/${q.MetricStat!.Stat}`;

describe('fetchMetricSeries: periods CloudWatch cannot answer for (issue 8 item 2)', () => {
  it('asks only for the readable periods and leaves the others null, never 0, even when the answer is Complete', async () => {
    // Prepare: 24 hourly periods, of which 5..19 are readable (0..4 expired, 20..23 not ended).
    const window = planWindow(NOW, 1, 3600);
    const start = Date.parse(window.start);
    const { client, mock } = newClient();
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q): MetricDataResult => ({
        Id: q.Id,
        StatusCode: 'Complete',
        // A point outside the asked range (a server that ignores StartTime) is not taken either.
        Timestamps: [new Date(start + 2 * 3_600_000), new Date(start + 10 * 3_600_000)],
        Values: [9, 4],
      })),
    }));
    // Act
    const { out, warnings } = await collect(client, window, ['a'], REQUIRED_METRICS, { from: 5, to: 20 });
    // Assess
    const input = mock.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date(start + 5 * 3_600_000));
    expect(input.EndTime).toEqual(new Date(start + 20 * 3_600_000));
    const expected: (number | null)[] = new Array(24).fill(null);
    for (let i = 5; i < 20; i++) expected[i] = 0;
    expected[10] = 4;
    expect(out[0]!.series.invocations).toEqual(expected);
    expect(out[0]!.series.concurrencyMax).toEqual(expected);
    // Plan-level unknowns are warned once by the source, not per function.
    expect(out[0]!.unknownPoints).toBe(0);
    expect(warnings).toEqual([]);
  });
});

describe('fetchMetricSeries', () => {
  it('orders points by timestamp, fills missing Sum points with 0 and follows NextToken pages', async () => {
    // Prepare: points come back newest first and split over two pages.
    const window = planWindow(NOW, 1, 3600); // 24 hourly points
    const start = Date.parse(window.start);
    const at = (h: number) => new Date(start + h * 3_600_000);
    const { client, mock } = newClient();
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const page2 = input.NextToken === 'p2';
      return {
        MetricDataResults: input.MetricDataQueries!.map((q): MetricDataResult => ({
          Id: q.Id,
          StatusCode: page2 ? 'Complete' : 'PartialData',
          Timestamps: page2 ? [at(1)] : [at(23), at(5)],
          Values: page2 ? [11] : [fnOf(q) === 'a' ? 7 : 8, 3],
        })),
        ...(page2 ? {} : { NextToken: 'p2' }),
      };
    });
    // Act
    const { out, warnings } = await collect(client, window, ['a', 'b']);
    // Assess
    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(mock.commandCalls(GetMetricDataCommand)[1]!.args[0].input.MetricDataQueries).toEqual(
      mock.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries,
    );
    expect(out.map((f) => f.index)).toEqual([0, 1]);
    const expected = new Array(24).fill(0);
    expected[1] = 11;
    expected[5] = 3;
    expected[23] = 7;
    expect(out[0]!.series.invocations).toEqual(expected);
    expect(out[0]!.series.concurrencyMax).toEqual(expected);
    expect(out[1]!.series.durationMsSum![23]).toBe(8);
    expect(out[0]!.unknownPoints).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('keeps points CloudWatch did not return as null (unknown) for PartialData, errors and missing results', async () => {
    // Prepare
    const window = planWindow(NOW, 1, 3600);
    const start = Date.parse(window.start);
    const { client, mock } = newClient();
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input
        .MetricDataQueries!.filter((q) => metricOf(q) !== 'ConcurrentExecutions/Maximum') // missing result
        .map((q): MetricDataResult => ({
          Id: q.Id,
          StatusCode: metricOf(q) === 'Invocations/Sum' ? 'PartialData' : 'InternalError',
          Timestamps: [new Date(start + 2 * 3_600_000)],
          Values: [5],
        })),
    }));
    // Act
    const { out, warnings } = await collect(client, window, ['a']);
    // Assess
    const f = out[0]!;
    expect(f.series.invocations[2]).toBe(5);
    expect(f.series.invocations.filter((v) => v === null)).toHaveLength(23);
    expect(f.series.durationMsSum.filter((v) => v === null)).toHaveLength(23);
    expect(f.series.concurrencyMax.every((v) => v === null)).toBe(true);
    expect(f.unknownPoints).toBe(23 + 23 + 24);
    expect(warnings).toEqual([expect.objectContaining({ code: 'metrics-partial', function: 'a', region: 'us-east-1' })]);
  });

  it('marks a failed call unknown with a warning, and stops calling a region that denies access', async () => {
    // Prepare: 1 day at 60 s = 1440 points -> 70 queries a call; 60 functions x 3 = 180 queries = 3 calls.
    const window = planWindow(NOW, 1);
    const names = Array.from({ length: 60 }, (_, i) => `fn${i}`);
    const { client, mock } = newClient();
    const denied = Object.assign(new Error('User is not authorized to perform cloudwatch:GetMetricData'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    mock.on(GetMetricDataCommand).rejects(denied);
    // Act
    const warnings: SourceWarning[] = [];
    const failed: string[] = [];
    const out: FetchedSeries[] = [];
    for await (const f of fetchMetricSeries({
      region: 'eu-west-1',
      cloudWatch: client,
      limit: createRateLimiter({ callsPerSecond: 1e6, concurrency: 1 }),
      lookahead: 1,
      window,
      functionNames: names,
      metrics: REQUIRED_METRICS,
      warn: (w) => warnings.push(w),
      onRegionFailed: (m) => failed.push(m),
    })) out.push(f);
    // Assess
    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/AccessDenied/);
    expect(out).toHaveLength(60);
    expect(out.every((f) => f.series.invocations.every((v) => v === null))).toBe(true);
    expect(warnings).toEqual([]); // the region failure itself is the warning (made by the caller)
  });

  for (const functions of [1, 499, 500, 501, 5000]) {
    it(`makes exactly the minimum number of GetMetricData calls for ${functions} functions`, async () => {
      // Prepare: 2 days at 60 s -> 2880 points a series -> 35 queries a call.
      const window = planWindow(NOW, 2);
      const names = Array.from({ length: functions }, (_, i) => `fn-${i}`);
      const { client, mock } = newClient();
      const seen = new Set<string>();
      mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
        const queries = input.MetricDataQueries!;
        expect(queries.length).toBeLessThanOrEqual(500);
        expect(queries.length * periodCount(window)).toBeLessThanOrEqual(100_800);
        for (const q of queries) seen.add(`${fnOf(q)}/${metricOf(q)}`);
        return { MetricDataResults: queries.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] })) };
      });
      // Act
      const { out } = await collect(client, window, names);
      // Assess
      const queries = functions * REQUIRED_METRICS.length;
      expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, minimumCalls(queries, periodCount(window)));
      expect(mock.commandCalls(GetMetricDataCommand).length).toBe(Math.ceil(queries / Math.floor(100_800 / periodCount(window))));
      expect(seen.size).toBe(queries);
      expect(out).toHaveLength(functions);
    });
  }

  for (const functions of [1, 499, 500, 501, 5000]) {
    it(`makes exactly the minimum number of calls for ${functions} functions arriving in pages, starting before the last page`, async () => {
      // Prepare: 2 days at 60 s -> 35 queries a call; the functions arrive 50 a page, with a
      // pause between pages (a ListFunctions round trip), so calls can start before the last page.
      const window = planWindow(NOW, 2);
      const names = Array.from({ length: functions }, (_, i) => `fn-${i}`);
      const { client, mock } = newClient();
      let answered = 0;
      let callsBeforeLastPage = -1;
      const seen: string[] = [];
      mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
        const queries = input.MetricDataQueries!;
        expect(queries.length * periodCount(window)).toBeLessThanOrEqual(100_800);
        for (const q of queries) seen.push(`${fnOf(q)}/${metricOf(q)}`);
        answered++;
        return { MetricDataResults: queries.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] })) };
      });
      async function* pages(): AsyncGenerator<readonly string[]> {
        for (let from = 0; from < names.length; from += 50) {
          if (from > 0) await new Promise((r) => setTimeout(r, 2));
          if (from + 50 >= names.length) callsBeforeLastPage = answered;
          yield names.slice(from, from + 50);
        }
      }
      // Act
      const { out } = await collect(client, window, pages());
      // Assess
      const queries = functions * REQUIRED_METRICS.length;
      expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, minimumCalls(queries, periodCount(window)));
      expect(new Set(seen).size).toBe(queries);
      expect(seen).toHaveLength(queries);
      expect(out.map((f) => f.index)).toEqual(names.map((_, i) => i));
      if (functions > 50) expect(callsBeforeLastPage).toBeGreaterThan(0);
    });
  }

  it('fetches what arrived when the input fails part-way, and nothing more', async () => {
    // Prepare: 1 day at 3600 s (500 queries a call); the second page throws
    const window = planWindow(NOW, 1, 3600);
    const { client, mock } = newClient();
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] })),
    }));
    async function* pages(): AsyncGenerator<readonly string[]> {
      yield ['a', 'b'];
      throw new Error('ListFunctions failed');
    }
    // Act
    const { out, warnings } = await collect(client, window, pages());
    // Assess
    expect(out.map((f) => f.index)).toEqual([0, 1]);
    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(warnings).toEqual([]);
  });

  it('never yields a function whose queries straddle a call before its last query is planned', async () => {
    // Prepare: 1 day at 300 s = 288 points, so 350 queries a call; the first page's 117
    // functions fill call 0 up to the middle of function 116, whose last query waits for the
    // next page, which comes only after call 0 is answered.
    const window = planWindow(NOW, 1, 300);
    const { client, mock } = newClient();
    let answered = 0;
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      answered++;
      return { MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] })) };
    });
    const names = Array.from({ length: 200 }, (_, i) => `fn-${i}`);
    async function* pages(): AsyncGenerator<readonly string[]> {
      yield names.slice(0, 117);
      while (answered === 0) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      yield names.slice(117);
    }
    // Act
    const { out } = await collect(client, window, pages());
    // Assess: every function comes out once, with every metric.
    expect(out.map((f) => f.index)).toEqual(names.map((_, i) => i));
    for (const f of out) expect(Object.keys(f.series).sort()).toEqual(REQUIRED_METRICS.map((m) => m.key).sort());
  });
});
