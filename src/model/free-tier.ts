/**
 * The Lambda free tier as ONE account-level monthly credit (pricing page: 1M requests and
 * 400,000 GB-s per month, across architectures; it does not apply to functions with provisioned
 * concurrency). Never spread onto functions: per-function figures stay before the free tier.
 */

/** Free tier allowance per month (https://aws.amazon.com/lambda/pricing/, "Free Tier"). */
export const FREE_TIER_REQUESTS = 1_000_000;
export const FREE_TIER_GB_SECONDS = 400_000;

/** Free-tier-eligible usage of one region+architecture bucket, with its prices. */
export interface FreeTierBucket {
  requests: number;
  requestUsd: number;
  /** On-demand GB-s of eligible functions (monthly). */
  gbSeconds: number;
  /** First-tier duration price after pricing.lambdaDiscount: what a free GB-s would have cost. */
  firstTierUsdPerGbSecond: number;
}

/**
 * Monthly credit in USD. The allowance is shared by all buckets; AWS does not say which region or
 * architecture it is applied to first, so ASSUMPTION: each bucket receives the allowance pro rata
 * to its share of the usage, valued at its own first-tier price.
 */
export function freeTierCreditUsd(buckets: readonly FreeTierBucket[]): number {
  const totalRequests = buckets.reduce((s, b) => s + b.requests, 0);
  const totalGbSeconds = buckets.reduce((s, b) => s + b.gbSeconds, 0);
  const requestShare = totalRequests > 0 ? Math.min(FREE_TIER_REQUESTS, totalRequests) / totalRequests : 0;
  const gbShare = totalGbSeconds > 0 ? Math.min(FREE_TIER_GB_SECONDS, totalGbSeconds) / totalGbSeconds : 0;
  let usd = 0;
  for (const b of buckets) {
    usd += b.requests * requestShare * b.requestUsd;
    usd += b.gbSeconds * gbShare * b.firstTierUsdPerGbSecond;
  }
  return usd;
}
