import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFactoryFrom, type AwsClientFactory } from '../../src/source/aws/clients.js';
import { openAwsSource } from '../../src/source/aws/index.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { localBackend } from '../../src/store/backend.js';
import { openStoreSource, type StoreSourceOptions } from '../../src/store/collect.js';
import type { FakeFunction } from '../source/aws/fake-aws.js';

/** Shared by the store tests: the fake AWS endpoint (test/source/aws/fake-aws.ts) and a temp store. */

export const FAST = {
  getMetricData: { callsPerSecond: 1e6, concurrency: 8 },
  lambda: { callsPerSecond: 1e6, concurrency: 4 },
  tagging: { callsPerSecond: 1e6, concurrency: 2 },
  cloudWatchList: { callsPerSecond: 1e6, concurrency: 2 },
  pricing: { callsPerSecond: 1e6, concurrency: 2 },
};

export function fakeFactory(endpoint: string, maxAttempts = 3): AwsClientFactory {
  return clientFactoryFrom((region) => ({
    region,
    endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts,
  }));
}

export function fakeFunctions(n: number, prefix = 'fn'): FakeFunction[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}-${i}`,
    memoryMB: 128 * (1 + (i % 8)),
    architecture: i % 2 ? ('arm64' as const) : ('x86_64' as const),
    runtime: 'nodejs22.x',
  }));
}

export async function tempStore(prefix = 'lmi-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function drain(profiles: AsyncIterable<FunctionProfile>): Promise<FunctionProfile[]> {
  const out: FunctionProfile[] = [];
  for await (const p of profiles) out.push(p);
  return out;
}

type Base = Omit<StoreSourceOptions, 'store' | 'clients' | 'regions'> & { regions?: string[] };

/** The profiles `record` reads directly for the same window. */
export async function direct(endpoint: string, o: Base): Promise<FunctionProfile[]> {
  const source = await openAwsSource({ regions: ['us-east-1'], livePrices: false, limits: FAST, ...o, clients: fakeFactory(endpoint) });
  return drain(source.profiles);
}

/** One store-backed run; returns the source (stats, warnings) and its profiles. */
export async function fromStore(endpoint: string, dir: string, o: Base, maxAttempts = 3) {
  const source = await openStoreSource({
    regions: ['us-east-1'],
    livePrices: false,
    limits: FAST,
    ...o,
    store: localBackend(dir),
    clients: fakeFactory(endpoint, maxAttempts),
  });
  const profiles = await drain(source.profiles);
  return { source, profiles };
}
