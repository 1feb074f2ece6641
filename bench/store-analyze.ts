import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { localBackend } from '../src/store/backend.js';
import { writeDay } from '../src/store/day-io.js';
import { DAY_MS, REQUIRED_KEYS, utcDate } from '../src/store/format.js';
import { createMetricsWriter, encodeFunctions } from '../src/store/parquet.js';
import { VERSION } from '../src/version.js';
import { fakeMetricValue, hash, startFakeAws } from '../test/source/aws/fake-aws.js';
import { completeDayStatus, syntheticStoredConfig } from '../test/store/stored-day.js';
import { reportChild, runChild as runChildOf, withChildServer } from './child.js';
import { analyzeFromStore, analyzeSnapshotAt, benchClients, fleet, snapshotFromStore } from './store-fleet.js';

/**
 * `analyze` from the metric store vs from a snapshot of the same window, at fleet sizes the
 * CloudWatch path cannot reach in a session: `npx tsx bench/store-analyze.ts [functions] [rounds]`.
 *
 * The store (14 complete days at 60 s) is written directly with the store writer, from the same
 * synthetic values the fake endpoint serves (test/source/aws/fake-aws.ts `fakeMetricValue`,
 * density 0.2, the fleet of bench/store.ts), not read through the fake: at 10,000 functions that
 * is 605 M points. The snapshot is then written from the store by `record --store` (the issue's
 * equality: the same series). Each measured step runs in a child of its own (its own peak RSS);
 * the store path lists the functions at a local fake endpoint without latency (the snapshot path
 * lists nothing; the listing time is printed apart). Steps alternate store/snapshot `rounds`
 * times (default 2), back to back on the same machine.
 */

const here = fileURLToPath(import.meta.url);
const ANALYZE_AT = new Date('2026-11-22T00:00:00Z');
const DAYS = 14;
const DENSITY = 0.2;
const BATCH = 250;

const SOURCE_METRIC: Partial<Record<(typeof REQUIRED_KEYS)[number], [string, string]>> = {
  invocations: ['Invocations', 'Sum'],
  durationMsSum: ['Duration', 'Sum'],
  concurrencyMax: ['ConcurrentExecutions', 'Maximum'],
};

