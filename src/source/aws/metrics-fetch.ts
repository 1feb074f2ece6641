import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { periodCount, type FunctionSeries, type Series, type SnapshotWindow, type SourceWarning } from '../profile.js';
import { describeError, isAccessDenied } from './aws-errors.js';
import { createCallPacker, pointsPerCallFor, type MetricSpec, type PlannedCall } from './metrics-plan.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Runs the GetMetricData plan of one region and streams each function's series as soon as the
 * calls holding its queries are done, so at most `lookahead` calls' data is held at once (not
 * the whole fleet's 14 days of minute data).
 *
 * Functions may arrive while calls run (pipelined discovery: `functionNames` as an async
 * iterable of batches): the queries are packed as they come (`createCallPacker`), a call is
 * started as soon as it is full, and the last, incomplete call only when the input ends, so the
 * calls are exactly `planCalls` over the whole list (the minimum).
 */

export interface MetricsFetchOptions {
  region: string;
  cloudWatch: CloudWatchClient;
  limit: RateLimiter;
  window: SnapshotWindow;
  /**
   * The functions, in order: a list, or batches arriving over time (e.g. ListFunctions pages).
   * `FetchedSeries.index` counts across batches. An iterable that throws ends the input (the
   * caller reports the failure); the functions received before are still fetched.
   */
  functionNames: readonly string[] | AsyncIterable<readonly string[]>;
  metrics: readonly MetricSpec[];
  /**
   * The periods CloudWatch can answer for (metrics-plan.ts `readablePeriods`); default the whole
   * window. Only these are asked for; the others stay null (unknown), never 0.
   */
  readable?: PeriodRange;
  /** Calls started ahead of the consumer; bounds memory. Default 2 x the limiter's concurrency. */
  lookahead?: number;
  /** `total` is the calls planned so far (final once the input has ended). */
  onCallDone?: (done: number, total: number) => void;
  warn: (warning: SourceWarning) => void;
  /** Called once when the region's metrics cannot be read at all (access denied). */
  onRegionFailed?: (message: string) => void;
}

export interface FetchedSeries {
  /** Index into `functionNames` (counted across batches). */
  index: number;
  series: FunctionSeries;
  /**
   * Points of the readable periods that are null (CloudWatch did not answer for them) over all
   * series of the function. Periods outside the readable range are null too, but are counted
   * (and warned about) once by the plan, not per function.
   */
  unknownPoints: number;
}

/** Period indices [from, to) of a window. */
export interface PeriodRange {
  from: number;
  to: number;
}

/**
 * Points of one query on one page: timestamps either as the SDK's Dates or, on the fast path
 * (below), as the wire's epoch seconds.
 */
interface RawPart {
  timestamps: readonly unknown[];
  values: readonly unknown[];
  epochSeconds: boolean;
}

export interface RawResult {
  parts: RawPart[];
  status: string | undefined;
}

interface QuerySeries {
  series: Series;
  unknownPoints: number;
}

/** Results are turned into series as soon as a call completes, so the wire arrays die young. */
type CallOutcome =
  | { ok: true; series: QuerySeries[]; messages: string[] }
  | { ok: false; error: string; accessDenied: boolean; skipped: boolean };

/** At most this many functions get a warning line of their own per region; then a summary. */
const MAX_FUNCTION_WARNINGS = 20;

function toQuery(q: PlannedCall['queries'][number], name: string, periodSeconds: number): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: q.metric.metricName,
        // FunctionName alone: all versions and aliases of the function added together.
        Dimensions: [{ Name: 'FunctionName', Value: name }],
      },
      Period: periodSeconds,
      Stat: q.metric.stat,
    },
    ReturnData: true,
  };
}

/**
 * One query's series. A missing point of a Complete result is 0: Lambda emits its metrics only
 * when there is activity (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html).
 * A result that is not Complete (PartialData after the last page, InternalError, Forbidden) or
 * absent leaves the points it did not return null: unknown, never 0. Periods outside `readable`
 * (expired at this resolution, or not ended) are null whatever the status: CloudWatch answers
 * "Complete" with no points for them. Points are placed by timestamp, whatever their order.
 */
