/**
 * Packing execution environments onto instance types, and choosing the cheapest type.
 * Packing formula of the AWS sample calculator (aws-samples/sample-aws-lambda-managed-instances,
 * tools/pricing-calculator/docs/CALCULATOR_METHODOLOGY.md): per instance 1 vCPU + 1 GiB kept for
 * the OS and agent (lmi.osReserveVCpu, lmi.osReserveMemoryMiB); EEs per instance
 * k = min(floor((vCPUs - reserve) / vCPUsPerEE), floor((MiB - reserve) / eeMiB)).
 * Instances = max(minInstances, ceil(EEs / k)): LMI launches 3 instances for AZ resiliency.
 */
import type { Config } from '../../config/schema.js';
import type { InstancePrice } from '../../prices/types.js';
import type { Architecture } from '../../source/profile.js';
import { instanceRates, type InstanceRates } from './cost.js';
import { ceilSafe, type Histogram } from './replay.js';

/** Instance types LMI may use for this architecture: C/M/R families allowed by the config. */
export function candidateInstanceTypes(instances: readonly InstancePrice[], architecture: Architecture, lmi: Config['lmi']): InstancePrice[] {
  const families = new Set<string>(lmi.instanceFamilies);
  const allowed = lmi.allowedInstanceTypes.length > 0 ? new Set(lmi.allowedInstanceTypes) : null;
  return instances
    .filter((t) => t.architecture === architecture && families.has(t.family) && (allowed === null || allowed.has(t.instanceType)))
    .sort((a, b) => a.instanceType.localeCompare(b.instanceType));
}

/** EEs of one shape an instance type holds (AWS sample calculator formula); 0 = does not fit. */
export function environmentsPerInstance(
  type: Pick<InstancePrice, 'vCpus' | 'memoryGiB'>,
  environment: { vCpus: number; memoryMiB: number },
  reserve: { vCpu: number; memoryMiB: number },
): number {
  const byCpu = Math.floor((type.vCpus - reserve.vCpu) / environment.vCpus + 1e-9);
  const byMemory = Math.floor((type.memoryGiB * 1024 - reserve.memoryMiB) / environment.memoryMiB + 1e-9);
  return Math.max(0, Math.min(byCpu, byMemory));
}

/** Instances for a number of EEs: max(minInstances, ceil(environments / k)). */
export function instancesFor(environments: number, perInstance: number, minInstances: number): number {
  return Math.max(minInstances, ceilSafe(environments / perInstance));
}

export interface TypeOption {
  price: InstancePrice;
  rates: InstanceRates;
  /** EEs per instance for the shape this option was built for. */
  perInstance: number;
}

/**
 * Options for one EE shape: every type that holds at least one EE, without the dominated ones
 * (another type holding as many EEs or more for no more money per hour is never worse).
 */
export function typeOptions(
  types: readonly InstancePrice[],
  environment: { vCpus: number; memoryMiB: number },
  lmi: Config['lmi'],
): TypeOption[] {
  const reserve = { vCpu: lmi.osReserveVCpu, memoryMiB: lmi.osReserveMemoryMiB };
  const options: TypeOption[] = [];
  for (const price of types) {
    const perInstance = environmentsPerInstance(price, environment, reserve);
    if (perInstance < 1) continue;
    options.push({ price, rates: instanceRates(price, lmi.discount, lmi.managementFeeShare), perInstance });
  }
  // Sort by EEs per instance descending, then rate ascending: an option is kept only if it is
  // cheaper per hour than every option holding at least as many EEs.
  options.sort((a, b) => b.perInstance - a.perInstance || a.rates.totalUsdPerHour - b.rates.totalUsdPerHour || a.price.instanceType.localeCompare(b.price.instanceType));
  const kept: TypeOption[] = [];
  let cheapest = Infinity;
  for (const o of options) {
    if (o.rates.totalUsdPerHour < cheapest) {
      kept.push(o);
      cheapest = o.rates.totalUsdPerHour;
    }
  }
  return kept;
}

export interface TypeChoice {
  option: TypeOption;
  /** Sum over periods of instances (instance-periods). */
  instancePeriods: number;
  /** instancePeriods x totalUsdPerHour (USD per period-hour unit; multiply by period hours). */
  costUnits: number;
}

/**
 * The cheapest option for an environment histogram. A lower bound per option, rate x
 * max(minInstances x periods, sum(EEs) / k), skips options that cannot win, so most options
 * cost O(1) instead of a pass over the histogram.
 */
export function cheapestType(envHist: Histogram, options: readonly TypeOption[], minInstances: number): TypeChoice | null {
  let envPeriods = 0;
  for (let i = 0; i < envHist.values.length; i++) envPeriods += (envHist.values[i] as number) * (envHist.counts[i] as number);
  const bounds = options.map((o) => ({
    o,
    bound: o.rates.totalUsdPerHour * Math.max(minInstances * envHist.periods, envPeriods / o.perInstance),
  }));
  bounds.sort((a, b) => a.bound - b.bound);
  let best: TypeChoice | null = null;
  for (const { o, bound } of bounds) {
    if (best !== null && bound >= best.costUnits) break;
    let instancePeriods = 0;
    for (let i = 0; i < envHist.values.length; i++) {
      instancePeriods += instancesFor(envHist.values[i] as number, o.perInstance, minInstances) * (envHist.counts[i] as number);
    }
    const costUnits = instancePeriods * o.rates.totalUsdPerHour;
    if (best === null || costUnits < best.costUnits) best = { option: o, instancePeriods, costUnits };
  }
  return best;
}
