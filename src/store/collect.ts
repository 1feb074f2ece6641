import { defaultConfig } from '../config/schema.js';
import { fetchMetricSeries } from '../source/aws/metrics-fetch.js';
import type { MetricSpec } from '../source/aws/metrics-plan.js';
import { createRateLimiter, type RateLimiter } from '../source/aws/rate-limit.js';
import { startCollection, type AwsSource, type AwsSourceOptions } from '../source/aws/index.js';
import type { DiscoveredFunction, RegionDiscovery } from '../source/aws/discovery.js';
import type { FunctionProfile, FunctionSeries, PeriodSeconds, Series, SourceWarning } from '../source/profile.js';
import { VERSION } from '../version.js';
import type { StoreBackend } from './backend.js';
import { openDay, readStatus, writeDay, type OpenDay } from './day-io.js';
import { watchAttempts } from './throttles.js';
import { DAY_MS, dayStartMs, type DayStatus, type MetricKey, pointsPerDay, STORE_SCHEMA, STORE_SCHEMA_VERSION } from './format.js';
import { createMetricsWriter, encodeFunctions, readMetricRange, type StoredConfig } from './parquet.js';
import { alignedWindow, assembleSeries, planStoreWindow, windowDates, type DayPlan, type WindowPlan } from './plan.js';

/**
 * The store-backed live source: lists the functions as `record` does, reads from CloudWatch only
 * the days (or, for new functions, the function-days) the store lacks or holds incomplete or
 * unsettled, writes them, and assembles the window from the store into the same profile stream.
 */

export interface StoreSourceOptions extends AwsSourceOptions {
  store: StoreBackend;
  /** A day is final only when it ended at least this long before `now` (config `store.settleMinutes`, default 30). */
  settleMinutes?: number;
  /** Milliseconds left for reading CloudWatch; days that would not fit are left for the next run. */
  timeLeftMs?: () => number;
}

/** What the store part of a run did (for logs, the bench and tests). */
export interface StoreRunStats {
  daysKept: number;
  daysRead: string[];
  daysAdded: string[];
  /** Days of the window not in the store after the run (out of time, or expired in CloudWatch). */
  daysMissing: string[];
  getMetricDataCalls: number;
  pointsRequested: number;
  /** Points of the calls answered so far. */
  pointsRead: number;
  /** GetMetricData attempts answered Throttling (each retried by the SDK). */
  throttles: number;
  /** Function-days read at a coarser period than their day is held at (`region/date/function`). */
  coarseFunctionDays: string[];
  /** Function-days CloudWatch no longer keeps finely enough: unknown (`region/date/function`). */
  unknownFunctionDays: string[];
}

export type StoreSource = AwsSource & { stats: StoreRunStats; plan: WindowPlan };

/** Functions per row group and per assembly batch: bounds memory (see docs/store-format.md). */
export const FUNCTIONS_PER_BATCH = 250;

const MAX_CHANGE_WARNINGS = 20;

/** CloudWatch data-points quotas: 180,000/s for data newer than 3 h over 396,000/s for older. */
export const RECENT_POINTS_SHARE = 180_000 / 396_000;

function configOf(f: DiscoveredFunction, observedAt: string, unknownPoints: number): StoredConfig & { name: string } {
  const { arn: _arn, region: _region, ...rest } = f;
  return { ...rest, observedAt, unknownPoints };
}

function padDay(series: Series, points: number): Series {
  if (series.length === points) return series;
  const out = series.slice();
  while (out.length < points) out.push(null);
  return out;
}

