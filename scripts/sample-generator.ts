import type { Architecture, FunctionProfile, PeriodSeconds, Series, SnapshotHeader } from '../src/source/profile.js';

/**
 * Deterministic generator of a synthetic account: the bundled SAMPLE ACCOUNT (defaults) and the
 * large accounts of bench/analyze.ts. Own seeded PRNG, no clock: the same options give the same
 * profiles, and through writeSnapshot the same bytes.
 *
 * Traffic is made per minute and summed (or maxed) into coarser periods, the way CloudWatch does.
 * Concurrency follows Little's law: mean concurrency in a minute = invocations x avg duration / 60 s,
 * and the 1-minute maximum is that mean plus a Poisson-like excess (never below the mean).
 */

/** mulberry32: a tiny 32-bit PRNG, good enough for test data and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(): number {
    return this.next();
  }
  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  int(low: number, high: number): number {
    return Math.floor(this.between(low, high + 1));
  }
  /** Standard normal (Box-Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Poisson count: exact (Knuth) for small means, normal approximation above 40. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/** Per-function seed, so each profile can be generated alone (the benchmark streams them). */
function seedFor(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

type Traffic =
  /** Constant rate with a slow +-5 % drift. */
  | { kind: 'steady'; rps: number }
  /** Day/night cycle peaking at `peakHourUtc`; `troughShare` of the peak at night; lighter weekends. */
  | { kind: 'diurnal'; peakRps: number; troughShare: number; peakHourUtc: number; weekendShare: number }
  /** A base rate with sudden bursts: x`factor` from one minute to the next, for `minutes`. */
  | { kind: 'bursty'; rps: number; burstsPerDay: number; factor: number; minutes: number }
  /** Scheduled runs: `count` invocations every `everyMinutes`, at `offsetMinute`. */
  | { kind: 'cron'; everyMinutes: number; offsetMinute: number; count: number }
  /** A few invocations a day at random times. */
  | { kind: 'idle'; perDay: number };

interface Archetype {
  name: string;
  region: 'us-east-1' | 'us-west-2';
  runtime: string | null;
  architecture: Architecture;
  memoryMB: number;
  timeoutSeconds: number;
  ephemeralStorageMB?: number;
  provisionedConcurrency?: number;
  reservedConcurrency?: number;
  image?: boolean;
  tags: Record<string, string>;
  memoryUsedMBMax?: number;
  cpuSecondsPerInvocation?: number;
  traffic: Traffic;
  /** Average duration of one invocation. */
  durationMs: number;
  /** Relative minute-to-minute spread of the average duration. */
  durationSpread?: number;
  errorRate?: number;
  /** Record the optional durationMsMax / errors series. */
  detailed?: boolean;
  /** Minutes with no data (CloudWatch PartialData): a contiguous gap of nulls. */
  unknownMinutes?: number;
}

const TRUST = 'lmi-advisor:trust-group';

/** The hand-designed functions of the sample account: one per shape real accounts have. */
export const ARCHETYPES: readonly Archetype[] = [
  // --- us-east-1 ---
  { name: 'orders-api', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 30,
    tags: { team: 'checkout', service: 'orders', [TRUST]: 'payments' }, traffic: { kind: 'diurnal', peakRps: 420, troughShare: 0.35, peakHourUtc: 17, weekendShare: 0.8 },
    durationMs: 140, detailed: true, errorRate: 0.002 },
  { name: 'payments-authorizer', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 2048, timeoutSeconds: 15, reservedConcurrency: 600,
    // I/O-bound, measured (Lambda Insights): 18 ms of CPU in a 180 ms call spent waiting on the card network.
    cpuSecondsPerInvocation: 0.018, tags: { team: 'payments', service: 'authorizer', [TRUST]: 'payments' }, traffic: { kind: 'steady', rps: 600 }, durationMs: 180 },
  { name: 'checkout-cart', region: 'us-east-1', runtime: 'nodejs20.x', architecture: 'x86_64', memoryMB: 1536, timeoutSeconds: 20,
    tags: { team: 'checkout', service: 'cart', [TRUST]: 'payments' }, traffic: { kind: 'diurnal', peakRps: 150, troughShare: 0.2, peakHourUtc: 18, weekendShare: 1.2 },
    durationMs: 95 },
  { name: 'catalog-search', region: 'us-east-1', runtime: 'python3.13', architecture: 'x86_64', memoryMB: 3008, timeoutSeconds: 10, memoryUsedMBMax: 1420,
    tags: { team: 'search', service: 'catalog', [TRUST]: 'platform' }, traffic: { kind: 'diurnal', peakRps: 220, troughShare: 0.3, peakHourUtc: 16, weekendShare: 0.9 },
    durationMs: 240, unknownMinutes: 15 },
  { name: 'image-resizer', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'x86_64', memoryMB: 10240, timeoutSeconds: 120, ephemeralStorageMB: 4096,
    cpuSecondsPerInvocation: 4.6, tags: { team: 'media', service: 'images' }, traffic: { kind: 'bursty', rps: 6, burstsPerDay: 3, factor: 4, minutes: 20 },
    durationMs: 1900, durationSpread: 0.1 },
  { name: 'pdf-renderer', region: 'us-east-1', runtime: null, image: true, architecture: 'x86_64', memoryMB: 4096, timeoutSeconds: 300, ephemeralStorageMB: 2048,
    tags: { team: 'billing', service: 'documents' }, traffic: { kind: 'diurnal', peakRps: 4, troughShare: 0.05, peakHourUtc: 15, weekendShare: 0.2 },
    durationMs: 3200, durationSpread: 0.15 },
  { name: 'ledger-reconcile-hourly', region: 'us-east-1', runtime: 'python3.12', architecture: 'x86_64', memoryMB: 2048, timeoutSeconds: 900,
    tags: { team: 'finance', service: 'ledger', [TRUST]: 'payments' }, traffic: { kind: 'cron', everyMinutes: 60, offsetMinute: 5, count: 1 },
    durationMs: 170_000, durationSpread: 0.1 },
  { name: 'legacy-reports', region: 'us-east-1', runtime: 'nodejs18.x', architecture: 'x86_64', memoryMB: 512, timeoutSeconds: 60,
    tags: { team: 'analytics', service: 'reports' }, traffic: { kind: 'diurnal', peakRps: 3, troughShare: 0.02, peakHourUtc: 14, weekendShare: 0.1 },
    durationMs: 850 },
  { name: 'auth-token-validator', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 512, timeoutSeconds: 5,
    tags: { team: 'identity', service: 'auth', [TRUST]: 'platform' }, traffic: { kind: 'steady', rps: 850 }, durationMs: 12, durationSpread: 0.08 },
  { name: 'webhook-ingest', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 30, reservedConcurrency: 60,
    tags: { team: 'integrations', service: 'webhooks', [TRUST]: 'platform' }, traffic: { kind: 'bursty', rps: 45, burstsPerDay: 4, factor: 5, minutes: 8 },
    durationMs: 210, detailed: true, errorRate: 0.004 },
  { name: 'flash-sale-api', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'x86_64', memoryMB: 1024, timeoutSeconds: 10,
    tags: { team: 'merchandising', service: 'promotions' }, traffic: { kind: 'bursty', rps: 60, burstsPerDay: 2, factor: 3.5, minutes: 30 },
    durationMs: 130 },
  { name: 'session-store-sync', region: 'us-east-1', runtime: 'java21', architecture: 'arm64', memoryMB: 2048, timeoutSeconds: 30,
    tags: { team: 'identity', service: 'sessions', [TRUST]: 'platform' }, traffic: { kind: 'steady', rps: 90 }, durationMs: 65 },
  { name: 'ml-feature-scorer', region: 'us-east-1', runtime: 'python3.13', architecture: 'arm64', memoryMB: 4096, timeoutSeconds: 30, memoryUsedMBMax: 3150,
    cpuSecondsPerInvocation: 0.31, tags: { team: 'ml', service: 'scoring' }, traffic: { kind: 'diurnal', peakRps: 70, troughShare: 0.4, peakHourUtc: 17, weekendShare: 0.9 },
    durationMs: 420 },
  { name: 'invoice-api', region: 'us-east-1', runtime: 'dotnet8', architecture: 'x86_64', memoryMB: 1024, timeoutSeconds: 30,
    tags: { team: 'billing', service: 'invoices', [TRUST]: 'payments' }, traffic: { kind: 'diurnal', peakRps: 35, troughShare: 0.1, peakHourUtc: 15, weekendShare: 0.3 },
    durationMs: 150 },
  { name: 'login-api', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 10, provisionedConcurrency: 50,
    tags: { team: 'identity', service: 'login', [TRUST]: 'platform' }, traffic: { kind: 'diurnal', peakRps: 160, troughShare: 0.25, peakHourUtc: 13, weekendShare: 0.7 },
    durationMs: 110 },
  { name: 'quote-api', region: 'us-east-1', runtime: 'java21', architecture: 'x86_64', memoryMB: 2048, timeoutSeconds: 30, provisionedConcurrency: 20,
    tags: { team: 'insurance', service: 'quotes' }, traffic: { kind: 'diurnal', peakRps: 25, troughShare: 0.15, peakHourUtc: 15, weekendShare: 0.4 },
    durationMs: 380 },
  { name: 'admin-dashboard-api', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 256, timeoutSeconds: 10,
    tags: { team: 'platform', service: 'admin' }, traffic: { kind: 'idle', perDay: 40 }, durationMs: 320 },
  { name: 'dead-letter-redrive', region: 'us-east-1', runtime: 'python3.13', architecture: 'arm64', memoryMB: 512, timeoutSeconds: 300,
    tags: { team: 'platform', service: 'queues' }, traffic: { kind: 'idle', perDay: 2 }, durationMs: 4500 },
  { name: 'cost-alert-notifier', region: 'us-east-1', runtime: 'python3.12', architecture: 'arm64', memoryMB: 256, timeoutSeconds: 60,
    tags: { team: 'finops', service: 'alerts' }, traffic: { kind: 'cron', everyMinutes: 60, offsetMinute: 0, count: 1 }, durationMs: 2300 },
  { name: 's3-audit-log-shipper', region: 'us-east-1', runtime: 'provided.al2023', architecture: 'arm64', memoryMB: 256, timeoutSeconds: 60,
    tags: { team: 'security', service: 'audit', [TRUST]: 'platform' }, traffic: { kind: 'steady', rps: 22 }, durationMs: 35 },
  // --- Second half. Only three stay in us-west-2: the bundled price book has no us-west-2 prices,
  // so they show the honest "no prices" path; the rest run in us-east-1 and are priced. ---
  { name: 'orders-api', region: 'us-west-2', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 30,
    tags: { team: 'checkout', service: 'orders', [TRUST]: 'payments' }, traffic: { kind: 'diurnal', peakRps: 90, troughShare: 0.3, peakHourUtc: 20, weekendShare: 0.8 },
    durationMs: 150 },
  { name: 'clickstream-collector', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 10,
    cpuSecondsPerInvocation: 0.006, tags: { team: 'analytics', service: 'clickstream', [TRUST]: 'platform' }, traffic: { kind: 'steady', rps: 520 }, durationMs: 45, unknownMinutes: 3 },
  { name: 'recommendations-api', region: 'us-east-1', runtime: 'python3.13', architecture: 'arm64', memoryMB: 8192, timeoutSeconds: 30, memoryUsedMBMax: 5300,
    tags: { team: 'ml', service: 'recommendations' }, traffic: { kind: 'diurnal', peakRps: 110, troughShare: 0.3, peakHourUtc: 20, weekendShare: 1.1 },
    durationMs: 290 },
  { name: 'graphql-gateway', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 2048, timeoutSeconds: 29,
    tags: { team: 'platform', service: 'gateway', [TRUST]: 'platform' }, traffic: { kind: 'diurnal', peakRps: 300, troughShare: 0.3, peakHourUtc: 19, weekendShare: 0.85 },
    durationMs: 160, detailed: true, errorRate: 0.001 },
  { name: 'geo-ip-lookup', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 128, timeoutSeconds: 3,
    tags: { team: 'platform', service: 'geo' }, traffic: { kind: 'steady', rps: 380 }, durationMs: 8, durationSpread: 0.1 },
  { name: 'email-sender', region: 'us-west-2', runtime: 'python3.9', architecture: 'x86_64', memoryMB: 512, timeoutSeconds: 60,
    tags: { team: 'growth', service: 'email' }, traffic: { kind: 'bursty', rps: 2, burstsPerDay: 1, factor: 12, minutes: 45 }, durationMs: 600 },
  { name: 'thumbnail-generator', region: 'us-east-1', runtime: 'nodejs20.x', architecture: 'x86_64', memoryMB: 3008, timeoutSeconds: 60, ephemeralStorageMB: 2048,
    tags: { team: 'media', service: 'thumbnails' }, traffic: { kind: 'diurnal', peakRps: 12, troughShare: 0.2, peakHourUtc: 19, weekendShare: 1 },
    durationMs: 1400, durationSpread: 0.12 },
  { name: 'video-transcode-dispatch', region: 'us-east-1', runtime: 'python3.13', architecture: 'x86_64', memoryMB: 1769, timeoutSeconds: 900,
    cpuSecondsPerInvocation: 11.5, tags: { team: 'media', service: 'video' }, traffic: { kind: 'bursty', rps: 0.5, burstsPerDay: 2, factor: 6, minutes: 30 },
    durationMs: 14_000, durationSpread: 0.2 },
  { name: 'warehouse-etl-hourly', region: 'us-east-1', runtime: 'python3.12', architecture: 'x86_64', memoryMB: 6144, timeoutSeconds: 900, ephemeralStorageMB: 10240,
    tags: { team: 'data', service: 'warehouse' }, traffic: { kind: 'cron', everyMinutes: 60, offsetMinute: 15, count: 4 }, durationMs: 480_000, durationSpread: 0.15 },
  { name: 'status-page-probe', region: 'us-west-2', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 128, timeoutSeconds: 10,
    tags: { team: 'sre', service: 'status' }, traffic: { kind: 'cron', everyMinutes: 1, offsetMinute: 0, count: 3 }, durationMs: 420 },
  { name: 'partner-sync', region: 'us-east-1', runtime: 'java21', architecture: 'x86_64', memoryMB: 3072, timeoutSeconds: 120,
    tags: { team: 'integrations', service: 'partners', [TRUST]: 'platform' }, traffic: { kind: 'bursty', rps: 8, burstsPerDay: 6, factor: 3, minutes: 10 },
    durationMs: 900 },
  { name: 'inventory-events', region: 'us-east-1', runtime: 'nodejs22.x', architecture: 'x86_64', memoryMB: 768, timeoutSeconds: 60,
    tags: { team: 'fulfilment', service: 'inventory' }, traffic: { kind: 'steady', rps: 140 }, durationMs: 75 },
];

export interface GenerateOptions {
  seed: number;
  /** Number of functions; default the hand-designed set. More cycles the archetypes with varied parameters. */
  functions?: number;
  days?: number;
  periodSeconds?: PeriodSeconds;
  /** Window start, ISO-8601 at a whole minute. */
  start?: string;
}

const MINUTE_MS = 60_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A variant of archetype `index % n` for functions beyond the hand-designed set. */
function variant(index: number, seed: number): Archetype {
  const base = ARCHETYPES[index % ARCHETYPES.length] as Archetype;
  if (index < ARCHETYPES.length) return base;
  const rng = new Rng(seedFor(seed ^ 0x5bd1e995, index));
  const scale = Math.exp(rng.between(Math.log(0.2), Math.log(3)));
  const traffic: Traffic =
    base.traffic.kind === 'steady'
      ? { ...base.traffic, rps: base.traffic.rps * scale }
      : base.traffic.kind === 'diurnal'
        ? { ...base.traffic, peakRps: base.traffic.peakRps * scale, peakHourUtc: rng.int(0, 23) }
        : base.traffic.kind === 'bursty'
          ? { ...base.traffic, rps: base.traffic.rps * scale }
          : base.traffic.kind === 'cron'
            ? { ...base.traffic, offsetMinute: rng.int(0, base.traffic.everyMinutes - 1) }
            : { ...base.traffic, perDay: Math.max(1, Math.round(base.traffic.perDay * scale)) };
  // The index itself: unique even where two archetypes share a name (orders-api in two regions).
  const suffix = `-${String(index).padStart(5, '0')}`;
  return {
    ...base,
    name: `${base.name.slice(0, 64 - suffix.length)}${suffix}`,
    // us-east-1, the bundled price book's region: a benchmark must size every function, not skip
    // unpriced ones.
    region: 'us-east-1',
    traffic,
    durationMs: Math.max(1, Math.round(base.durationMs * rng.between(0.5, 2))),
  };
}

function rateRps(traffic: Traffic, minuteMs: number, rng: Rng, bursts: Set<number>, minute: number): number {
  switch (traffic.kind) {
    case 'steady':
      return traffic.rps * (1 + 0.05 * Math.sin((2 * Math.PI * minute) / 517));
    case 'diurnal': {
      // Plain arithmetic, not a Date per minute (hot loop): UTC hour, and weekday (1970-01-01 was a Thursday).
      const hour = (minuteMs % 86_400_000) / 3_600_000;
      const shape = 0.5 + 0.5 * Math.cos((2 * Math.PI * (hour - traffic.peakHourUtc)) / 24);
      const day = (Math.floor(minuteMs / 86_400_000) + 4) % 7;
      const weekend = day === 0 || day === 6 ? traffic.weekendShare : 1;
      return traffic.peakRps * weekend * (traffic.troughShare + (1 - traffic.troughShare) * shape);
    }
    case 'bursty':
      return traffic.rps * (bursts.has(minute) ? traffic.factor : 1) * (1 + 0.1 * rng.normal());
    case 'idle':
      return traffic.perDay / 86_400;
    case 'cron':
      return 0;
  }
}

/** Minutes covered by bursts: `burstsPerDay` starts a day at random minutes. */
function burstMinutes(traffic: Traffic, days: number, rng: Rng): Set<number> {
  const minutes = new Set<number>();
  if (traffic.kind !== 'bursty') return minutes;
  for (let day = 0; day < days; day++) {
    for (let b = 0; b < traffic.burstsPerDay; b++) {
      const start = day * 1440 + rng.int(0, 1440 - traffic.minutes);
      for (let m = 0; m < traffic.minutes; m++) minutes.add(start + m);
    }
  }
  return minutes;
}

interface MinuteSeries {
  invocations: Series;
  durationMsSum: Series;
  concurrencyMax: Series;
  durationMsMax: Series;
  errors: Series;
  throttles: Series;
}

/** One archetype's traffic, minute by minute over the window. */
function minuteSeries(spec: Archetype, startMs: number, minutes: number, rng: Rng): MinuteSeries {
  const out: MinuteSeries = {
    invocations: new Array<number | null>(minutes),
    durationMsSum: new Array<number | null>(minutes),
    concurrencyMax: new Array<number | null>(minutes),
    durationMsMax: new Array<number | null>(minutes),
    errors: new Array<number | null>(minutes),
    throttles: new Array<number | null>(minutes),
  };
  const bursts = burstMinutes(spec.traffic, Math.ceil(minutes / 1440), rng);
  const spread = spec.durationSpread ?? 0.03;
  const timeoutMs = spec.timeoutSeconds * 1000;
  // Long runs (cron jobs) stay running over later minutes: concurrency carried per minute.
  const running = new Float64Array(minutes + 1);
  for (let i = 0; i < minutes; i++) {
    const minuteMs = startMs + i * MINUTE_MS;
    let count: number;
    if (spec.traffic.kind === 'cron') {
      const minuteOfDay = Math.round((minuteMs % 86_400_000) / MINUTE_MS);
      count = minuteOfDay % spec.traffic.everyMinutes === spec.traffic.offsetMinute ? spec.traffic.count : 0;
    } else {
      // Extra-Poisson spread (+-2 %) on top of the Poisson count, as real traffic has.
      const mean = rateRps(spec.traffic, minuteMs, rng, bursts, i) * 60 * (1 + 0.02 * rng.normal());
      count = rng.poisson(Math.max(0, mean));
    }
    // Average duration kept at whole ms (the snapshot's resolution; it also keeps the fixture small).
    const avgMs = Math.min(timeoutMs, Math.max(1, Math.round(spec.durationMs * (1 + spread * rng.normal()))));
    let concurrency = 0;
    if (count > 0) {
      const meanConcurrency = (count * avgMs) / MINUTE_MS;
      if (avgMs >= MINUTE_MS) {
        // Each run occupies the minutes it lasts; record the overlap on the following minutes.
        const span = Math.ceil(avgMs / MINUTE_MS);
        for (let k = 1; k < span && i + k < minutes; k++) running[i + k] = (running[i + k] ?? 0) + count;
        concurrency = count;
      } else {
        const peak = Math.ceil(meanConcurrency + Math.sqrt(meanConcurrency) * rng.between(0.5, 2.5));
        concurrency = Math.max(1, Math.min(peak, count));
      }
    }
    concurrency += running[i] ?? 0;
    let throttled = 0;
    if (spec.reservedConcurrency !== undefined && concurrency > spec.reservedConcurrency) {
      // Lambda rejects what exceeds reserved concurrency; throttled requests are not invocations.
      throttled = Math.round(count * (1 - spec.reservedConcurrency / concurrency));
      count -= throttled;
      concurrency = spec.reservedConcurrency;
    }
    const errors = count > 0 && spec.errorRate ? Math.min(count, rng.poisson(count * spec.errorRate)) : 0;
    out.invocations[i] = count;
    out.durationMsSum[i] = Math.round(count * avgMs);
    out.concurrencyMax[i] = concurrency;
    out.durationMsMax[i] = count > 0 ? Math.min(timeoutMs, Math.round(avgMs * rng.between(1.4, 3))) : 0;
    out.errors[i] = errors;
    out.throttles[i] = throttled;
  }
  if (spec.unknownMinutes) {
    const gapStart = rng.int(0, minutes - spec.unknownMinutes);
    for (const series of Object.values(out) as Series[]) series.fill(null, gapStart, gapStart + spec.unknownMinutes);
  }
  return out;
}

/** Minute values into periods: sums (or maxima), null when any minute is unknown. */
function toPeriods(minute: Series, perPeriod: number, combine: 'sum' | 'max'): Series {
  if (perPeriod === 1) return minute;
  const out: Series = new Array<number | null>(minute.length / perPeriod);
  for (let p = 0; p < out.length; p++) {
    let acc: number | null = 0;
    for (let m = p * perPeriod; m < (p + 1) * perPeriod; m++) {
      const v = minute[m] ?? null;
      if (v === null) {
        acc = null;
        break;
      }
      acc = combine === 'sum' ? acc + v : Math.max(acc, v);
    }
    out[p] = acc;
  }
  return out;
}

function profileOf(spec: Archetype, startMs: number, minutes: number, perPeriod: number, rng: Rng): FunctionProfile {
  const m = minuteSeries(spec, startMs, minutes, rng);
  const profile: FunctionProfile = {
    region: spec.region,
    name: spec.name,
    runtime: spec.runtime,
    architecture: spec.architecture,
    memoryMB: spec.memoryMB,
    timeoutSeconds: spec.timeoutSeconds,
    ephemeralStorageMB: spec.ephemeralStorageMB ?? 512,
    provisionedConcurrency: spec.provisionedConcurrency ?? 0,
    reservedConcurrency: spec.reservedConcurrency ?? null,
    packageType: spec.image ? 'Image' : 'Zip',
    tags: spec.tags,
    series: {
      invocations: toPeriods(m.invocations, perPeriod, 'sum'),
      durationMsSum: toPeriods(m.durationMsSum, perPeriod, 'sum'),
      concurrencyMax: toPeriods(m.concurrencyMax, perPeriod, 'max'),
    },
  };
  if (spec.memoryUsedMBMax !== undefined) profile.memoryUsedMBMax = spec.memoryUsedMBMax;
  if (spec.cpuSecondsPerInvocation !== undefined) profile.cpuSecondsPerInvocation = spec.cpuSecondsPerInvocation;
  if (spec.detailed) {
    profile.series.durationMsMax = toPeriods(m.durationMsMax, perPeriod, 'max');
    profile.series.errors = toPeriods(m.errors, perPeriod, 'sum');
  }
  if (spec.reservedConcurrency !== undefined) profile.series.throttles = toPeriods(m.throttles, perPeriod, 'sum');
  return profile;
}

/**
 * A synthetic account. With defaults it is the SAMPLE ACCOUNT (fixtures/sample-account.ndjson.gz):
 * 14 days at 60 s from 2026-11-07, the hand-designed functions in us-east-1 and us-west-2.
 * `profiles()` makes a fresh generator each call; each profile is built only when pulled.
 */
export function generateAccount(opts: GenerateOptions): { header: SnapshotHeader; profiles: () => Generator<FunctionProfile> } {
  const days = opts.days ?? 14;
  const periodSeconds = opts.periodSeconds ?? 60;
  const startMs = Date.parse(opts.start ?? '2026-11-07T00:00:00Z');
  if (!Number.isFinite(startMs) || startMs % MINUTE_MS !== 0) throw new RangeError(`start must be an ISO instant at a whole minute: ${opts.start}`);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number >= 1: ${days}`);
  const count = opts.functions ?? ARCHETYPES.length;
  const minutes = days * 1440;
  const endMs = startMs + minutes * MINUTE_MS;
  const withGaps = Array.from({ length: count }, (_, i) => variant(i, opts.seed)).filter((s) => s.unknownMinutes);
  const header: SnapshotHeader = {
    schema: 'lmi-advisor.snapshot/v1',
    capturedAt: iso(endMs + 3 * 3_600_000),
    accountId: '123456789012',
    window: { start: iso(startMs), end: iso(endMs), periodSeconds },
    regions: ['us-east-1', 'us-west-2'],
  };
  if (withGaps.length > 0) {
    header.warnings = [
      {
        code: 'partial-data',
        message: `CloudWatch returned PartialData for ${withGaps.length} function(s); the missing points are recorded as unknown (null)`,
      },
    ];
  }
  function* profiles(): Generator<FunctionProfile> {
    for (let i = 0; i < count; i++) {
      yield profileOf(variant(i, opts.seed), startMs, minutes, periodSeconds / 60, new Rng(seedFor(opts.seed, i)));
    }
  }
  return { header, profiles };
}

/** Seed of the committed sample account. */
export const SAMPLE_SEED = 20261121;