export function toSeries(
  result: RawResult | undefined,
  window: SnapshotWindow,
  readable: PeriodRange = { from: 0, to: periodCount(window) },
): { series: Series; unknownPoints: number } {
  const points = periodCount(window);
  const complete = result?.status === 'Complete';
  const series: Series = new Array<number | null>(points).fill(null);
  if (complete) series.fill(0, readable.from, readable.to);
  if (result) {
    const startMs = Date.parse(window.start);
    const periodMs = window.periodSeconds * 1000;
    for (const part of result.parts) {
      const { timestamps, values } = part;
      const n = Math.min(timestamps.length, values.length);
      for (let i = 0; i < n; i++) {
        const value = values[i];
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const raw = timestamps[i];
        const t = part.epochSeconds
          ? (raw as number) * 1000
          : raw instanceof Date
            ? raw.getTime()
            : Number.NaN;
        const index = Math.floor((t - startMs) / periodMs);
        if (index >= readable.from && index < readable.to) series[index] = value;
      }
    }
  }
  let unknownPoints = 0;
  if (!complete) for (let i = readable.from; i < readable.to; i++) if (series[i] === null) unknownPoints++;
  return { series, unknownPoints };
}

// ---------------------------------------------------------------------------------------------
// Fast path for the response body.
//
// Measured (bench/record.ts, --cpu-prof): the SDK's schema-driven JSON deserialiser walks every
// one of the ~20,000 points of a call through `NormalizedSchema.of` and makes a Date per
// timestamp, and the logger middleware then copies the whole output through `schemaLogFilter`
// even with the default no-op logger: ~10 ms of CPU and most of the garbage per call. This
// middleware, added to each GetMetricData command's own stack just inside the SDK's
// deserializer, takes a successful JSON (awsJson1_0) answer, parses it once with JSON.parse,
// keeps the Timestamps/Values arrays as they are (epoch seconds, numbers) and hands the SDK the
// same document without them; everything else (request, signing, endpoints, retries and
// throttling, errors, the Ids, StatusCode, NextToken and Messages of the output) stays the
// SDK's. Any answer it does not recognise (another protocol, a timestamp that is not a number,
// an error status) goes to the SDK untouched.
// ---------------------------------------------------------------------------------------------

interface WirePoints {
  timestamps: readonly unknown[];
  values: readonly unknown[];
}

/** Per command: the points the middleware took out of the answer, by query Id. */
interface WireHolder {
  points?: Map<string, WirePoints>;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

async function readBody(body: unknown): Promise<Buffer | null> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') return null;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/** The document without its points (and the points by Id), or null when it is not the expected shape. */
function splitPoints(doc: unknown): { slim: object; points: Map<string, WirePoints> } | null {
  if (!doc || typeof doc !== 'object') return null;
  const results = (doc as { MetricDataResults?: unknown }).MetricDataResults;
  if (results === undefined) return { slim: doc, points: new Map() };
  if (!Array.isArray(results)) return null;
  const points = new Map<string, WirePoints>();
  const slimResults: object[] = [];
  for (const r of results as unknown[]) {
    if (!r || typeof r !== 'object') return null;
    const { Timestamps, Values, ...rest } = r as { Id?: unknown; Timestamps?: unknown; Values?: unknown };
    if (typeof rest.Id !== 'string') return null;
    const timestamps = Timestamps ?? [];
    const values = Values ?? [];
    if (!Array.isArray(timestamps) || !Array.isArray(values)) return null;
    for (let i = 0; i < timestamps.length; i++) if (typeof timestamps[i] !== 'number') return null;
    points.set(rest.Id, { timestamps, values });
    slimResults.push(rest);
  }
  return { slim: { ...(doc as object), MetricDataResults: slimResults }, points };
}

type Next = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;

function wirePointsMiddleware(holder: WireHolder) {
  return (next: Next) => async (args: unknown) => {
    const result = await next(args);
    const response = result.response as { statusCode?: unknown; headers?: unknown; body?: unknown } | undefined;
    if (!response || response.statusCode !== 200) return result;
    if (!/json/i.test(headerValue(response.headers, 'content-type') ?? '')) return result;
    const bytes = await readBody(response.body);
    if (bytes === null) return result;
    response.body = bytes; // the SDK reads these bytes if this path gives up below
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      return result; // the SDK reports the bad body
    }
    const split = splitPoints(doc);
    if (split === null) return result;
    holder.points = split.points;
    response.body = Buffer.from(JSON.stringify(split.slim));
    return result;
  };
}