export async function openStoreSource(opts: StoreSourceOptions): Promise<StoreSource> {
  const store = opts.store;
  await store.checkWritable();
  const settleMinutes = opts.settleMinutes ?? defaultConfig().store.settleMinutes;
  const timeLeft = opts.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
  // Insights and the header use the window `record` would read (auto: 60 s for 14 days).
  const recordPeriod: PeriodSeconds = opts.resolution === undefined || opts.resolution === 'auto' ? 60 : opts.resolution;
  const endMs = Math.floor(opts.now.getTime() / (recordPeriod * 1000)) * recordPeriod * 1000;
  const started = await startCollection(opts, {
    start: new Date(endMs - opts.days * DAY_MS).toISOString(),
    end: new Date(endMs).toISOString(),
    periodSeconds: recordPeriod,
  });
  const { discoveries, factory, regionLimits, metrics, warnings, failRegion } = started;
  const accountId = started.header.accountId;
  const metricKeys = metrics.map((m) => m.key as MetricKey);
  const stats: StoreRunStats = {
    daysKept: 0,
    daysRead: [],
    daysAdded: [],
    daysMissing: [],
    getMetricDataCalls: 0,
    pointsRequested: 0,
    pointsRead: 0,
    throttles: 0,
    coarseFunctionDays: [],
    unknownFunctionDays: [],
  };

  // Whole listings, with their PC and Insights values: the store needs every name before planning.
  for (const d of discoveries) {
    await d.listed;
    for (const p of d.pendingInsights.values()) p.demand();
    await Promise.all([...d.pendingPc.values(), ...[...d.pendingInsights.values()].map((p) => p.settled)]);
  }

  // ---- plan per region; one window period for all (the coarsest any region needs) ----
  const statuses = new Map<string, Map<string, DayStatus | null>>();
  const opened = new Map<string, Map<string, OpenDay>>();
  for (const d of discoveries) {
    statuses.set(d.region, new Map());
    opened.set(d.region, new Map());
  }
  const statusOf = async (region: string, date: string) => {
    const cache = statuses.get(region)!;
    if (!cache.has(date)) cache.set(date, await readStatus(store, accountId, region, date));
    return cache.get(date)!;
  };
  const openStored = async (region: string, date: string): Promise<OpenDay | null> => {
    const cache = opened.get(region)!;
    if (cache.has(date)) return cache.get(date)!;
    const status = await statusOf(region, date);
    if (!status) return null;
    const day = await openDay(store, status);
    if ('missing' in day) {
      warnings.push({ code: 'store-object-missing', region, message: `${day.missing}; the day is read again` });
      statuses.get(region)!.set(date, null);
      return null;
    }
    cache.set(date, day);
    return day;
  };

  const planFor = async (d: RegionDiscovery, resolution: AwsSourceOptions['resolution']): Promise<WindowPlan> => {
    const listed = d.functions.map((f) => f.name);
    // Statuses and functions of the dates any period could need, loaded before the pure plan.
    const maxWindow = { start: new Date(endMs - opts.days * DAY_MS - DAY_MS).toISOString(), end: new Date(endMs).toISOString(), periodSeconds: 60 as const };
    const functionsOf = new Map<string, Set<string>>();
    for (const date of windowDates(maxWindow)) {
      const status = await statusOf(d.region, date);
      if (status?.state === 'complete') {
        const day = await openStored(d.region, date);
        if (day) functionsOf.set(date, new Set(day.functions.map((f) => f.name)));
      }
    }
    const cache = statuses.get(d.region)!;
    return planStoreWindow({
      now: opts.now,
      days: opts.days,
      resolution: resolution ?? 'auto',
      settleMinutes,
      metrics: metricKeys,
      status: (date) => cache.get(date) ?? null,
      storedFunctions: (date) => functionsOf.get(date) ?? new Set(),
      listed,
    });
  };
  let plans = new Map<string, WindowPlan>();
  for (const d of discoveries) plans.set(d.region, await planFor(d, opts.resolution));
  const period = Math.max(...[...plans.values()].map((p) => p.window.periodSeconds)) as PeriodSeconds;
  if ([...plans.values()].some((p) => p.window.periodSeconds !== period)) {
    plans = new Map();
    for (const d of discoveries) plans.set(d.region, await planFor(d, period));
  }
  let window = plans.values().next().value?.window ?? started.header.window;

  // CloudWatch serves 180,000 data points/s for data newer than 3 h, 396,000 for older
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html): a
  // day reaching into the last 3 h gets the region's budget scaled down to the recent quota.
  const recentLimiters = new Map<string, RateLimiter>();
  const recentFromMs = opts.now.getTime() - 3 * 3_600_000;
  function limiterFor(region: string, day: DayPlan): RateLimiter {
    const base = regionLimits.get(region)!.getMetricData;
    if (day.readEndMs <= recentFromMs || base.options.weightPerSecond === undefined) return countingPoints(base);
    let recent = recentLimiters.get(region);
    if (!recent) {
      recent = createRateLimiter({ ...base.options, weightPerSecond: base.options.weightPerSecond * RECENT_POINTS_SHARE });
      recentLimiters.set(region, recent);
    }
    return countingPoints(recent);
  }
  /** The limiter, counting the points of each answered call (the weight it was started with). */
  function countingPoints(limit: RateLimiter): RateLimiter {
    const counted = (<T>(fn: () => Promise<T>, weight = 0) =>
      limit(async () => {
        const result = await fn();
        stats.pointsRead += weight;
        return result;
      }, weight)) as RateLimiter;
    Object.defineProperty(counted, 'options', { value: limit.options });
    Object.defineProperty(counted, 'turn', { value: limit.turn });
    // Retries of this day's calls wait for the same quota (src/store/throttles.ts).
    retryLimiter = limit;
    return counted;
  }

  // ---- read what the store lacks, newest day first, within the time left ----
  const weightPerSecond = [...regionLimits.values()][0]?.getMetricData.options.weightPerSecond ?? 396_000;
  let retryLimiter: RateLimiter | null = null;
  for (const d of discoveries) {
    watchAttempts(factory.forRegion(d.region).cloudWatch, {
      onThrottle: () => stats.throttles++,
      retryTurn: (points) => retryLimiter?.turn(points) ?? Promise.resolve(),
    });
  }
  // New functions' days CloudWatch keeps only coarser than the store holds them, with activity
  // (not exact at the held period): region -> date -> function -> full-day series.
  const coarseHeld = new Map<string, Map<string, Map<string, Partial<Record<MetricKey, Series>>>>>();
  let coarsePeriod: PeriodSeconds | null = null;
  let outOfTime = false;
  const dayOrder = [...new Set([...plans.values()].flatMap((p) => p.days.map((x) => x.date)))].sort().reverse();
  const toRead = [...plans.values()].flatMap((p) => p.days).filter((x) => x.action === 'read' || x.action === 'add' || x.action === 'add-coarse').length;
  let daysDone = 0;
  const progress = (final = false) =>
    started.progress({ type: 'store', daysToRead: toRead, daysDone, pointsRead: stats.pointsRead, throttles: stats.throttles, ...(final ? { final } : {}) });
  if (toRead > 0) progress();
  for (const date of dayOrder) {
    for (const d of discoveries) {
      const day = plans.get(d.region)!.days.find((x) => x.date === date);
      if (!day) continue;
      for (const name of day.unknownFunctions) stats.unknownFunctionDays.push(`${d.region}/${date}/${name}`);
      if (day.action === 'keep') {
        stats.daysKept++;
        continue;
      }
      if (day.action === 'skip') {
        stats.daysMissing.push(`${d.region}/${date}`);
        continue;
      }
      // A re-read day keeps the functions stored for it that are no longer listed (deleted since):
      // they are read again with the others, so the day stays whole for queries of the store.
      const listed = d.functions.map((f) => f.name);
      const stored = day.action === 'read' ? await openStored(d.region, date) : null;
      const listedSet = new Set(listed);
      const unlisted = stored ? stored.functions.filter((f) => !listedSet.has(f.name)) : [];
      const names = day.action === 'read' ? [...listed, ...unlisted.map((f) => f.name)] : day.missingFunctions;
      const readPeriod = day.action === 'add-coarse' ? day.coarsePeriodSeconds! : day.periodSeconds!;
      const points = Math.round((day.readEndMs - dayStartMs(date)) / (readPeriod * 1000));
      const dayPoints = names.length * metrics.length * points;
      // A day is read whole or not at all: start it only when it fits (1.5 x its quota time + 10 s).
      const rate = day.readEndMs > opts.now.getTime() - 3 * 3_600_000 ? weightPerSecond * RECENT_POINTS_SHARE : weightPerSecond;
      const needMs = (dayPoints / rate) * 1500 + 10_000;
      if (outOfTime || timeLeft() < needMs) {
        outOfTime = true;
        stats.daysMissing.push(`${d.region}/${date}`);
        continue;
      }
      stats.pointsRequested += dayPoints;
      if (day.action === 'add-coarse') {
        const held = await collectCoarse(d, day, names);
        if (held.size > 0) {
          if (!coarseHeld.has(d.region)) coarseHeld.set(d.region, new Map());
          coarseHeld.get(d.region)!.set(date, held);
          coarsePeriod = Math.max(coarsePeriod ?? 0, readPeriod) as PeriodSeconds;
          for (const name of held.keys()) stats.coarseFunctionDays.push(`${d.region}/${date}/${name}`);
        }
        stats.daysAdded.push(`${d.region}/${date}`);
      } else {
        const written = await collectDay(d, day, names, points, unlisted);
        statuses.get(d.region)!.set(date, written);
        opened.get(d.region)!.delete(date);
        (day.action === 'add' ? stats.daysAdded : stats.daysRead).push(`${d.region}/${date}`);
      }
      daysDone++;
      progress();
    }
  }
  if (toRead > 0) progress(true);

  /** GetMetricData for `names` over one day from its start to `endMs`: counted, its warnings dated. */
  function readDay(d: RegionDiscovery, day: DayPlan, names: string[], read: { endMs: number; periodSeconds: PeriodSeconds }, onRegionFailed: (message: string) => void) {
    return fetchMetricSeries({
      region: d.region,
      cloudWatch: factory.forRegion(d.region).cloudWatch,
      limit: limiterFor(d.region, day),
      window: { start: new Date(dayStartMs(day.date)).toISOString(), end: new Date(read.endMs).toISOString(), periodSeconds: read.periodSeconds },
      functionNames: names,
      metrics: metrics as MetricSpec[],
      warn: (w) => warnings.push({ ...w, message: `${day.date}: ${w.message}` }),
      onCallDone: () => {
        stats.getMetricDataCalls++;
        progress();
      },
      onRegionFailed,
    });
  }

  /** Copies a stored day's functions, batch by batch, into `writer` (its configs into `configs`). */
  async function copyStored(old: OpenDay, writer: ReturnType<typeof createMetricsWriter>, configs: (StoredConfig & { name: string })[]): Promise<void> {
    const p = old.status.periodSeconds as PeriodSeconds;
    const full = pointsPerDay(p);
    for (let f = 0; f < old.functions.length; f += FUNCTIONS_PER_BATCH) {
      const to = Math.min(old.functions.length, f + FUNCTIONS_PER_BATCH);
      const range = await readMetricRange(old.metrics.location, old.metrics.buffer, old.metrics.metadata, p, metricKeys, f, to);
      const perFn = (values: Float64Array) => Array.from({ length: to - f }, (_, i) => values.subarray(i * full, (i + 1) * full));
      writer.add({
        names: old.functions.slice(f, to).map((x) => x.name),
        series: Object.fromEntries([...range].map(([m, values]) => [m, perFn(values)])),
      });
    }
    configs.push(...old.functions);
  }

  /**
   * `add-coarse`: the new functions' day at the coarse period CloudWatch still keeps. A function
   * with no activity that day (every coarse period answered 0) is exactly 0 at every finer
   * period too: it is added to the stored day. The others are returned, held for this run's
   * window only (which is then analysed at the coarse period), and read again next run.
   */
  async function collectCoarse(d: RegionDiscovery, day: DayPlan, names: string[]): Promise<Map<string, Partial<Record<MetricKey, Series>>>> {
    const p = day.coarsePeriodSeconds!;
    const startMs = dayStartMs(day.date);
    const held = new Map<string, Partial<Record<MetricKey, Series>>>();
    const idle: string[] = [];
    const stream = readDay(d, day, names, { endMs: startMs + DAY_MS, periodSeconds: p }, (message) => failRegion(d.region, message));
    for await (const fetched of stream) {
      const name = names[fetched.index]!;
      const series = Object.fromEntries(metricKeys.map((k) => [k, padDay(fetched.series[k as keyof FunctionSeries]!, pointsPerDay(p))])) as Record<MetricKey, Series>;
      if (fetched.unknownPoints === 0 && metricKeys.every((k) => series[k].every((v) => v === 0))) idle.push(name);
      else held.set(name, series);
    }
    if (idle.length === 0) return held;
    const old = await openStored(d.region, day.date);
    if (!old) throw new Error(`store day ${d.region}/${day.date} vanished while merging`);
    const heldPeriod = old.status.periodSeconds as PeriodSeconds;
    const writer = createMetricsWriter({ date: day.date, periodSeconds: heldPeriod, metrics: metricKeys });
    const configs: (StoredConfig & { name: string })[] = [];
    await copyStored(old, writer, configs);
    const byName = new Map(d.functions.map((f) => [f.name, f]));
    const zeros = new Float64Array(pointsPerDay(heldPeriod));
    for (let b = 0; b < idle.length; b += FUNCTIONS_PER_BATCH) {
      const batch = idle.slice(b, b + FUNCTIONS_PER_BATCH);
      writer.add({ names: batch, series: Object.fromEntries(metricKeys.map((k) => [k, batch.map(() => zeros)])) });
    }
    for (const name of idle) configs.push(configOf(byName.get(name)!, opts.now.toISOString(), 0));
    const { objects: _objects, ...status } = old.status;
    const meta = { date: day.date, periodSeconds: heldPeriod, metrics: metricKeys };
    const written = await writeDay(
      store,
      { ...status, functions: configs.length, writtenAt: opts.now.toISOString(), writer: `lmi-advisor ${VERSION}` },
      writer.finish(),
      { bytes: encodeFunctions(meta, configs), rows: configs.length },
    );
    statuses.get(d.region)!.set(day.date, written);
    opened.get(d.region)!.delete(day.date);
    return held;
  }

  async function collectDay(
    d: RegionDiscovery,
    day: DayPlan,
    names: string[],
    points: number,
    unlisted: readonly (StoredConfig & { name: string })[],
  ): Promise<DayStatus> {
    const p = day.periodSeconds!;
    const full = pointsPerDay(p);
    const startMs = dayStartMs(day.date);
    const observedAt = opts.now.toISOString();
    const byName = new Map(d.functions.map((f) => [f.name, f]));
    const storedConfig = new Map(unlisted.map((f) => [f.name, f]));
    const writer = createMetricsWriter({ date: day.date, periodSeconds: p, metrics: metricKeys });
    const configs: (StoredConfig & { name: string })[] = [];
    let unknownPoints = 0;
    const withUnknown: string[] = [];

    // `add`: the stored functions first, copied batch by batch, then the new ones.
    if (day.action === 'add') {
      const old = await openStored(d.region, day.date);
      if (!old) throw new Error(`store day ${d.region}/${day.date} vanished while merging`);
      await copyStored(old, writer, configs);
    }

    let batchNames: string[] = [];
    let batchSeries: Partial<Record<MetricKey, Series[]>> = {};
    const flush = () => {
      if (batchNames.length === 0) return;
      writer.add({ names: batchNames, series: batchSeries });
      batchNames = [];
      batchSeries = {};
    };
    let regionFailed = false;
    const stream = readDay(d, day, names, { endMs: startMs + points * p * 1000, periodSeconds: p }, (message) => {
      regionFailed = true;
      failRegion(d.region, message);
    });
    for await (const fetched of stream) {
      const name = names[fetched.index]!;
      batchNames.push(name);
      for (const key of metricKeys) (batchSeries[key] ??= []).push(padDay(fetched.series[key as keyof FunctionSeries]!, full));
      unknownPoints += fetched.unknownPoints;
      if (fetched.unknownPoints > 0 && withUnknown.length < 100) withUnknown.push(name);
      const listedFn = byName.get(name);
      // A function no longer listed keeps the configuration (and listing time) it was stored with.
      configs.push(listedFn ? configOf(listedFn, observedAt, fetched.unknownPoints) : { ...storedConfig.get(name)!, unknownPoints: fetched.unknownPoints });
      if (batchNames.length === FUNCTIONS_PER_BATCH) flush();
    }
    flush();
    const whole = day.readEndMs >= startMs + DAY_MS;
    const state = unknownPoints > 0 || regionFailed ? 'incomplete' : whole && day.settled ? 'complete' : 'unsettled';
    const meta = { date: day.date, periodSeconds: p, metrics: metricKeys };
    const metricsOut = writer.finish();
    const functionsOut = { bytes: encodeFunctions(meta, configs), rows: configs.length };
    return writeDay(
      store,
      {
        schema: STORE_SCHEMA,
        schemaVersion: STORE_SCHEMA_VERSION,
        accountId,
        region: d.region,
        date: day.date,
        state,
        periodSeconds: p,
        finestResolution: p === 60,
        coveredUntil: new Date(startMs + points * p * 1000).toISOString(),
        metrics: metricKeys,
        functions: configs.length,
        unknownPoints,
        functionsWithUnknown: withUnknown,
        writtenAt: observedAt,
        writer: `lmi-advisor ${VERSION}`,
      },
      metricsOut,
      functionsOut,
    );
  }

  if (stats.daysMissing.length > 0) {
    const byTime = outOfTime ? ' (out of time: the next run continues, newest days first)' : '';
    warnings.push({
      code: outOfTime ? 'store-backfill-cut-short' : 'store-days-failed',
      message: `${stats.daysMissing.length} region-days of the window are not in the store${byTime}: their minutes are unknown (${stats.daysMissing.slice(0, 5).join(', ')}${stats.daysMissing.length > 5 ? ', ...' : ''})`,
    });
  }
  // New functions held only at the coarse period: the whole window is analysed at it (as for a
  // day held only coarse), and the report names them.
  if (coarsePeriod !== null && coarsePeriod > window.periodSeconds) {
    window = alignedWindow(opts.now.getTime(), opts.days, coarsePeriod);
    for (const [region, plan] of plans) plans.set(region, { ...plan, window });
  }
  const listDays = (items: string[]) => {
    const byFunction = new Map<string, string[]>();
    for (const item of items) {
      const [region, date, name] = item.split('/') as [string, string, string];
      const key = `${name} (${region})`;
      byFunction.set(key, [...(byFunction.get(key) ?? []), date]);
    }
    const parts = [...byFunction].slice(0, 10).map(([fn, dates]) => `${fn}: ${dates.sort().join(', ')}`);
    return `${parts.join('; ')}${byFunction.size > 10 ? `; and ${byFunction.size - 10} more functions` : ''}`;
  };
  if (stats.coarseFunctionDays.length > 0) {
    warnings.push({
      code: 'store-coarse-functions',
      message: `functions new to the store whose days CloudWatch keeps only at ${coarsePeriod} s, read at ${coarsePeriod} s (not stored; read again each run while in the window): ${listDays(stats.coarseFunctionDays)}`,
    });
  }
  if (stats.unknownFunctionDays.length > 0) {
    warnings.push({
      code: 'store-function-days-unknown',
      message: `functions new to the store on days CloudWatch no longer keeps at 5 minutes or finer (older than 63 days): their minutes are unknown: ${listDays(stats.unknownFunctionDays)}`,
    });
  }
  // Days in store format v1 (unknown stored as NaN) are read as they are; SQL users are told.
  const windowSet = new Set(windowDates(window));
  const v1Days = [...statuses].flatMap(([region, byDate]) => [...byDate].filter(([date, st]) => st?.schemaVersion === 1 && windowSet.has(date)).map(([date]) => `${region}/${date}`));
  if (v1Days.length > 0) {
    warnings.push({
      code: 'store-v1-days',
      message: `${v1Days.length} region-days of the window are in store format v1 (${v1Days.slice(0, 3).join(', ')}${v1Days.length > 3 ? ', ...' : ''}): read as they are, their unknown minutes are unknown here, but SQL engines see them as NaN, not NULL (docs/store-format.md)`,
    });
  }
  const coarse = [...plans.values()].some((p) => p.window.periodSeconds !== recordPeriod);
  if (coarse) {
    warnings.push({
      code: 'store-coarse-days',
      message: `some days of the window are held at ${window.periodSeconds} s only (CloudWatch no longer kept finer data when they were read): the whole window is analysed at ${window.periodSeconds} s`,
    });
  }

  // ---- assemble the window from the store ----
  const header = { ...started.header, window, warnings: [...warnings] };
  let changeWarnings = 0;
  let changedFunctions = 0;

  async function* profiles(): AsyncGenerator<FunctionProfile> {
    for (const d of discoveries) {
      const plan = plans.get(d.region)!;
      const dates = windowDates(plan.window);
      const days = new Map<string, OpenDay>();
      for (const date of dates) {
        const day = await openStored(d.region, date);
        if (day) days.set(date, day);
      }
      for (let b = 0; b < d.functions.length; b += FUNCTIONS_PER_BATCH) {
        const batch = d.functions.slice(b, b + FUNCTIONS_PER_BATCH);
        // Per day: the batch's rows (normally one contiguous run), read at once.
        const perDay = new Map<string, { rows: (number | undefined)[]; first: number; points: number; data: Map<MetricKey, Float64Array> }>();
        for (const [date, day] of days) {
          const rows = batch.map((f) => day.rowOf.get(f.name));
          const present = rows.filter((r): r is number => r !== undefined);
          if (present.length === 0) continue;
          const first = Math.min(...present);
          const last = Math.max(...present);
          const data = await readMetricRange(day.metrics.location, day.metrics.buffer, day.metrics.metadata, day.status.periodSeconds as PeriodSeconds, metricKeys, first, last + 1);
          perDay.set(date, { rows, first, points: pointsPerDay(day.status.periodSeconds as PeriodSeconds), data });
        }
        for (const [i, f] of batch.entries()) {
          const series: Partial<FunctionSeries> = {};
          for (const key of metricKeys) {
            series[key] = assembleSeries(window, key, (date) => {
              const entry = perDay.get(date);
              const row = entry?.rows[i];
              if (!entry || row === undefined) {
                const held = coarseHeld.get(d.region)?.get(date)?.get(f.name);
                return held ? { periodSeconds: coarsePeriod!, series: held[key]! } : null;
              }
              const offset = (row - entry.first) * entry.points;
              return { periodSeconds: days.get(date)!.status.periodSeconds as PeriodSeconds, series: entry.data.get(key)!.subarray(offset, offset + entry.points) };
            });
          }
          noteConfigChanges(d.region, f, dates, days);
          const { arn: _arn, ...base } = f;
          yield { ...base, series: series as FunctionSeries };
        }
      }
    }
    if (changedFunctions > changeWarnings) {
      warnings.push({ code: 'config-changed', message: `${changedFunctions} functions in total changed configuration within the window (${changeWarnings} listed)` });
    }
  }

  const CONFIG_FIELDS = ['runtime', 'architecture', 'memoryMB', 'timeoutSeconds', 'ephemeralStorageMB', 'provisionedConcurrency', 'tags', 'capacityProviderArn'] as const;
  const show = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  function noteConfigChanges(region: string, f: DiscoveredFunction, dates: string[], days: Map<string, OpenDay>): void {
    // The configuration seen per day (as read the night after it), then today's.
    const seen: { date: string; config: Record<string, unknown> }[] = [];
    for (const date of dates) {
      const day = days.get(date);
      const row = day?.rowOf.get(f.name);
      if (day && row !== undefined) seen.push({ date, config: day.functions[row] as unknown as Record<string, unknown> });
    }
    seen.push({ date: 'now', config: f as unknown as Record<string, unknown> });
    const changes: string[] = [];
    for (let k = 1; k < seen.length; k++) {
      for (const field of CONFIG_FIELDS) {
        const before = show(seen[k - 1]!.config[field] ?? null);
        const after = show(seen[k]!.config[field] ?? null);
        if (before !== after) changes.push(`${field} ${before} -> ${after} (${seen[k]!.date === 'now' ? 'since the last stored day' : `first seen ${seen[k]!.date}`})`);
      }
    }
    if (changes.length === 0) return;
    changedFunctions++;
    if (changeWarnings >= MAX_CHANGE_WARNINGS) return;
    changeWarnings++;
    warnings.push({
      code: 'config-changed',
      region,
      function: f.name,
      message: `configuration changed within the window: ${changes.join('; ')}; analysed with the newest configuration`,
    });
  }

  return {
    header,
    profiles: profiles(),
    priceBook: started.prices.book,
    warnings,
    failedRegions: started.failedRegions,
    capacityProviders: discoveries.flatMap((d) => d.capacityProviders ?? []),
    stats,
    plan: plans.values().next().value!,
  };
}

export type { SourceWarning };
