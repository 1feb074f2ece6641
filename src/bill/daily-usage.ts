/**
 * What the model bills per function per UTC day, kept while profiles stream so the comparison
 * with Cost Explorer (daily granularity) uses the same days on both sides. Pure.
 * Only whole UTC days inside the window are kept: a part day cannot be compared with the bill.
 */
import type { Config } from '../config/schema.js';
import {
  billedGbSeconds,
  ephemeralGbSeconds,
  periodBilledMs,
  periodPcShare,
  provisionedConcurrencyGbSeconds,
} from '../model/standard.js';
import type { Architecture, FunctionProfile, SnapshotWindow } from '../source/profile.js';

const DAY_MS = 86_400_000;
const DAY_SECONDS = 86_400;

/** One day of one function; `null` quantities = a period of the day had unknown metrics. */
export interface ModelledDay {
  day: string;
  requests: number | null;
  /** Billed on-demand GB-s (duration + rounding) not served by PC. */
  onDemandGbSeconds: number | null;
  /** Billed GB-s that ran on PC. */
  pcDurationGbSeconds: number | null;
  /** PC configured GB-s: PC x memory GB x 86,400 s (null when PC is unknown). */
  pcGbSeconds: number | null;
  storageGbSeconds: number | null;
}

export interface FunctionDays {
  region: string;
  name: string;
  architecture: Architecture;
  memoryMB: number;
  alreadyOnLmi: boolean;
  capacityProviderArn: string | null;
  /** Lambda Insights INIT ms per invocation over the window (profile field); null = no Insights data. */
  initMsPerInvocation: number | null;
  days: ModelledDay[];
}

/** UTC day (YYYY-MM-DD) of an instant in ms. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The whole UTC days inside the window: [firstDayMs, endDayMs) at midnight. */
export function wholeDays(window: SnapshotWindow): string[] {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const first = Math.ceil(start / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let t = first; t + DAY_MS <= end; t += DAY_MS) days.push(utcDay(t));
  return days;
}

/**
 * Per-day modelled quantities of one profile, with the formulas summarize.ts uses, shared with it
 * (src/model/standard.ts: periodBilledMs = Duration sum + invocations x
 * billing.roundingMsPerInvocation, periodPcShare = min(1, PC / peak concurrency); GB-s by
 * billedGbSeconds, provisionedConcurrencyGbSeconds, ephemeralGbSeconds), so the two cannot
 * drift. No extrapolation: a day with an unknown period is null.
 */
export function modelledDays(profile: FunctionProfile, window: SnapshotWindow, config: Config): FunctionDays {
  const roundingMs = config.billing.roundingMsPerInvocation;
  const periodMs = window.periodSeconds * 1000;
  const startMs = Date.parse(window.start);
  const pc = profile.provisionedConcurrency;
  const keep = new Set(wholeDays(window));
  interface Acc { requests: number; billedMs: number; pcBilledMs: number; unknown: boolean }
  const acc = new Map<string, Acc>();
  for (const day of keep) acc.set(day, { requests: 0, billedMs: 0, pcBilledMs: 0, unknown: false });
  const { invocations, durationMsSum, concurrencyMax } = profile.series;
  for (let i = 0; i < invocations.length; i++) {
    const day = acc.get(utcDay(startMs + i * periodMs));
    if (!day) continue;
    const inv = invocations[i];
    const dur = durationMsSum[i];
    const conc = concurrencyMax[i];
    // As summarize.ts: a period with any required series unknown is unknown.
    if (inv == null || dur == null || conc == null) {
      day.unknown = true;
      continue;
    }
    const billedMs = periodBilledMs(dur, inv, roundingMs);
    day.requests += inv;
    day.billedMs += billedMs;
    if (pc !== null && pc > 0) day.pcBilledMs += billedMs * periodPcShare(pc, conc);
  }
  // ms -> GB-s: billedGbSeconds with the round-up already in the ms (0 invocations x 0 ms).
  const gbSecondsOf = (ms: number): number => billedGbSeconds(ms, 0, 0, profile.memoryMB);
  const days: ModelledDay[] = [...acc.entries()].map(([day, a]) => ({
    day,
    requests: a.unknown ? null : a.requests,
    onDemandGbSeconds: a.unknown ? null : gbSecondsOf(a.billedMs - a.pcBilledMs),
    pcDurationGbSeconds: a.unknown ? null : gbSecondsOf(a.pcBilledMs),
    pcGbSeconds: pc === null ? null : provisionedConcurrencyGbSeconds(pc, profile.memoryMB, DAY_SECONDS),
    storageGbSeconds: a.unknown ? null : ephemeralGbSeconds(profile.ephemeralStorageMB, a.billedMs / 1000),
  }));
  return {
    region: profile.region,
    name: profile.name,
    architecture: profile.architecture,
    memoryMB: profile.memoryMB,
    alreadyOnLmi: profile.capacityProviderArn != null && profile.capacityProviderArn !== '',
    capacityProviderArn: profile.capacityProviderArn ?? null,
    initMsPerInvocation: profile.initMsPerInvocation ?? null,
    days,
  };
}
