import { mkdir, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { minimumCalls, pointsPerCallFor, REQUIRED_METRICS } from '../src/source/aws/metrics-plan.js';
import { DEFAULT_LIMITS } from '../src/source/aws/rate-limit.js';
import { startCollection } from '../src/source/aws/index.js';
import { localBackend } from '../src/store/backend.js';
import { writeDay } from '../src/store/day-io.js';
import { DAY_MS, dayStartMs, utcDate } from '../src/store/format.js';
import { createMetricsWriter, encodeFunctions } from '../src/store/parquet.js';
import { openStoreSource, type StoreRunStats } from '../src/store/collect.js';
import { VERSION } from '../src/version.js';
import { startFakeAws } from '../test/source/aws/fake-aws.js';
import { completeDayStatus } from '../test/store/stored-day.js';
import { reportChild, runChild as runChildOf, withChildServer } from './child.js';
import { analyzeFromStore, analyzeSnapshotAt, benchClients, fleet, snapshotFromStore } from './store-fleet.js';

/**
 * Benchmark of the metric store: `npx tsx bench/store.ts [functions] [run-seconds]`.
 *
 * A child process serves the local fake endpoint (test/source/aws/fake-aws.ts) with N functions,
 * 150-400 ms latency, 50 GetMetricData calls/s and CloudWatch's data-points quota (396,000/s
 * for data older than 3 h, 180,000/s newer; Throttling beyond). Each measured step runs in a
 * child of its own, so its peak RSS is its own. Steps, 14 days at 60 s:
 *   1. backfill from an empty store in runs of `run-seconds` (default 840 x N / 10,000, the
 *      Lambda's 840 s scaled to the fleet size), until no day is missing; no complete day read twice;
 *   2. the nightly increment the next night after a complete store: wall, points, calls vs the
 *      minimum, throttles, peak RSS;
 *   3. analyze from the store (no CloudWatch read left) vs from a snapshot of the same window.
 * `--seeded` replaces step 1: the complete store of the first night is written directly with the
 * store writer from the fake's own data generator (`valueAt`, so the store holds what the fake
 * serves) and the configuration its listing gives, not read through the quota-limited fake.
 * `--nightly-only` skips step 3. `--reuse`: the nightly on the store left in bench/out (the
 * first night's days only: remove the two newest dates after a nightly to measure again).
 */

const here = fileURLToPath(import.meta.url);
const NIGHT1 = new Date('2026-11-21T03:00:00Z');
const NIGHT2 = new Date('2026-11-22T03:00:00Z');
const ANALYZE_AT = new Date('2026-11-22T00:00:00Z');
const DAYS = 14;
const LATENCY: [number, number] = [150, 400];

async function serve(n: number, nowMs: number): Promise<void> {
  const fake = await startFakeAws({
    functions: fleet(n),
    latencyMs: LATENCY,
    getMetricDataPerSecond: 50,
    density: 0.2,
    pointsPerSecond: { old: 396_000, recent: 180_000, nowMs },
  });
  process.stdout.write(`${fake.endpoint}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

// Adaptive retries: this fake throttles (calls a second and the data-points quota).
const clients = (endpoint: string) => benchClients(endpoint, { retryMode: 'adaptive' });

/** One store run (backfill or nightly): collection only, the assembled window is drained. */
async function storeRun(endpoint: string, dir: string, nowIso: string, budgetMs: number): Promise<void> {
  const started = performance.now();
  const source = await openStoreSource({
    regions: ['us-east-1'],
    days: DAYS,
    now: new Date(nowIso),
    livePrices: false,
    limits: { getMetricData: DEFAULT_LIMITS.getMetricData },
    clients: clients(endpoint),
    store: localBackend(dir),
    timeLeftMs: () => budgetMs - (performance.now() - started),
  });
  const collectMs = performance.now() - started;
  let functions = 0;
  for await (const _ of source.profiles) functions++;
  reportChild({ stats: source.stats, functions, collectMs, wallMs: performance.now() - started });
}

/**
 * Writes the complete days of the first night's window (all but the unsettled current day)
 * directly, with the fake's data generator and the configuration a listing of it gives.
 */
async function seedStore(n: number, dir: string): Promise<void> {
  const started = performance.now();
  const fake = await startFakeAws({ functions: fleet(n), density: 0.2 });
  try {
    const collection = await startCollection(
      { regions: ['us-east-1'], days: DAYS, now: NIGHT1, livePrices: false, clients: clients(fake.endpoint) },
      { start: new Date(NIGHT1.getTime() - DAYS * DAY_MS).toISOString(), end: NIGHT1.toISOString(), periodSeconds: 60 },
    );
    const d = collection.discoveries[0]!;
    await d.listed;
    for (const p of d.pendingInsights.values()) p.demand();
    await Promise.all([...d.pendingPc.values(), ...[...d.pendingInsights.values()].map((p) => p.settled)]);
    const store = localBackend(dir);
    const metrics = REQUIRED_METRICS.map((m) => m.key);
    const firstDay = dayStartMs(utcDate(NIGHT1.getTime() - DAYS * DAY_MS));
    for (let dayMs = firstDay; dayMs < dayStartMs(utcDate(NIGHT1.getTime())); dayMs += DAY_MS) {
      const date = utcDate(dayMs);
      const writer = createMetricsWriter({ date, periodSeconds: 60, metrics });
      for (let b = 0; b < d.functions.length; b += 250) {
        const batch = d.functions.slice(b, b + 250);
        const series = Object.fromEntries(
          REQUIRED_METRICS.map((m) => [
            m.key,
            batch.map((f) => {
              const out = new Float64Array(1440);
              for (let i = 0; i < 1440; i++) out[i] = fake.valueAt(f.name, m.metricName, m.stat, dayMs / 1000 + i * 60) ?? 0;
              return out;
            }),
          ]),
        );
        writer.add({ names: batch.map((f) => f.name), series });
      }
      const observedAt = new Date(dayMs + DAY_MS + 3 * 3_600_000).toISOString();
      const configs = d.functions.map(({ arn: _arn, region: _region, ...rest }) => ({ ...rest, observedAt, unknownPoints: 0 }));
      const meta = { date, periodSeconds: 60 as const, metrics };
      await writeDay(
        store,
        completeDayStatus({
          accountId: collection.header.accountId,
          date,
          metrics,
          functions: configs.length,
          unknownPoints: 0,
          functionsWithUnknown: [],
          writtenAt: observedAt,
          writer: `lmi-advisor ${VERSION} (bench seed)`,
        }),
        writer.finish(),
        { bytes: encodeFunctions(meta, configs), rows: configs.length },
      );
    }
  } finally {
    await fake.close();
  }
  reportChild({ wallMs: performance.now() - started });
}

async function analyzeStore(endpoint: string, dir: string): Promise<void> {
  const started = performance.now();
  const { source, model } = await analyzeFromStore(clients(endpoint), dir, ANALYZE_AT, DAYS);
  reportChild({ functions: model.functions.length, savingsUsd: model.totals.savingsUsd, stats: source.stats, wallMs: performance.now() - started });
}

const runChild = (args: string[]) => runChildOf(here, args);

/** `body` while a child serves the fake for `n` functions at `now`; then the fake's call counts. */
function withServer<T>(n: number, now: Date, body: (endpoint: string) => Promise<T>): Promise<{ result: T; counts: Record<string, number> }> {
  return withChildServer(here, ['--serve', String(n), String(now.getTime())], async (endpoint) => {
    const result = await body(endpoint);
    const counts = (await (await fetch(`${endpoint}/__counts`)).json()) as Record<string, number>;
    return { result, counts };
  });
}

type RunLine = { stats: StoreRunStats; wallMs: number; collectMs: number; maxRssMB: number; cpuMs: number };
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const M = (x: number) => `${(x / 1e6).toFixed(2)} M`;

async function measure(n: number, runSeconds: number, flags: { analyzeOnly: boolean; seeded: boolean; nightlyOnly: boolean; reuse: boolean }): Promise<void> {
  await mkdir('bench/out', { recursive: true });
  const dir = `bench/out/store-${n}`;
  const metrics = REQUIRED_METRICS.length;
  if (!flags.analyzeOnly && !flags.reuse) await rm(dir, { recursive: true, force: true });
  console.log(`store bench: ${n} functions x ${DAYS} d at 60 s, ${metrics} metrics; quota 396,000 / 180,000 points/s; runs of ${runSeconds} s`);
  if (!flags.analyzeOnly) await collectSteps(n, runSeconds, dir, metrics, flags.seeded && !flags.reuse, flags.seeded || flags.reuse);
  if (!flags.nightlyOnly) await analyzeSteps(n, dir);
}

async function collectSteps(n: number, runSeconds: number, dir: string, metrics: number, seed: boolean, seeded: boolean): Promise<void> {
  // 1. backfill from empty (or the complete store written directly)
  if (seed) {
    const line = JSON.parse(await runChild(['--seed', String(n), dir]).done) as { wallMs: number; maxRssMB: number };
    console.log(`  seeded ${DAYS} complete days directly with the store writer (not through the fake): ${s(line.wallMs)}, peak RSS ${line.maxRssMB.toFixed(0)} MB`);
  }
  const readComplete = new Set<string>();
  let twice = 0;
  for (let run = 1; !seeded; run++) {
    const { result, counts } = await withServer(n, NIGHT1, (endpoint) => runChild(['--store-run', endpoint, dir, NIGHT1.toISOString(), String(runSeconds * 1000)]).done);
    const line = JSON.parse(result) as RunLine;
    for (const day of line.stats.daysRead) {
      if (day.endsWith('2026-11-21')) continue; // today: unsettled, read every run by design
      if (readComplete.has(day)) twice++;
      readComplete.add(day);
    }
    console.log(
      `  backfill run ${run}: wall ${s(line.wallMs)} (CloudWatch+store ${s(line.collectMs)}), days read ${line.stats.daysRead.length}, missing ${line.stats.daysMissing.length}, ` +
        `calls ${line.stats.getMetricDataCalls} (answered ${counts['getMetricData']! - counts['throttled']!}, throttled ${counts['throttled']}), points ${M(line.stats.pointsRequested)}, peak RSS ${line.maxRssMB.toFixed(0)} MB, CPU ${s(line.cpuMs)}`,
    );
    if (line.stats.daysMissing.length === 0) break;
    if (run > 20) throw new Error('backfill did not converge');
  }
  if (!seeded) console.log(`  backfill: complete days read twice: ${twice}`);

  // 2. nightly increment
  {
    const { result, counts } = await withServer(n, NIGHT2, (endpoint) => runChild(['--store-run', endpoint, dir, NIGHT2.toISOString(), '840000']).done);
    const line = JSON.parse(result) as RunLine;
    // The fewest calls: at the API's 100,800 points a call, and at the quota-fitting size the
    // limiter packs to (pointsPerCallFor: 99,000 for 396,000/s, 90,000 for 180,000/s).
    const minimum = minimumCalls(n * metrics, 1440) + minimumCalls(n * metrics, 180);
    const fitting = minimumCalls(n * metrics, 1440, pointsPerCallFor(396_000)) + minimumCalls(n * metrics, 180, pointsPerCallFor(180_000));
    console.log(
      `  nightly: wall ${s(line.wallMs)} (CloudWatch+store ${s(line.collectMs)}), days read [${line.stats.daysRead.join(', ')}], kept ${line.stats.daysKept}, ` +
        `points ${M(line.stats.pointsRequested)} (served ${M(counts['pointsServed']!)}), calls answered ${counts['getMetricData']! - counts['throttled']!} (minimum ${fitting} at the quota-fitting size, ${minimum} at 100,800 points), throttled ${counts['throttled']}, peak RSS ${line.maxRssMB.toFixed(0)} MB, CPU ${s(line.cpuMs)}`,
    );
  }

}

/** 3. analyze from the store vs from a snapshot of the same window (`--analyze-only`: on the store left by a full run). */
async function analyzeSteps(n: number, dir: string): Promise<void> {
  {
    const { result } = await withServer(n, NIGHT2, (endpoint) => runChild(['--analyze-store', endpoint, dir]).done);
    const line = JSON.parse(result) as { functions: number; savingsUsd: number; stats: StoreRunStats; wallMs: number; maxRssMB: number; cpuMs: number };
    console.log(`  analyze from the store: wall ${s(line.wallMs)}, peak RSS ${line.maxRssMB.toFixed(0)} MB, ${line.functions} functions, GetMetricData calls ${line.stats.getMetricDataCalls}, savings ${line.savingsUsd.toFixed(2)} USD/month`);
    const file = `bench/out/store-${n}.ndjson.gz`;
    await withServer(n, NIGHT2, (endpoint) => runChild(['--snapshot', endpoint, dir, file]).done);
    const snap = JSON.parse(await runChild(['--analyze-snapshot', file]).done) as { functions: number; savingsUsd: number; wallMs: number; maxRssMB: number };
    console.log(`  analyze from a snapshot (${((await stat(file)).size / 1e6).toFixed(1)} MB gzip): wall ${s(snap.wallMs)}, peak RSS ${snap.maxRssMB.toFixed(0)} MB, ${snap.functions} functions, savings ${snap.savingsUsd.toFixed(2)} USD/month`);
    await rm(file, { force: true });
  }
  const { execFileSync } = await import('node:child_process');
  console.log(`  store size on disk: ${execFileSync('du', ['-sh', dir]).toString().split('\t')[0]}`);
}

const args = process.argv.slice(2);
if (args[0] === '--serve') await serve(Number(args[1]), Number(args[2]));
else if (args[0] === '--store-run') await storeRun(args[1]!, args[2]!, args[3]!, Number(args[4]));
else if (args[0] === '--seed') await seedStore(Number(args[1]), args[2]!);
else if (args[0] === '--analyze-store') await analyzeStore(args[1]!, args[2]!);
else if (args[0] === '--snapshot') await snapshotFromStore(clients(args[1]!), args[2]!, args[3]!, ANALYZE_AT, DAYS);
else if (args[0] === '--analyze-snapshot') await analyzeSnapshotAt(args[1]!, ANALYZE_AT);
else {
  const flags = { analyzeOnly: args.includes('--analyze-only'), seeded: args.includes('--seeded'), nightlyOnly: args.includes('--nightly-only'), reuse: args.includes('--reuse') };
  const rest = args.filter((a) => !a.startsWith('--'));
  const n = Number(rest[0] ?? 10_000);
  await measure(n, Number(rest[1] ?? Math.round((840 * n) / 10_000)), flags);
}