async function sendGetMetricData(
  cloudWatch: CloudWatchClient,
  input: ConstructorParameters<typeof GetMetricDataCommand>[0],
): Promise<{ output: GetMetricDataCommandOutput; points: Map<string, WirePoints> | undefined }> {
  const command = new GetMetricDataCommand(input);
  const holder: WireHolder = {};
  // step 'deserialize', priority 'low': inside the SDK's deserializerMiddleware (normal priority),
  // so this sees the raw HTTP response of every attempt before the SDK decodes it.
  command.middlewareStack.add(wirePointsMiddleware(holder) as never, {
    step: 'deserialize',
    priority: 'low',
    name: 'lmiAdvisorWirePoints',
  });
  const output = await cloudWatch.send(command);
  return { output, points: holder.points };
}

// ---------------------------------------------------------------------------------------------

/** A wake-up signal for the consumer (new calls planned, input ended). */
function createSignal() {
  let resolve: (() => void) | null = null;
  let promise: Promise<void> | null = null;
  return {
    wait(): Promise<void> {
      promise ??= new Promise<void>((r) => (resolve = r));
      return promise;
    },
    fire(): void {
      const r = resolve;
      resolve = null;
      promise = null;
      r?.();
    },
  };
}

export async function* fetchMetricSeries(opts: MetricsFetchOptions): AsyncGenerator<FetchedSeries> {
  const { window, metrics } = opts;
  const points = periodCount(window);
  // Calls sized so that whole calls fill the limiter's points quota (pointsPerCallFor).
  const packer = createCallPacker(metrics, points, pointsPerCallFor(opts.limit.options.weightPerSecond));
  const lookahead = Math.max(1, opts.lookahead ?? opts.limit.options.concurrency * 2);
  const readable = opts.readable ?? { from: 0, to: points };
  // Only the readable periods are asked for: a StartTime older than the resolution's retention
  // makes CloudWatch return no data for the whole query (API model, MetricStat.Period).
  const periodMs = window.periodSeconds * 1000;
  const startTime = new Date(Date.parse(window.start) + readable.from * periodMs);
  const endTime = new Date(Date.parse(window.start) + readable.to * periodMs);
  let regionDenied: string | null = null;
  let done = 0;

  const names: string[] = [];
  const calls: PlannedCall[] = [];
  // Each function's queries are contiguous, so it is complete once its last call is merged.
  const lastCallOf: number[] = [];
  // Queries planned per function: a function straddling two calls is not complete when its
  // first call is answered if the rest of its queries still wait in the packer.
  const plannedQueries: number[] = [];
  let inputEnded = false;
  const signal = createSignal();

  const inFlight: Promise<CallOutcome>[] = [];
  let launched = 0;
  let consumed = 0;

  async function execute(call: PlannedCall): Promise<CallOutcome> {
    if (regionDenied !== null) return { ok: false, error: regionDenied, accessDenied: true, skipped: true };
    if (readable.to <= readable.from) {
      return { ok: true, series: call.queries.map(() => toSeries(undefined, window, readable)), messages: [] };
    }
    const queries = call.queries.map((q) => toQuery(q, names[q.fn]!, window.periodSeconds));
    const results = new Map<string, RawResult>();
    const messages: string[] = [];
    let token: string | undefined;
    let first = true;
    try {
      do {
        const weight = first ? call.dataPoints : 0;
        const { output: page, points: wire } = await opts.limit(
          () =>
            sendGetMetricData(opts.cloudWatch, {
              MetricDataQueries: queries,
              StartTime: startTime,
              EndTime: endTime,
              ScanBy: 'TimestampAscending',
              ...(token ? { NextToken: token } : {}),
            }),
          weight,
        );
        first = false;
        for (const r of page.MetricDataResults ?? []) {
          if (!r.Id) continue;
          let raw = results.get(r.Id);
          if (!raw) {
            raw = { parts: [], status: undefined };
            results.set(r.Id, raw);
          }
          const fast = wire?.get(r.Id);
          if (fast) raw.parts.push({ timestamps: fast.timestamps, values: fast.values, epochSeconds: true });
          else if (r.Timestamps && r.Values) raw.parts.push({ timestamps: r.Timestamps, values: r.Values, epochSeconds: false });
          // The last page's status is the query's final status (PartialData earlier means "more pages").
          raw.status = r.StatusCode;
        }
        for (const m of page.Messages ?? []) if (m.Value) messages.push(`${m.Code ?? ''} ${m.Value}`.trim());
        token = page.NextToken || undefined;
      } while (token);
      return { ok: true, series: call.queries.map((q) => toSeries(results.get(q.id), window, readable)), messages };
    } catch (error) {
      const accessDenied = isAccessDenied(error);
      const message = describeError(error);
      if (accessDenied && regionDenied === null) {
        regionDenied = message;
        opts.onRegionFailed?.(`cloudwatch:GetMetricData: ${message}`);
      }
      return { ok: false, error: message, accessDenied, skipped: false };
    } finally {
      done++;
      opts.onCallDone?.(done, calls.length);
    }
  }

  function launch(): void {
    while (launched < calls.length && launched - consumed < lookahead) {
      inFlight[launched] = execute(calls[launched]!);
      launched++;
    }
  }

  function planned(newCalls: PlannedCall[]): void {
    for (const call of newCalls) {
      const c = calls.length;
      calls.push(call);
      for (const q of call.queries) {
        lastCallOf[q.fn] = c;
        plannedQueries[q.fn] = (plannedQueries[q.fn] ?? 0) + 1;
      }
    }
    if (newCalls.length > 0) {
      launch();
      signal.fire();
    }
  }

  function addNames(batch: readonly string[]): void {
    for (const name of batch) {
      const fn = names.length;
      names.push(name);
      planned(packer.add(fn));
    }
  }

  function endInput(): void {
    if (inputEnded) return;
    inputEnded = true;
    planned(packer.finish());
    signal.fire();
  }

  if (Array.isArray(opts.functionNames)) {
    addNames(opts.functionNames as readonly string[]);
    endInput();
  } else {
    const input = opts.functionNames as AsyncIterable<readonly string[]>;
    // Read the input as it comes, independently of the consumer: calls start as soon as they are
    // full (within the lookahead), not when the consumer next looks.
    void (async () => {
      try {
        for await (const batch of input) addNames(batch);
      } catch {
        // The producer reports its own failure; what arrived is still fetched.
      } finally {
        endInput();
      }
    })();
  }

  const partial = new Map<number, { series: Partial<FunctionSeries>; unknownPoints: number }>();
  let nextToYield = 0;
  let warnedFunctions = 0;
  let partialFunctions = 0;

  for (let c = 0; ; c++) {
    while (c >= calls.length && !inputEnded) await signal.wait();
    if (c >= calls.length) break;
    consumed = c;
    launch();
    const call = calls[c]!;
    const outcome = await inFlight[c]!;
    delete inFlight[c];
    consumed = c + 1;
    launch();
    if (!outcome.ok && !outcome.accessDenied) {
      opts.warn({
        code: 'metrics-failed',
        region: opts.region,
        message: `a GetMetricData call failed (${outcome.error}): ${call.queries.length} series are unknown`,
      });
    }
    if (outcome.ok && outcome.messages.length > 0) {
      opts.warn({ code: 'metrics-messages', region: opts.region, message: outcome.messages.join('; ') });
    }
    for (const [i, q] of call.queries.entries()) {
      const { series, unknownPoints } = outcome.ok ? outcome.series[i]! : toSeries(undefined, window, readable);
      let entry = partial.get(q.fn);
      if (!entry) {
        entry = { series: {}, unknownPoints: 0 };
        partial.set(q.fn, entry);
      }
      entry.series[q.metric.key] = series;
      entry.unknownPoints += unknownPoints;
    }
    // Release the call's plan (its queries name the functions) once it is merged.
    (calls as (PlannedCall | undefined)[])[c] = undefined;
    while (
      nextToYield < names.length &&
      lastCallOf[nextToYield] !== undefined &&
      lastCallOf[nextToYield]! <= c &&
      plannedQueries[nextToYield] === opts.metrics.length
    ) {
      const entry = partial.get(nextToYield)!;
      partial.delete(nextToYield);
      if (entry.unknownPoints > 0 && regionDenied === null) {
        partialFunctions++;
        if (warnedFunctions < MAX_FUNCTION_WARNINGS) {
          warnedFunctions++;
          opts.warn({
            code: 'metrics-partial',
            region: opts.region,
            function: names[nextToYield],
            message: `${entry.unknownPoints} metric data points are unknown (CloudWatch returned partial data)`,
          });
        }
      }
      yield { index: nextToYield, series: entry.series as FunctionSeries, unknownPoints: entry.unknownPoints };
      nextToYield++;
    }
  }
  if (partialFunctions > warnedFunctions) {
    opts.warn({
      code: 'metrics-partial',
      region: opts.region,
      message: `${partialFunctions} functions in total have unknown metric data points (${warnedFunctions} listed)`,
    });
  }
}
