/**
 * LMI money. Pricing page (https://aws.amazon.com/lambda/pricing/, "Lambda Managed Instances"):
 * EC2 instance charge at the EC2 price (Savings Plans / RIs apply), plus a management fee of 15 %
 * of the EC2 *on-demand* price per instance-hour (discounts never reduce it), plus $0.20 per
 * million requests. No duration charge.
 */
import { windowHours, type SnapshotWindow } from '../../source/profile.js';
import type { InstancePrice } from '../../prices/types.js';

/** Month of the report: 730 h (README: every figure is USD per month of 730 hours). */
export const HOURS_PER_MONTH = 730;

/** Factor turning window totals into a 730-h month. */
export function monthFactor(window: SnapshotWindow): number {
  return HOURS_PER_MONTH / windowHours(window);
}

export type LmiCostInput = {
  instanceHours: number;
  onDemandUsdPerHour: number;
  requests: number;
  /** LMI request charge per request ($0.20 per million = 0.0000002). */
  requestUsd: number;
  /** Savings Plan / RI discount on the EC2 part only. */
  discount: number;
  /**
   * The discounted EC2 rate, when a source gives it already rounded (the pricing page shows
   * $0.0457/h for $0.1632 at 72 %); replaces onDemand x (1 - discount).
   */
  discountedUsdPerHour?: number;
} & ({ feeShare: number; feeUsdPerHour?: undefined } | { feeUsdPerHour: number; feeShare?: undefined });

export interface LmiCost {
  ec2Usd: number;
  managementFeeUsd: number;
  requestsUsd: number;
  totalUsd: number;
}

/**
 * instanceHours x (onDemand x (1 - discount) + fee) + requests x requestUsd, where
 * fee = feeUsdPerHour, or onDemand x feeShare (15 % of on-demand: never discounted).
 */
export function lmiMonthlyCost(input: LmiCostInput): LmiCost {
  const ec2Rate = input.discountedUsdPerHour ?? input.onDemandUsdPerHour * (1 - input.discount);
  const feeRate = input.feeUsdPerHour ?? input.onDemandUsdPerHour * (input.feeShare as number);
  const ec2Usd = input.instanceHours * ec2Rate;
  const managementFeeUsd = input.instanceHours * feeRate;
  const requestsUsd = input.requests * input.requestUsd;
  return { ec2Usd, managementFeeUsd, requestsUsd, totalUsd: ec2Usd + managementFeeUsd + requestsUsd };
}

/** Hourly rates of one instance type under the configured discount and fee share. */
export interface InstanceRates {
  ec2UsdPerHour: number;
  feeUsdPerHour: number;
  totalUsdPerHour: number;
}

/** The price book's management fee when it lists one, else on-demand x managementFeeShare. */
export function instanceRates(price: InstancePrice, discount: number, managementFeeShare: number): InstanceRates {
  const ec2UsdPerHour = price.onDemandUsdPerHour * (1 - discount);
  const feeUsdPerHour = price.managementFeeUsdPerHour ?? price.onDemandUsdPerHour * managementFeeShare;
  return { ec2UsdPerHour, feeUsdPerHour, totalUsdPerHour: ec2UsdPerHour + feeUsdPerHour };
}
