import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local stand-in for the AWS endpoints `record` calls, spoken over real HTTP with the SDK's
 * own wire protocols (CloudWatch: AWS JSON 1.0 with X-Amz-Target GraniteServiceVersion20100801.*;
 * Lambda: REST JSON; Tagging: AWS JSON 1.1). It exists to test what moto cannot: GetMetricData
 * throttling and rate limits, latency, and fleets of thousands of functions (the benchmark).
 * Listens on 127.0.0.1 only.
 */

export interface FakeFunction {
  name: string;
  memoryMB: number;
  architecture: 'x86_64' | 'arm64';
  runtime: string;
  /** Has Lambda Insights (namespace LambdaInsights): listed, with fixed daily CPU, memory and INIT values. */
  insights?: boolean;
  /** Created at this epoch second: no data point before it (a new function). */
  createdAt?: number;
}

export interface FakeAwsOptions {
  functions: FakeFunction[];
  accountId?: string;
  /** GetMetricData calls answered with a Throttling error, starting with the first. */
  throttleFirst?: number;
  /** GetMetricData calls allowed per rolling second; beyond, 429 Throttling (AWS: 50). */
  getMetricDataPerSecond?: number;
  /** Response latency range in ms, drawn per request from a seeded generator. */
  latencyMs?: [number, number];
  /** Share of periods that have a data point (Lambda emits only when there is activity). */
  density?: number;
  /**
   * CloudWatch's data-points quota, judged on arrival over a rolling second: points of data
   * older than 3 h before `nowMs` count against `old` (AWS: 396,000/s), newer against `recent`
   * (AWS: 180,000/s); a call that would pass either is answered Throttling.
   */
  pointsPerSecond?: { old: number; recent: number; nowMs: number };
}

export interface FakeAws {
  endpoint: string;
  counts: { getMetricData: number; throttled: number; listFunctions: number; other: number; pointsServed: number; pointsThrottled: number };
  /** The value this fake returns for a point (null: no point, i.e. no activity). */
  valueAt(fnName: string, metricName: string, stat: string, epochSeconds: number): number | null;
  close(): Promise<void>;
}

/**
 * The fake's value of a metric for a function (`hash(name)`) at epoch second t: null (no point)
 * for a share 1 - density of the periods. Exported for benchmarks that build a store directly.
 */
export function fakeMetricValue(fnHash: number, metricName: string, stat: string, t: number, density: number): number | null {
  // Cheap integer mixing (the benchmark asks for millions of points a second).
  let h = Math.imul(fnHash ^ t, 2654435761) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  if ((h % 10_000) / 10_000 >= density) return null;
  const invocations = 1 + (h % 97);
  if (metricName === 'Invocations') return invocations;
  if (metricName === 'Duration') return stat === 'Sum' ? invocations * 37.5 : 120.25;
  if (metricName === 'ConcurrentExecutions') return 1 + (h % 7);
  return h % 3; // Errors, Throttles
}

