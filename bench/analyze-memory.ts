/**
 * Does `analyze` stream? Feeds N synthetic functions of 14 days x 1-minute points (20,160 points
 * per series) through analyzeProfiles and prints heap figures and throughput. If profiles were
 * kept, heap would grow by ~N x 3 series x 20,160 x 8 bytes (~480 KB per function); streaming,
 * it grows only by the summaries.
 *
 *   node --expose-gc --import tsx bench/analyze-memory.ts [N...]
 */
import { defaultConfig } from '../src/config/schema.js';
import { analyzeProfiles } from '../src/pipeline/analyze.js';
import { loadBundledPriceBook } from '../src/prices/bundled.js';
import type { FunctionProfile, SnapshotHeader } from '../src/source/profile.js';

const POINTS = 14 * 24 * 60;
const header: SnapshotHeader = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-21T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-07T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60 },
};

function profile(i: number): FunctionProfile {
  const invocations: number[] = new Array(POINTS);
  const durationMsSum: number[] = new Array(POINTS);
  const concurrencyMax: number[] = new Array(POINTS);
  const peak = 50 + (i % 97) * 40;
  for (let p = 0; p < POINTS; p++) {
    const level = 0.2 + 0.8 * Math.max(0, Math.sin((((p / 60) % 24) - 6) / 24 * 2 * Math.PI));
    const inv = Math.round(peak * level);
    invocations[p] = inv;
    durationMsSum[p] = inv * (40 + (i % 13) * 20);
    concurrencyMax[p] = Math.ceil((inv * (40 + (i % 13) * 20)) / 60_000 * 1.5);
  }
  return {
    region: 'us-east-1',
    name: `fn-${i}`,
    runtime: i % 3 === 0 ? 'python3.13' : 'nodejs22.x',
    architecture: i % 2 === 0 ? 'arm64' : 'x86_64',
    memoryMB: 512 * (1 + (i % 4)),
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: i % 5 === 0 ? { 'lmi-advisor:trust-group': `team-${i % 3}` } : {},
    series: { invocations, durationMsSum, concurrencyMax },
  };
}

async function* stream(n: number): AsyncGenerator<FunctionProfile> {
  for (let i = 0; i < n; i++) yield profile(i);
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

for (const n of process.argv.slice(2).map(Number).filter((x) => x > 0).concat(process.argv.length > 2 ? [] : [100, 400, 1600])) {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const started = performance.now();
  const report = await analyzeProfiles({
    header,
    profiles: stream(n),
    priceBook: loadBundledPriceBook(),
    config: defaultConfig(),
    run: { tool: 'bench', version: '0', generatedAt: header.capturedAt, command: 'bench' },
    onProgress: (done) => {
      if (done % 50 === 0) {
        gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `N=${n}: ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)} functions/s), heap before ${mb(before)} MB, ` +
      `peak during ${mb(peak)} MB, after ${mb(after)} MB (report held), ${((after - before) / n / 1024).toFixed(1)} KB per function; ` +
      `${report.functions.length} functions, ${report.capacityProviders.length} capacity providers`,
  );
}
if (!gc) console.log('(run with node --expose-gc for stable heap figures)');
