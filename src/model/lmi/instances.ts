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

/**
 * The candidate lists already built per price list (every function of a region asks for the same
 * few): the sort by name (localeCompare) costs far more than a lookup. A price list is never
 * changed once loaded; the lists returned are shared, so callers must not change them.
 */
const candidatesByInstances = new WeakMap<readonly InstancePrice[], Map<string, readonly InstancePrice[]>>();

/** JSON of both lists (no family or type name can make two different selections share a key), once per config. */
const selectionKeys = new WeakMap<Config['lmi'], string>();
function selectionKey(lmi: Config['lmi']): string {
  let key = selectionKeys.get(lmi);
  if (key === undefined) {
    key = `${JSON.stringify(lmi.instanceFamilies)}|${JSON.stringify(lmi.allowedInstanceTypes)}`;
    selectionKeys.set(lmi, key);
  }
  return key;
}

/** Instance types LMI may use for this architecture: C/M/R families allowed by the config. */
export function candidateInstanceTypes(instances: readonly InstancePrice[], architecture: Architecture, lmi: Config['lmi']): readonly InstancePrice[] {
  // The lists asked for last, by identity (no key string built per function), newest first: a
  // what-if update asks with its own new config 10,000 times, after older configs' entries.
  for (let i = recentCandidates.length - 1; i >= 0; i--) {
    const r = recentCandidates[i] as (typeof recentCandidates)[number];
    if (r.instances === instances && r.architecture === architecture && r.lmi === lmi) return r.found;
  }
  const found = keptCandidates(instances, architecture, lmi);
  if (recentCandidates.length >= MAX_RECENT) recentCandidates.shift();
  recentCandidates.push({ instances, architecture, lmi, found });
  return found;
}

/** The last few (price list, architecture, config) asked for: a handful of regions x architectures. */
const MAX_RECENT = 16;
const recentCandidates: { instances: readonly InstancePrice[]; architecture: Architecture; lmi: Config['lmi']; found: readonly InstancePrice[] }[] = [];

function keptCandidates(instances: readonly InstancePrice[], architecture: Architecture, lmi: Config['lmi']): readonly InstancePrice[] {
  let byKey = candidatesByInstances.get(instances);
  if (byKey === undefined) candidatesByInstances.set(instances, (byKey = new Map()));
  const key = `${architecture}|${selectionKey(lmi)}`;
  let found = byKey.get(key);
  if (found === undefined) {
    const families = new Set<string>(lmi.instanceFamilies);
    const allowed = lmi.allowedInstanceTypes.length > 0 ? new Set(lmi.allowedInstanceTypes) : null;
    found = instances
      .filter((t) => t.architecture === architecture && families.has(t.family) && (allowed === null || allowed.has(t.instanceType)))
      .sort((a, b) => a.instanceType.localeCompare(b.instanceType));
    byKey.set(key, found);
  }
  return found;
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
): readonly TypeOption[] {
  // Functions of one memory size share their shapes: the options are built once per list of
  // types (candidateInstanceTypes keeps it) and per everything they depend on. Shared: read only.
  let rest = optionKeys.get(lmi);
  if (rest === undefined) {
    rest = `${lmi.osReserveVCpu}:${lmi.osReserveMemoryMiB}:${lmi.discount}:${lmi.managementFeeShare}`;
    optionKeys.set(lmi, rest);
  }
  // Whole shapes (every shape environmentShapes makes) by a number: no key string per call.
  const { vCpus, memoryMiB } = environment;
  const numeric = Number.isInteger(vCpus) && vCpus >= 0 && vCpus < 1024 && Number.isInteger(memoryMiB) && memoryMiB >= 0 && memoryMiB < 2 ** 40;
  let byShape: Map<number, readonly TypeOption[]> | undefined;
  if (numeric) {
    let byRest = numericByTypes.get(types);
    if (byRest === undefined) numericByTypes.set(types, (byRest = new Map()));
    byShape = byRest.get(rest);
    if (byShape === undefined) {
      if (byRest.size >= MAX_KEPT_RESTS) byRest.clear();
      byRest.set(rest, (byShape = new Map()));
    }
    const kept = byShape.get(memoryMiB * 1024 + vCpus);
    if (kept !== undefined) return kept;
  }
  let byKey = optionsByTypes.get(types);
  if (byKey === undefined) optionsByTypes.set(types, (byKey = new Map()));
  const key = `${vCpus}:${memoryMiB}:${rest}`;
  let found = byKey.get(key);
  if (found === undefined) {
    if (byKey.size >= MAX_KEPT_OPTIONS) byKey.clear();
    found = buildTypeOptions(types, environment, lmi);
    byKey.set(key, found);
  }
  byShape?.set(memoryMiB * 1024 + vCpus, found);
  return found;
}