export function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const account = options.accountId ?? '123456789012';
  const density = options.density ?? 0.2;
  const counts = { getMetricData: 0, throttled: 0, listFunctions: 0, other: 0, pointsServed: 0, pointsThrottled: 0 };
  const recent: number[] = [];
  // Admitted calls of the last second: [arrival, old points, recent points].
  const pointWindow: [number, number, number][] = [];
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };

  function valueAt(fnName: string, metricName: string, stat: string, t: number): number | null {
    const createdAt = options.functions.find((f) => f.name === fnName)?.createdAt;
    if (createdAt !== undefined && t < createdAt) return null;
    return valueFromHash(hash(fnName), metricName, stat, t);
  }

  function valueFromHash(fnHash: number, metricName: string, stat: string, t: number): number | null {
    return fakeMetricValue(fnHash, metricName, stat, t, density);
  }

  const withInsights = new Set(options.functions.filter((f) => f.insights).map((f) => f.name));

  /** Lambda Insights daily values: 10 samples of 40 ms CPU, 300 MB peak, 250 ms INIT (1 cold start). */
  function insightsValue(fn: string, metricName: string, stat: string): number | null {
    if (!withInsights.has(fn)) return null;
    if (metricName === 'cpu_total_time') return stat === 'SampleCount' ? 10 : 400;
    if (metricName === 'used_memory_max') return 300;
    if (metricName === 'init_duration') return 250;
    return null;
  }

  function metricData(body: {
    MetricDataQueries: {
      Id: string;
      MetricStat: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string };
    }[];
    StartTime: number;
    EndTime: number;
  }) {
    const createdAt = new Map(options.functions.filter((f) => f.createdAt !== undefined).map((f) => [f.name, f.createdAt!]));
    return {
      MetricDataResults: body.MetricDataQueries.map((q) => {
        const insightsFn = q.MetricStat.Metric.Dimensions.find((d) => d.Name === 'function_name')?.Value;
        const fn = q.MetricStat.Metric.Dimensions.find((d) => d.Name === 'FunctionName')?.Value ?? '';
        const fnHash = hash(fn);
        const timestamps: number[] = [];
        const values: number[] = [];
        const bornAt = createdAt.get(fn) ?? Number.NEGATIVE_INFINITY;
        for (let t = body.StartTime; t < body.EndTime; t += q.MetricStat.Period) {
          if (t < bornAt) continue;
          const v = insightsFn !== undefined
            ? insightsValue(insightsFn, q.MetricStat.Metric.MetricName, q.MetricStat.Stat)
            : valueFromHash(fnHash, q.MetricStat.Metric.MetricName, q.MetricStat.Stat, t);
          if (v !== null) {
            timestamps.push(t);
            values.push(v);
          }
        }
        return { Id: q.Id, Label: q.MetricStat.Metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
      }),
      Messages: [],
    };
  }

  function listFunctions(url: URL) {
    counts.listFunctions++;
    const start = Number(url.searchParams.get('Marker') ?? '0');
    const size = Math.min(50, Number(url.searchParams.get('MaxItems') ?? '50'));
    const page = options.functions.slice(start, start + size);
    const next = start + size < options.functions.length ? String(start + size) : undefined;
    return {
      Functions: page.map((f) => ({
        FunctionName: f.name,
        FunctionArn: `arn:aws:lambda:us-east-1:${account}:function:${f.name}`,
        Runtime: f.runtime,
        MemorySize: f.memoryMB,
        Timeout: 30,
        Architectures: [f.architecture],
        EphemeralStorage: { Size: 512 },
        PackageType: 'Zip',
      })),
      ...(next ? { NextMarker: next } : {}),
    };
  }

  function respond(res: ServerResponse, status: number, contentType: string, payload: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  /** Data points a GetMetricData body asks for: [older than 3 h, newer]. */
  function pointsOf(body: string): [number, number] {
    const quota = options.pointsPerSecond;
    if (!quota) return [0, 0];
    const req = JSON.parse(body) as { MetricDataQueries: { MetricStat: { Period: number } }[]; StartTime: number; EndTime: number };
    const boundary = (quota.nowMs - 3 * 3_600_000) / 1000;
    let old = 0;
    let fresh = 0;
    for (const q of req.MetricDataQueries) {
      const p = q.MetricStat.Period;
      const total = Math.max(0, Math.ceil((req.EndTime - req.StartTime) / p));
      const olderThan = Math.max(0, Math.min(total, Math.ceil((boundary - req.StartTime) / p)));
      old += olderThan;
      fresh += total - olderThan;
    }
    return [old, fresh];
  }

  /** Judged on arrival, as AWS does: throttle or count this GetMetricData call. */
  function admitGetMetricData(body: string): boolean {
    counts.getMetricData++;
    const now = performance.now();
    while (recent.length > 0 && now - recent[0]! >= 1000) recent.shift();
    while (pointWindow.length > 0 && now - pointWindow[0]![0] >= 1000) pointWindow.shift();
    const overRate = options.getMetricDataPerSecond !== undefined && recent.length >= options.getMetricDataPerSecond;
    const [old, fresh] = pointsOf(body);
    let overPoints = false;
    if (options.pointsPerSecond) {
      const usedOld = pointWindow.reduce((a, w) => a + w[1], 0);
      const usedFresh = pointWindow.reduce((a, w) => a + w[2], 0);
      overPoints = usedOld + old > options.pointsPerSecond.old || usedFresh + fresh > options.pointsPerSecond.recent;
    }
    if (counts.getMetricData <= (options.throttleFirst ?? 0) || overRate || overPoints) {
      counts.throttled++;
      counts.pointsThrottled += old + fresh;
      return false;
    }
    recent.push(now);
    if (options.pointsPerSecond) pointWindow.push([now, old, fresh]);
    counts.pointsServed += old + fresh;
    return true;
  }

  function handle(req: IncomingMessage, body: string, res: ServerResponse, admitted: boolean) {
    const target = String(req.headers['x-amz-target'] ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (target === 'GraniteServiceVersion20100801.GetMetricData') {
      if (!admitted) {
        return respond(res, 400, 'application/x-amz-json-1.0', { __type: 'Throttling', message: 'Rate exceeded' }, {
          'x-amzn-query-error': 'Throttling;Sender',
        });
      }
      return respond(res, 200, 'application/x-amz-json-1.0', metricData(JSON.parse(body)));
    }
    if (target === 'GraniteServiceVersion20100801.ListMetrics') {
      counts.other++;
      const ask = JSON.parse(body) as { Namespace?: string; MetricName?: string };
      const metrics = ask.Namespace === 'LambdaInsights'
        ? [...withInsights].map((name) => ({ Namespace: 'LambdaInsights', MetricName: ask.MetricName, Dimensions: [{ Name: 'function_name', Value: name }] }))
        : [];
      return respond(res, 200, 'application/x-amz-json-1.0', { Metrics: metrics });
    }
    if (target === 'ResourceGroupsTaggingAPI_20170126.GetResources') {
      counts.other++;
      return respond(res, 200, 'application/x-amz-json-1.1', { ResourceTagMappingList: [] });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/2015-03-31/functions')) {
      return respond(res, 200, 'application/json', listFunctions(url));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/2025-11-30/capacity-providers')) {
      counts.other++;
      return respond(res, 200, 'application/json', { CapacityProviders: [] });
    }
    if (req.method === 'GET' && url.pathname === '/__counts') return respond(res, 200, 'application/json', counts);
    counts.other++;
    return respond(res, 404, 'application/json', { __type: 'UnknownOperationException', message: `not faked: ${target || url.pathname}` });
  }

  const [minMs, maxMs] = options.latencyMs ?? [0, 0];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const admitted =
        req.headers['x-amz-target'] === 'GraniteServiceVersion20100801.GetMetricData' ? admitGetMetricData(body) : true;
      const delay = minMs + (maxMs - minMs) * random();
      if (delay > 0) setTimeout(() => handle(req, body, res, admitted), delay);
      else handle(req, body, res, admitted);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    valueAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
