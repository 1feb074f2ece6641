import type { Architecture } from '../source/profile.js';

/** One duration tier: applies to account GB-s in [fromGbSeconds, toGbSeconds) per region+arch. */
export interface DurationTier {
  fromGbSeconds: number;
  /** Infinity for the last tier. */
  toGbSeconds: number;
  usdPerGbSecond: number;
}

/** Standard Lambda prices of one region (https://aws.amazon.com/lambda/pricing/). */
export interface LambdaRegionPrices {
  /** Per request (x86 and arm64 are the same today, kept apart as the offer is). */
  requestUsd: Record<Architecture, number>;
  /** Tiers sorted by fromGbSeconds, first from 0, last to Infinity. */
  durationTiers: Record<Architecture, DurationTier[]>;
  provisionedConcurrencyUsdPerGbSecond: Record<Architecture, number>;
  provisionedDurationUsdPerGbSecond: Record<Architecture, number>;
  /** Ephemeral storage configured above 512 MB. */
  ephemeralStorageUsdPerGbSecond: Record<Architecture, number>;
  /** LMI request charge per request (pricing page: $0.20 per million). */
  lmiRequestUsd: number;
}

export interface InstancePrice {
  instanceType: string;
  /** 'c' | 'm' | 'r' (first letter of the type). */
  family: string;
  architecture: Architecture;
  vCpus: number;
  memoryGiB: number;
  onDemandUsdPerHour: number;
  /** LMI management fee per hour when the offer lists it; else the model uses the share knob. */
  managementFeeUsdPerHour?: number;
}

export interface RegionPrices {
  region: string;
  /** Absent when the region has no Lambda prices: its functions get a warning, no figure. */
  lambda?: LambdaRegionPrices;
  /** EC2 Linux on-demand prices of the C/M/R types (may be empty). */
  instances: InstancePrice[];
}

export interface PriceBook {
  source: 'live' | 'bundled' | 'snapshot';
  /** Date the prices were read or published (ISO date). */
  asOf: string;
  regions: Record<string, RegionPrices>;
  /** Problems met while parsing (skipped items, missing dimensions). */
  warnings: string[];
}