/** Writes the 14 days before ANALYZE_AT, every function complete, as a nightly run would. */
async function build(n: number, dir: string): Promise<void> {
  const started = performance.now();
  const fns = fleet(n);
  const store = localBackend(dir);
  const metrics = [...REQUIRED_KEYS];
  for (let d = DAYS; d >= 1; d--) {
    const dayStart = ANALYZE_AT.getTime() - d * DAY_MS;
    const date = utcDate(dayStart);
    const meta = { date, periodSeconds: 60 as const, metrics };
    const writer = createMetricsWriter(meta);
    for (let b = 0; b < n; b += BATCH) {
      const batch = fns.slice(b, b + BATCH);
      const series = Object.fromEntries(
        metrics.map((m) => {
          const [metricName, stat] = SOURCE_METRIC[m]!;
          return [m, batch.map((f) => {
            const h = hash(f.name);
            // No point in a minute = 0 (Lambda emits only on activity), as record stores it.
            return Array.from({ length: 1440 }, (_, i) => fakeMetricValue(h, metricName, stat, dayStart / 1000 + i * 60, DENSITY) ?? 0);
          })];
        }),
      );
      writer.add({ names: batch.map((f) => f.name), series });
    }
    const observedAt = new Date(dayStart + DAY_MS + 3 * 3_600_000).toISOString();
    const configs = fns.map((f) => syntheticStoredConfig(f, observedAt, 0));
    await writeDay(
      store,
      completeDayStatus({ date, metrics, functions: n, unknownPoints: 0, functionsWithUnknown: [], writtenAt: observedAt, writer: `bench ${VERSION}` }),
      writer.finish(),
      { bytes: encodeFunctions(meta, configs), rows: n },
    );
    process.stderr.write(`  built ${date} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  await writeFile(`${dir}/.built`, String(n));
  reportChild({ buildMs: performance.now() - started });
}

async function serve(n: number): Promise<void> {
  const fake = await startFakeAws({ functions: fleet(n), density: DENSITY });
  process.stdout.write(`${fake.endpoint}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

async function analyzeStore(endpoint: string, dir: string): Promise<void> {
  const started = performance.now();
  const { source, model, openMs } = await analyzeFromStore(benchClients(endpoint), dir, ANALYZE_AT, DAYS);
  reportChild({
    functions: model.functions.length,
    savingsUsd: model.totals.savingsUsd,
    getMetricDataCalls: source.stats.getMetricDataCalls,
    daysKept: source.stats.daysKept,
    warnings: source.warnings.map((w) => w.code),
    openMs,
    wallMs: performance.now() - started,
  });
}

const runChild = (args: string[]) => runChildOf(here, args);
const withServer = <T>(n: number, body: (endpoint: string) => Promise<T>) => withChildServer(here, ['--serve', String(n)], body);

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function measure(n: number, rounds: number): Promise<void> {
  await mkdir('bench/out', { recursive: true });
  const dir = `bench/out/store-analyze-${n}`;
  const { execFileSync } = await import('node:child_process');
  const load = () => execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');
  console.log(`store analyze bench: ${n} functions x ${DAYS} d at 60 s (${((n * DAYS * 1440 * 3) / 1e6).toFixed(0)} M points), ${new Date().toISOString()}, load ${load()}`);
  if (!existsSync(`${dir}/.built`)) {
    await rm(dir, { recursive: true, force: true });
    const line = JSON.parse(await runChild(['--build', String(n), dir]).done) as { buildMs: number; maxRssMB: number };
    console.log(`  store written directly: ${s(line.buildMs)}, peak RSS ${line.maxRssMB.toFixed(0)} MB, ${execFileSync('du', ['-sh', dir]).toString().split('\t')[0]} on disk`);
  }
  const file = `bench/out/store-analyze-${n}.ndjson.gz`;
  if (!existsSync(file)) {
    const line = JSON.parse(await withServer(n, (endpoint) => runChild(['--snapshot', endpoint, dir, file]).done)) as { wallMs: number; maxRssMB: number };
    console.log(`  snapshot written from the store (record --store): ${s(line.wallMs)}, ${((await stat(file)).size / 1e6).toFixed(1)} MB gzip`);
  }
  for (let r = 1; r <= rounds; r++) {
    const st = JSON.parse(await withServer(n, (endpoint) => runChild(['--analyze-store', endpoint, dir]).done)) as {
      functions: number; savingsUsd: number; getMetricDataCalls: number; daysKept: number; warnings: string[]; openMs: number; wallMs: number; maxRssMB: number; cpuMs: number;
    };
    console.log(
      `  round ${r} analyze from the store: wall ${s(st.wallMs)} (listing and planning ${s(st.openMs)}), peak RSS ${st.maxRssMB.toFixed(0)} MB, CPU ${s(st.cpuMs)}, ` +
        `${st.functions} functions, days kept ${st.daysKept}, GetMetricData calls ${st.getMetricDataCalls}, savings ${st.savingsUsd.toFixed(2)} USD/month, warnings [${[...new Set(st.warnings)].join(', ')}], load ${load()}`,
    );
    const sn = JSON.parse(await runChild(['--analyze-snapshot', file]).done) as { functions: number; savingsUsd: number; wallMs: number; maxRssMB: number; cpuMs: number };
    console.log(`  round ${r} analyze from the snapshot: wall ${s(sn.wallMs)}, peak RSS ${sn.maxRssMB.toFixed(0)} MB, CPU ${s(sn.cpuMs)}, ${sn.functions} functions, savings ${sn.savingsUsd.toFixed(2)} USD/month, load ${load()}`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--serve') await serve(Number(args[1]));
else if (args[0] === '--build') await build(Number(args[1]), args[2]!);
else if (args[0] === '--analyze-store') await analyzeStore(args[1]!, args[2]!);
else if (args[0] === '--snapshot') await snapshotFromStore(benchClients(args[1]!), args[2]!, args[3]!, ANALYZE_AT, DAYS);
else if (args[0] === '--analyze-snapshot') await analyzeSnapshotAt(args[1]!, ANALYZE_AT);
else await measure(Number(args[0] ?? 10_000), Number(args[1] ?? 2));