/** The part of an option list's key that comes from config.lmi, once per config. */
const optionKeys = new WeakMap<Config['lmi'], string>();

/** Option lists kept per list of types: a few dozen shapes x the discounts tried on a page. */
const MAX_KEPT_OPTIONS = 1024;
const optionsByTypes = new WeakMap<readonly InstancePrice[], Map<string, readonly TypeOption[]>>();
/** Config parts (discounts tried on a page...) whose lists are kept by shape number; each holds a few dozen shapes. */
const MAX_KEPT_RESTS = 64;
/** The same lists by config part, then by memoryMiB x 1024 + vCpus (whole shapes). */
const numericByTypes = new WeakMap<readonly InstancePrice[], Map<string, Map<number, readonly TypeOption[]>>>();

function buildTypeOptions(types: readonly InstancePrice[], environment: { vCpus: number; memoryMiB: number }, lmi: Config['lmi']): TypeOption[] {
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
 * What cheapestType reads of an environment histogram: its periods, its sum of EEs over periods
 * and, per EEs per instance, its instance-periods. A source that keeps these between sizings (the
 * what-if page) prices a candidate again without its histogram.
 */
export interface EnvironmentDemand {
  periods: number;
  /** Sum over periods of EEs (values x counts, in ascending order of values). */
  environmentPeriods: number;
  /** Sum over periods of instancesFor(EEs, perInstance, minInstances). */
  instancePeriods(perInstance: number, minInstances: number): number;
}

/** Sum over periods of EEs, in ascending order of values (the first `length` entries of a histogram's arrays). */
export function environmentPeriodsOf(values: Float64Array, counts: Float64Array, length = values.length): number {
  let envPeriods = 0;
  for (let i = 0; i < length; i++) envPeriods += (values[i] as number) * (counts[i] as number);
  return envPeriods;
}

/** Sum over periods of the instances each period's EEs need (the first `length` entries). */
export function instancePeriodsOf(values: Float64Array, counts: Float64Array, perInstance: number, minInstances: number, length = values.length): number {
  let instancePeriods = 0;
  for (let i = 0; i < length; i++) {
    instancePeriods += instancesFor(values[i] as number, perInstance, minInstances) * (counts[i] as number);
  }
  return instancePeriods;
}

/** The demand of an environment histogram, read from it on each call. */
export function histogramDemand(envHist: Histogram): EnvironmentDemand {
  return {
    periods: envHist.periods,
    environmentPeriods: environmentPeriodsOf(envHist.values, envHist.counts),
    instancePeriods: (perInstance, minInstances) => instancePeriodsOf(envHist.values, envHist.counts, perInstance, minInstances),
  };
}

/** A demand that keeps each instance-periods it computes (for one minInstances). */
export function keptInstancePeriods(demand: EnvironmentDemand): EnvironmentDemand {
  const byPerInstance = new Map<number, number>();
  let keptFor = Number.NaN;
  return {
    periods: demand.periods,
    environmentPeriods: demand.environmentPeriods,
    instancePeriods: (perInstance, minInstances) => {
      if (minInstances !== keptFor) {
        byPerInstance.clear();
        keptFor = minInstances;
      }
      let value = byPerInstance.get(perInstance);
      if (value === undefined) {
        value = demand.instancePeriods(perInstance, minInstances);
        byPerInstance.set(perInstance, value);
      }
      return value;
    },
  };
}

/** The cheapest option for an environment histogram (cheapestTypeOf). */
export function cheapestType(envHist: Histogram, options: readonly TypeOption[], minInstances: number): TypeChoice | null {
  return cheapestTypeOf(histogramDemand(envHist), options, minInstances);
}

/** Scratch for cheapestTypeOf's bounds and their order (not re-entered: no callback runs inside). */
let scratchBounds = new Float64Array(64);
let scratchOrder = new Int32Array(64);

/**
 * The cheapest option for an environment demand. A lower bound per option, rate x
 * max(minInstances x periods, sum(EEs) / k), skips options that cannot win, so most options
 * cost O(1) instead of a pass over the histogram. Options are tried by ascending bound, equal
 * bounds in list order; the first of equal costs wins.
 */
export function cheapestTypeOf(demand: EnvironmentDemand, options: readonly TypeOption[], minInstances: number): TypeChoice | null {
  const at = cheapestOptionOf(demand, options, minInstances);
  return at < 0 ? null : { option: options[at] as TypeOption, instancePeriods: lastChoice.instancePeriods, costUnits: lastChoice.costUnits };
}

/** The figures of the option cheapestOptionOf found last: read them right after the call. */
export const lastChoice = { instancePeriods: 0, costUnits: 0 };

/**
 * cheapestTypeOf without its result object (a sizing searches ~20 times per what-if update): the
 * index of the cheapest option, or -1; its instance-periods and cost units in lastChoice.
 */
export function cheapestOptionOf(demand: EnvironmentDemand, options: readonly TypeOption[], minInstances: number): number {
  const n = options.length;
  if (scratchBounds.length < n) {
    scratchBounds = new Float64Array(2 * n);
    scratchOrder = new Int32Array(2 * n);
  }
  const bounds = scratchBounds;
  const order = scratchOrder;
  const floor = minInstances * demand.periods;
  const envPeriods = demand.environmentPeriods;
  // Insertion sort by bound: stable, as Array#sort, for the handful of options a shape keeps.
  for (let j = 0; j < n; j++) {
    const o = options[j] as TypeOption;
    const bound = o.rates.totalUsdPerHour * Math.max(floor, envPeriods / o.perInstance);
    bounds[j] = bound;
    let at = j;
    while (at > 0 && compareBounds(bounds[order[at - 1] as number] as number, bound) > 0) {
      order[at] = order[at - 1] as number;
      at--;
    }
    order[at] = j;
  }
  // The best so far as locals (one TypeChoice built at the end, not one per improvement).
  let bestAt = -1;
  let bestPeriods = 0;
  let bestUnits = 0;
  for (let r = 0; r < n; r++) {
    const j = order[r] as number;
    const o = options[j] as TypeOption;
    if (bestAt >= 0 && (bounds[j] as number) >= bestUnits) break;
    const instancePeriods = demand.instancePeriods(o.perInstance, minInstances);
    const costUnits = instancePeriods * o.rates.totalUsdPerHour;
    if (bestAt < 0 || costUnits < bestUnits) {
      bestAt = j;
      bestPeriods = instancePeriods;
      bestUnits = costUnits;
    }
  }
  if (bestAt >= 0) {
    lastChoice.instancePeriods = bestPeriods;
    lastChoice.costUnits = bestUnits;
  }
  return bestAt;
}

/** Array#sort's order for the comparator a - b: NaN counts as equal. */
function compareBounds(a: number, b: number): number {
  const d = a - b;
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}
