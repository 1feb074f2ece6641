import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runRecord } from '../src/cli/record-command.js';
import { defaultConfig } from '../src/config/schema.js';
import { analyzeProfiles, analyzeSnapshotFile } from '../src/pipeline/analyze.js';
import { clientFactoryFrom } from '../src/source/aws/clients.js';
import { DEFAULT_LIMITS } from '../src/source/aws/rate-limit.js';
import { localBackend } from '../src/store/backend.js';
import { openStoreSource } from '../src/store/collect.js';
import { writeDay } from '../src/store/day-io.js';
import { DAY_MS, REQUIRED_KEYS, STORE_SCHEMA, STORE_SCHEMA_VERSION, utcDate } from '../src/store/format.js';
import { createMetricsWriter, encodeFunctions, type StoredConfig } from '../src/store/parquet.js';
import { TOOL_NAME, VERSION } from '../src/version.js';
import { fakeMetricValue, hash, startFakeAws } from '../test/source/aws/fake-aws.js';

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

function fleet(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `fn-${String(i).padStart(6, '0')}`,
    memoryMB: [128, 256, 512, 1024, 2048][i % 5]!,
    architecture: i % 3 === 0 ? ('x86_64' as const) : ('arm64' as const),
    runtime: ['nodejs22.x', 'python3.13', 'java21'][i % 3]!,
  }));
}

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
    const configs = fns.map((f): StoredConfig & { name: string } => ({
      name: f.name,
      runtime: f.runtime,
      architecture: f.architecture,
      memoryMB: f.memoryMB,
      timeoutSeconds: 30,
      ephemeralStorageMB: 512,
      provisionedConcurrency: 0,
      reservedConcurrency: null,
      packageType: 'Zip',
      tags: {},
      capacityProviderArn: null,
      memoryUsedMBMax: null,
      cpuSecondsPerInvocation: null,
      initMsPerInvocation: null,
      observedAt,
      unknownPoints: 0,
    }));
    await writeDay(
      store,
      {
        schema: STORE_SCHEMA,
        schemaVersion: STORE_SCHEMA_VERSION,
        accountId: '123456789012',
        region: 'us-east-1',
        date,
        state: 'complete',
        periodSeconds: 60,
        finestResolution: true,
        coveredUntil: new Date(dayStart + DAY_MS).toISOString(),
        metrics,
        functions: n,
        unknownPoints: 0,
        functionsWithUnknown: [],
        writtenAt: observedAt,
        writer: `bench ${VERSION}`,
      },
      writer.finish(),
      { bytes: encodeFunctions(meta, configs), rows: n },
    );
    process.stderr.write(`  built ${date} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  await writeFile(`${dir}/.built`, String(n));
  report({ buildMs: performance.now() - started });
}

async function serve(n: number): Promise<void> {
  const fake = await startFakeAws({ functions: fleet(n), density: DENSITY });
  process.stdout.write(`${fake.endpoint}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

function clients(endpoint: string) {
  return clientFactoryFrom((region) => ({ region, endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 8 }));
}

function report(extra: object): void {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ...extra, maxRssMB: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

async function analyzeStore(endpoint: string, dir: string): Promise<void> {
  const started = performance.now();
  const source = await openStoreSource({
    regions: ['us-east-1'],
    days: DAYS,
    now: ANALYZE_AT,
    settleMinutes: 0,
    livePrices: false,
    limits: { getMetricData: DEFAULT_LIMITS.getMetricData },
    clients: clients(endpoint),
    store: localBackend(dir),
  });
  const openMs = performance.now() - started;
  const model = await analyzeProfiles({
    header: source.header,
    profiles: source.profiles,
    priceBook: source.priceBook,
    config: defaultConfig(),
    run: { tool: TOOL_NAME, version: VERSION, generatedAt: ANALYZE_AT.toISOString(), command: 'bench' },
  });
  report({
    functions: model.functions.length,
    savingsUsd: model.totals.savingsUsd,
    getMetricDataCalls: source.stats.getMetricDataCalls,
    daysKept: source.stats.daysKept,
    warnings: source.warnings.map((w) => w.code),
    openMs,
    wallMs: performance.now() - started,
  });
}

async function writeSnapshot(endpoint: string, dir: string, out: string): Promise<void> {
  const started = performance.now();
  const result = await runRecord(
    { regions: ['us-east-1'], days: DAYS, now: ANALYZE_AT, livePrices: false, limits: { getMetricData: DEFAULT_LIMITS.getMetricData }, clients: clients(endpoint) },
    out,
    undefined,
    localBackend(dir),
  );
  report({ functions: result.functions, wallMs: performance.now() - started });
}

async function analyzeSnapshot(file: string): Promise<void> {
  const started = performance.now();
  const model = await analyzeSnapshotFile(file, { config: defaultConfig(), now: ANALYZE_AT.toISOString() });
  report({ functions: model.functions.length, savingsUsd: model.totals.savingsUsd, wallMs: performance.now() - started });
}

function runChild(args: string[], onLine?: (line: string) => void): { done: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, [...process.execArgv, ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), here, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  let last = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    text += chunk;
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) {
      last = line;
      onLine?.(line);
    }
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 || code === null ? resolve(last) : reject(new Error(`child ${args[0]} exited ${code}`))));
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

async function withServer<T>(n: number, body: (endpoint: string) => Promise<T>): Promise<T> {
  let resolveEndpoint: (e: string) => void = () => {};
  const ready = new Promise<string>((r) => (resolveEndpoint = r));
  const server = runChild(['--serve', String(n)], (line) => resolveEndpoint(line.trim()));
  const endpoint = await ready;
  try {
    return await body(endpoint);
  } finally {
    server.kill();
    await server.done.catch(() => {});
  }
}

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
else if (args[0] === '--snapshot') await writeSnapshot(args[1]!, args[2]!, args[3]!);
else if (args[0] === '--analyze-snapshot') await analyzeSnapshot(args[1]!);
else await measure(Number(args[0] ?? 10_000), Number(args[1] ?? 2));
