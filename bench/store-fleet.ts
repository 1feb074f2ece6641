import { runRecord } from '../src/cli/record-command.js';
import { defaultConfig } from '../src/config/schema.js';
import { analyzeProfiles, analyzeSnapshotFile } from '../src/pipeline/analyze.js';
import { clientFactoryFrom } from '../src/source/aws/clients.js';
import { DEFAULT_LIMITS } from '../src/source/aws/rate-limit.js';
import { localBackend } from '../src/store/backend.js';
import { openStoreSource } from '../src/store/collect.js';
import { TOOL_NAME, VERSION } from '../src/version.js';
import { reportChild } from './child.js';

/**
 * The synthetic fleet of the store benches (bench/store.ts, bench/store-analyze.ts) and the steps
 * both measure on a store in a local directory: analyze from the store, the snapshot of the same
 * window written from it (`record --store`), analyze from that snapshot. One region, us-east-1.
 */

/** N functions: memory, architecture and runtime cycle so every price row is used. */
export function fleet(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `fn-${String(i).padStart(6, '0')}`,
    memoryMB: [128, 256, 512, 1024, 2048][i % 5]!,
    architecture: i % 3 === 0 ? ('x86_64' as const) : ('arm64' as const),
    runtime: ['nodejs22.x', 'python3.13', 'java21'][i % 3]!,
  }));
}

/** SDK clients for the local fake endpoint (`retryMode: 'adaptive'` where the fake throttles). */
export function benchClients(endpoint: string, retry: { retryMode?: 'adaptive' } = {}) {
  return clientFactoryFrom((region) => ({ region, endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, ...retry, maxAttempts: 8 }));
}

type Clients = ReturnType<typeof benchClients>;

/** Analyze of the `days` before `at` from the store in `dir` (every day settled); `openMs`: listing and planning. */
export async function analyzeFromStore(clients: Clients, dir: string, at: Date, days: number) {
  const started = performance.now();
  const source = await openStoreSource({
    regions: ['us-east-1'],
    days,
    now: at,
    settleMinutes: 0,
    livePrices: false,
    limits: { getMetricData: DEFAULT_LIMITS.getMetricData },
    clients,
    store: localBackend(dir),
  });
  const openMs = performance.now() - started;
  const model = await analyzeProfiles({
    header: source.header,
    profiles: source.profiles,
    priceBook: source.priceBook,
    config: defaultConfig(),
    run: { tool: TOOL_NAME, version: VERSION, generatedAt: at.toISOString(), command: 'bench' },
  });
  return { source, model, openMs };
}

/** Child step: `record --store` of the `days` before `at` from the store in `dir` into the snapshot `out`. */
export async function snapshotFromStore(clients: Clients, dir: string, out: string, at: Date, days: number): Promise<void> {
  const started = performance.now();
  const result = await runRecord(
    { regions: ['us-east-1'], days, now: at, livePrices: false, limits: { getMetricData: DEFAULT_LIMITS.getMetricData }, clients },
    out,
    undefined,
    localBackend(dir),
  );
  reportChild({ functions: result.functions, wallMs: performance.now() - started });
}

/** Child step: analyze from the snapshot `file`, at `at`. */
export async function analyzeSnapshotAt(file: string, at: Date): Promise<void> {
  const started = performance.now();
  const model = await analyzeSnapshotFile(file, { config: defaultConfig(), now: at.toISOString() });
  reportChild({ functions: model.functions.length, savingsUsd: model.totals.savingsUsd, wallMs: performance.now() - started });
}
