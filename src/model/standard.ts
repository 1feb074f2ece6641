/**
 * Standard Lambda billing formulas, one per line of the bill. Prices come from the PriceBook;
 * every formula follows https://aws.amazon.com/lambda/pricing/ (and its worked examples).
 */
import type { DurationTier, LambdaRegionPrices } from '../prices/types.js';
import type { Architecture } from '../source/profile.js';

/** Lambda prices duration per GB-s with memory in GB = MB / 1024 (pricing page). */
const MB_PER_GB = 1024;
/** Ephemeral storage up to 512 MB is included at no cost (pricing page, "Ephemeral storage"). */
export const FREE_EPHEMERAL_MB = 512;

/**
 * Billed GB-s: (duration ms + invocations x average round-up ms) / 1000 x memoryMB / 1024.
 * Lambda rounds each invocation's duration up to 1 ms (pricing page), which CloudWatch's
 * Duration sum does not include; `roundingMsPerInvocation` is the billing.* knob for it.
 */
export function billedGbSeconds(
  durationMs: number,
  invocations: number,
  roundingMsPerInvocation: number,
  memoryMB: number,
): number {
  return ((durationMs + invocations * roundingMsPerInvocation) / 1000) * (memoryMB / MB_PER_GB);
}

/**
 * One period's billed duration in ms: the Duration sum plus each invocation's round-up (the
 * numerator of billedGbSeconds). The one formula summarize.ts and the bill's daily model
 * (src/bill/daily-usage.ts) both use per period.
 */
export function periodBilledMs(durationMs: number, invocations: number, roundingMsPerInvocation: number): number {
  return durationMs + invocations * roundingMsPerInvocation;
}

/**
 * ASSUMPTION: in a period, the share of duration served by PC is min(1, PC / peak concurrency):
 * PC environments take requests first, the rest spills to on-demand. With no concurrency
 * recorded but duration present, all of it counts as on PC. Shared as periodBilledMs is.
 */
export function periodPcShare(provisionedConcurrency: number, concurrencyMax: number): number {
  return concurrencyMax > 0 ? Math.min(1, provisionedConcurrency / concurrencyMax) : 1;
}

/**
 * Cost of an aggregate of monthly GB-s under the duration tiers (pricing page: x86 first 6 B GB-s,
 * next 9 B, over 15 B; arm64 first 7.5 B, next 11.25 B, over 18.75 B). Tiers are half-open
 * [from, to): GB-s exactly at a boundary are all priced in the lower tier.
 */
export function tieredDurationUsd(gbSeconds: number, tiers: readonly DurationTier[]): number {
  let usd = 0;
  for (const tier of tiers) {
    if (gbSeconds <= tier.fromGbSeconds) break;
    const inTier = Math.min(gbSeconds, tier.toGbSeconds) - tier.fromGbSeconds;
    usd += inTier * tier.usdPerGbSecond;
  }
  return usd;
}

/** First-tier duration price: what the free tier's GB-s are worth (pricing page, free tier). */
export function firstTierUsdPerGbSecond(tiers: readonly DurationTier[]): number {
  const first = tiers[0];
  if (!first) throw new RangeError('duration tiers are empty');
  return first.usdPerGbSecond;
}

/** Request charge: requests x price ($0.20 per million in us-east-1). Never discounted. */
export function requestsUsd(requests: number, prices: LambdaRegionPrices, arch: Architecture): number {
  return requests * prices.requestUsd[arch];
}

/**
 * Provisioned concurrency configured, in GB-s: PC x memory GB x seconds configured
 * (pricing page PC ex. 2: 7 x 4 GB x 86,400 s = 2,419,200 GB-s).
 */
export function provisionedConcurrencyGbSeconds(
  provisionedConcurrency: number,
  memoryMB: number,
  seconds: number,
): number {
  return provisionedConcurrency * (memoryMB / MB_PER_GB) * seconds;
}

/**
 * Provisioned concurrency bill: configured GB-s at the PC price plus the duration that ran on PC
 * at the PC-duration price (pricing page PC ex. 1 and 2). A Compute Savings Plan discounts both
 * (AWS whitepaper "How AWS Pricing Works": up to 17 % on duration, PC and PC-duration).
 */
export function provisionedConcurrencyUsd(
  quantities: { pcGbSeconds: number; pcDurationGbSeconds: number },
  prices: LambdaRegionPrices,
  arch: Architecture,
  lambdaDiscount: number,
): number {
  const gross =
    quantities.pcGbSeconds * prices.provisionedConcurrencyUsdPerGbSecond[arch] +
    quantities.pcDurationGbSeconds * prices.provisionedDurationUsdPerGbSecond[arch];
  return gross * (1 - lambdaDiscount);
}

/**
 * Ephemeral storage GB-s: (configured MB - 512) / 1024 x billed duration seconds (pricing page
 * ephemeral ex. 3: 1536 MB / 1024 x 1,680,000 s = 2,520,000 GB-s).
 */
export function ephemeralGbSeconds(ephemeralStorageMB: number, billedDurationSeconds: number): number {
  return (Math.max(0, ephemeralStorageMB - FREE_EPHEMERAL_MB) / MB_PER_GB) * billedDurationSeconds;
}

/** Ephemeral storage charge; Savings Plans do not cover it (only duration and PC, whitepaper). */
export function ephemeralStorageUsd(
  gbSeconds: number,
  prices: LambdaRegionPrices,
  arch: Architecture,
): number {
  return gbSeconds * prices.ephemeralStorageUsdPerGbSecond[arch];
}
