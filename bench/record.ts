import { mkdir, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runRecord } from '../src/cli/record-command.js';
import { clientFactoryFrom } from '../src/source/aws/clients.js';
import { DEFAULT_LIMITS } from '../src/source/aws/rate-limit.js';
import { minimumCalls, planWindow, REQUIRED_METRICS } from '../src/source/aws/metrics-plan.js';
import { periodCount } from '../src/source/profile.js';
import { startFakeAws } from '../test/source/aws/fake-aws.js';
import { reportChild, runChild, withChildServer } from './child.js';

/**
 * Benchmark of `record`: `npx tsx bench/record.ts [1000 10000 ...]`.
 *
 * For each size: a child process serves a local endpoint on 127.0.0.1 (test/source/aws/fake-aws.ts)
 * that answers ListFunctions pages and GetMetricData with 150-400 ms latency and at most 50
 * GetMetricData calls per rolling second (Throttling beyond); another child runs `record` over
 * N synthetic functions x 14 days (60 s period, the auto resolution) into a .ndjson.gz, so its
 * peak RSS (process.resourceUsage().maxRSS) is its own. Prints calls made vs the minimum, wall
 * time vs (minimum calls / 50 per s + one round trip), throttled calls, the client's CPU time
 * (user + system, every thread) and peak RSS. The record path is the product's: discovery
 * pipelined into GetMetricData, the limiter's defaults (46 calls/s), the snapshot writer.
 *
 * The fake does not model CloudWatch's data-points-per-second quota (396,000 DPS for data older
 * than 3 h), so the run switches that budget off, and the estimate under it is printed apart.
 */

const here = fileURLToPath(import.meta.url);
const NOW = new Date('2026-11-21T03:00:00Z');
const DAYS = 14;
const LATENCY: [number, number] = [150, 400];
const RATE = 50;

async function serve(n: number): Promise<void> {
  const functions = Array.from({ length: n }, (_, i) => ({
    name: `fn-${String(i).padStart(6, '0')}`,
    memoryMB: [128, 256, 512, 1024, 2048][i % 5]!,
    architecture: i % 3 === 0 ? ('x86_64' as const) : ('arm64' as const),
    runtime: ['nodejs22.x', 'python3.13', 'java21'][i % 3]!,
  }));
  const fake = await startFakeAws({ functions, latencyMs: LATENCY, getMetricDataPerSecond: RATE, density: 0.2 });
  process.stdout.write(`${fake.endpoint}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

async function client(endpoint: string, out: string): Promise<void> {
  const config = (region: string) => ({
    region,
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    retryMode: 'adaptive' as const,
    maxAttempts: 8,
  });
  const started = performance.now();
  const result = await runRecord(
    {
      regions: ['us-east-1'],
      days: DAYS,
      now: NOW,
      livePrices: false,
      // The fake has no data-points-per-second quota: keep the call rate and concurrency only.
      limits: { getMetricData: { callsPerSecond: DEFAULT_LIMITS.getMetricData.callsPerSecond, concurrency: DEFAULT_LIMITS.getMetricData.concurrency } },
      clients: clientFactoryFrom(config),
    },
    out,
  );
  const wallMs = performance.now() - started;
  reportChild({
    functions: result.functions,
    failedRegions: result.failedRegions,
    warnings: result.warnings.filter((w) => w.code !== 'prices-fallback').length,
    wallMs,
  });
}

async function measure(n: number): Promise<void> {
  await mkdir('bench/out', { recursive: true });
  const out = `bench/out/record-${n}.ndjson.gz`;
  await withChildServer(here, ['--serve', String(n)], async (endpoint) => {
    try {
      const line = await runChild(here, ['--client', endpoint, out]).done;
      const result = JSON.parse(line) as { functions: number; failedRegions: string[]; warnings: number; wallMs: number; maxRssMB: number; cpuMs: number };
      const counts = (await (await fetch(`${endpoint}/__counts`)).json()) as { getMetricData: number; throttled: number };
      const points = periodCount(planWindow(NOW, DAYS));
      const min = minimumCalls(n * REQUIRED_METRICS.length, points);
      const roundTripMs = (LATENCY[0] + LATENCY[1]) / 2;
      const idealMs = (min / RATE) * 1000 + roundTripMs;
      const made = counts.getMetricData - counts.throttled;
      const size = (await stat(out)).size;
      console.log(
        [
          `record ${n} functions x ${DAYS} d at 60 s (${points} points/series, ${REQUIRED_METRICS.length} metrics):`,
          `  GetMetricData calls answered ${made} (minimum ${min}), throttled ${counts.throttled}`,
          `  wall ${(result.wallMs / 1000).toFixed(1)} s vs ideal ${(idealMs / 1000).toFixed(1)} s (min/50 per s + ${roundTripMs} ms): ${((result.wallMs / idealMs - 1) * 100).toFixed(1)} % over`,
          `  client CPU ${(result.cpuMs / 1000).toFixed(1)} s (all threads: HTTP + decoding, snapshot writer, gzip), peak RSS ${result.maxRssMB.toFixed(0)} MB, snapshot ${(size / 1e6).toFixed(1)} MB, functions written ${result.functions}, failed regions [${result.failedRegions.join(',')}], warnings ${result.warnings}`,
          `  under the real 396,000 data points/s quota the same calls need >= ${((n * REQUIRED_METRICS.length * points) / 396_000).toFixed(0)} s (see docs/live-collection.md)`,
        ].join('\n'),
      );
    } finally {
      await rm(out, { force: true });
    }
  });
}

const args = process.argv.slice(2);
if (args[0] === '--serve') {
  await serve(Number(args[1]));
} else if (args[0] === '--client') {
  await client(args[1]!, args[2]!);
} else {
  const sizes = args.length > 0 ? args.map(Number) : [1000, 10_000];
  for (const n of sizes) await measure(n);
}
