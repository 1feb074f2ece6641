/**
 * What the model bills per function per UTC day, kept while profiles stream so the comparison
 * with Cost Explorer (daily granularity) uses the same days on both sides. Pure.
 * Only whole UTC days inside the window are kept: a part day cannot be compared with the bill.
 */
import type { Config } from '../config/schema.js';
import type { Architecture, FunctionProfile, SnapshotWindow } from '../source/profile.js';

const DAY_MS = 86_400_000;
const MB_PER_GB = 1024;
/** Ephemeral storage up to 512 MB is free (pricing page, "Ephemeral storage"). */
const FREE_EPHEMERAL_MB = 512;

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
 * Per-day modelled quantities of one profile, with the same formulas as summarize.ts (billed
 * duration = Duration sum + invocations x billing.roundingMsPerInvocation; PC share per period =
 * min(1, PC / peak concurrency)). No extrapolation: a day with an unknown period is null.
 */
export function modelledDays(profile: FunctionProfile, window: SnapshotWindow, config: Config): FunctionDays {
  const roundingMs = config.billing.roundingMsPerInvocation;
  const periodMs = window.periodSeconds * 1000;
  const startMs = Date.parse(window.start);
  const memoryGB = profile.memoryMB / MB_PER_GB;
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
    const billedMs = dur + inv * roundingMs;
    day.requests += inv;
    day.billedMs += billedMs;
    if (pc !== null && pc > 0) {
      // Same assumption as summarize.ts: PC serves min(1, PC / peak) of the period's duration.
      const share = conc != null && conc > 0 ? Math.min(1, pc / conc) : 1;
      day.pcBilledMs += billedMs * share;
    }
  }
  const storageGB = Math.max(0, profile.ephemeralStorageMB - FREE_EPHEMERAL_MB) / MB_PER_GB;
  const days: ModelledDay[] = [...acc.entries()].map(([day, a]) => ({
    day,
    requests: a.unknown ? null : a.requests,
    onDemandGbSeconds: a.unknown ? null : ((a.billedMs - a.pcBilledMs) / 1000) * memoryGB,
    pcDurationGbSeconds: a.unknown ? null : (a.pcBilledMs / 1000) * memoryGB,
    pcGbSeconds: pc === null ? null : pc * memoryGB * 86_400,
    storageGbSeconds: a.unknown ? null : storageGB * (a.billedMs / 1000),
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
