/**
 * billing.initFromBill: where resource-level billing data covers a function, its standard
 * duration is priced at the bill's GB-s per invocation (INIT included) instead of Duration +
 * rounding. Expressed as extra billed ms per invocation on top of billing.roundingMsPerInvocation,
 * which summarize.ts adds to the standard side only (LMI sizing keeps the measured duration:
 * LMI runs no INIT on the request path). Pure.
 */
import type { Config } from '../config/schema.js';
import type { FunctionProfile, SnapshotWindow } from '../source/profile.js';
import { AGREE_SHARE, functionOfArn } from './compare.js';
import { modelledDays, wholeDays } from './daily-usage.js';
import type { BilledData } from './types.js';
import { parseUsageType, type UsageTypeTable } from './usage-types.js';

export interface DurationFromBill {
  /** Added to billing.roundingMsPerInvocation for this function's standard cost. */
  extraMsPerInvocation: number;
  billedGbSecondsPerInvocation: number;
  modelledGbSecondsPerInvocation: number;
  /** The label shown with the function ("from the bill"). */
  message: string;
}

interface BilledFn {
  requests: Map<string, number>;
  gbSeconds: Map<string, number>;
}

/**
 * Returns, per profile, the adjustment the bill supports, or null where it does not apply: no
 * resource-level data, no bill line, requests that disagree with the metrics (then the bill's
 * per-invocation figure is not about the same invocations), or no known day in common.
 */
export function durationFromBill(
  billed: BilledData,
  window: SnapshotWindow,
  config: Config,
  table: UsageTypeTable,
): (profile: FunctionProfile) => DurationFromBill | null {
  if (billed.status !== 'ok' || billed.level !== 'resource') return () => null;
  const days = new Set(wholeDays(window).filter((d) => d >= billed.startDay && d < billed.endDay));
  const byFunction = new Map<string, BilledFn>();
  for (const line of billed.lines) {
    if (!days.has(line.day) || !line.resourceId) continue;
    const parsed = parseUsageType(line.usageType, table);
    if (parsed.kind !== 'requests' && parsed.kind !== 'duration' && parsed.kind !== 'pcDuration') continue;
    const fn = functionOfArn(line.resourceId);
    if (!fn) continue;
    const key = `${fn.region}\u0000${fn.name}`;
    let entry = byFunction.get(key);
    if (!entry) {
      entry = { requests: new Map(), gbSeconds: new Map() };
      byFunction.set(key, entry);
    }
    const into = parsed.kind === 'requests' ? entry.requests : entry.gbSeconds;
    into.set(line.day, (into.get(line.day) ?? 0) + line.quantity);
  }
  return (profile) => {
    if (profile.capacityProviderArn) return null;
    const entry = byFunction.get(`${profile.region}\u0000${profile.name}`);
    if (!entry) return null;
    let mReq = 0;
    let mGbs = 0;
    let bReq = 0;
    let bGbs = 0;
    for (const d of modelledDays(profile, window, config).days) {
      if (!days.has(d.day) || d.requests === null || d.onDemandGbSeconds === null || d.pcDurationGbSeconds === null) continue;
      mReq += d.requests;
      mGbs += d.onDemandGbSeconds + d.pcDurationGbSeconds;
      bReq += entry.requests.get(d.day) ?? 0;
      bGbs += entry.gbSeconds.get(d.day) ?? 0;
    }
    if (mReq <= 0 || bReq <= 0 || Math.abs(mReq - bReq) > AGREE_SHARE * Math.max(mReq, bReq)) return null;
    const billedPer = bGbs / bReq;
    const modelledPer = mGbs / mReq;
    const memoryGB = profile.memoryMB / 1024;
    // Never below zero billed ms per invocation in total.
    const extra = Math.max(-config.billing.roundingMsPerInvocation, ((billedPer - modelledPer) * 1000) / memoryGB);
    return {
      extraMsPerInvocation: extra,
      billedGbSecondsPerInvocation: billedPer,
      modelledGbSecondsPerInvocation: modelledPer,
      message: `standard duration from the bill: ${billedPer.toPrecision(4)} GB-s per invocation billed (INIT included) against ${modelledPer.toPrecision(4)} from Duration + rounding (${extra >= 0 ? '+' : ''}${extra.toFixed(2)} ms per invocation)`,
    };
  };
}
