/**
 * Several functions sharing one capacity provider: their EEs are packed on the same instances,
 * so the 3-instance floor (lmi.minInstances) is paid once per provider instead of once per
 * function (lambda-managed-instances-scaling.html: "each instance can run EEs of several
 * functions mapped to the same capacity provider").
 *
 * Packing bound: instances(p) = max(minInstances, ceil(sum over members of capacity_m(p) / k_m)),
 * k_m = EEs of member m's shape per instance (instances.ts). This is the fractional bin-packing
 * bound: mixed shapes may not fill instances that well, so the figure can be slightly low when
 * members have very different EE sizes.
 */
import { LmiAdvisorError } from '../../errors.js';
import type { CapacityProviderFunction, CapacityProviderPlan } from '../../report/types.js';
import type { Config } from '../../config/schema.js';
import type { InstancePrice, RegionPrices } from '../../prices/types.js';
import { periodCount, type Architecture, type SnapshotWindow } from '../../source/profile.js';
import { instanceRates, monthFactor, type InstanceRates } from './cost.js';
import { candidateInstanceTypes, environmentsPerInstance } from './instances.js';
import { ceilSafe } from './replay.js';
import type { CapacityRuns, GroupMember, LeveledCapacity } from './types.js';

/** CapacityProviderScalingConfig.MaxVCpuCount API range (API_CapacityProviderScalingConfig). */
export const MAX_VCPU_COUNT_MIN = 2;
export const MAX_VCPU_COUNT_MAX = 15000;

/** GiB per vCPU of the C, M and R families (C 2, M 4, R 8). */
const FAMILY_RATIO: Record<string, number> = { c: 2, m: 4, r: 8 };

interface GroupType {
  price: InstancePrice;
  rates: InstanceRates;
  /** EEs per instance for each distinct member shape. */
  perInstance: number[];
}

/**
 * Plans one capacity provider for `members` (same region, architecture and trust group: the
 * caller's grouping). Tries every allowed instance type that holds every member's EE and keeps
 * the cheapest. Money is per 730-h month; standardTotalUsd is left 0 for build-report.
 * Returns null when no member is given, the region has no Lambda prices, or no type fits all.
 * Note: LMI allows at most 100 function versions per capacity provider (hard quota); splitting
 * larger groups is the caller's job.
 */
export function planCapacityProvider(args: {
  name: string;
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  members: GroupMember[];
  prices: RegionPrices;
  config: Config;
  window: SnapshotWindow;
}): CapacityProviderPlan | null {
  const { members, prices, window } = args;
  const lmi = args.config.lmi;
  if (members.length === 0 || prices.lambda === undefined) return null;
  const periods = periodCount(window);
  // Each member's periods (checked against the window) and EE-periods (sum of capacity x length,
  // for the lower bounds below), in one indexed pass over its levels (the what-if page's) or runs.
  // Plain arrays (of doubles, as a Float64Array holds them): a typed array above 64 bytes gets its
  // own backing store, slow to allocate, and a what-if update plans hundreds of providers.
  const memberEnvPeriods: number[] = new Array<number>(members.length).fill(0);
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as GroupMember;
    const leveled = m.capacity.leveled;
    let total = 0;
    let envPeriods = 0;
    if (leveled) {
      const { levelCapacity, levelPeriods } = leveled;
      for (let j = 0; j < levelPeriods.length; j++) {
        const len = levelPeriods[j] as number;
        total += len;
        envPeriods += (levelCapacity[j] as number) * len;
      }
    } else {
      const { capacity, runLengths } = m.capacity;
      for (let r = 0; r < runLengths.length; r++) {
        const len = runLengths[r] as number;
        total += len;
        if (r < capacity.length) envPeriods += (capacity[r] as number) * len;
      }
    }
    if (total !== periods || m.capacity.periodSeconds !== window.periodSeconds) {
      throw new LmiAdvisorError(
        `capacity provider ${args.name}: member ${m.name} has ${total} periods of ${m.capacity.periodSeconds} s, the window ${periods} of ${window.periodSeconds} s`,
      );
    }
    memberEnvPeriods[i] = envPeriods;
  }

  // Distinct EE shapes: sums of EEs per shape are integers, so the per-period sum stays exact.
  const shapeKeys = members.length > 1 ? new Map<string | number, number>() : null;
  const shapes: { vCpus: number; memoryMiB: number }[] = [];
  // One member (most providers of a what-if update): its shape, without a map.
  const memberShape = shapeKeys === null ? [0] : [];
  if (shapeKeys === null) shapes.push({ vCpus: members[0]!.result.vCpusPerEnvironment, memoryMiB: members[0]!.result.memoryMB });
  else for (const m of members) {
    const { vCpusPerEnvironment: vCpus, memoryMB } = m.result;
    // Whole shapes (all sizeLmi makes) by a number: no key string per member on each update.
    const key =
      Number.isInteger(vCpus) && vCpus >= 0 && vCpus < 1024 && Number.isInteger(memoryMB) && memoryMB >= 0 && memoryMB < 2 ** 40
        ? memoryMB * 1024 + vCpus
        : `${vCpus}:${memoryMB}`;
    let index = shapeKeys.get(key);
    if (index === undefined) {
      index = shapes.length;
      shapeKeys.set(key, index);
      shapes.push({ vCpus: m.result.vCpusPerEnvironment, memoryMiB: m.result.memoryMB });
    }
    memberShape.push(index);
  }

  const types = groupTypes(candidateInstanceTypes(prices.instances, args.architecture, lmi), shapes, lmi);
  if (types.length === 0) return null;

  // Several members: their EE changes by period, from the table kept for this provider where every
  // member has levels (updated for the members that changed), else merged afresh.
  let table: Float64Array | null = null;
  let steps: Steps | null = null;
  if (members.length > 1) {
    table = keptTable(args.name, args.region, args.architecture, members, memberShape, shapes.length, periods);
    if (table === null) steps = mergedSteps(members, memberShape, shapes.length, periods);
  }
  // Sum over periods of each shape's EEs, for a lower bound per type.
  const shapeEnvPeriods: number[] = new Array<number>(shapes.length).fill(0);
  for (let i = 0; i < members.length; i++) {
    const s = memberShape[i] as number;
    shapeEnvPeriods[s] = (shapeEnvPeriods[s] as number) + (memberEnvPeriods[i] as number);
  }
  // Equal bounds in name order: `types` is in candidateInstanceTypes's name order already, so its
  // index stands for the name comparison (localeCompare, slow) with the same result.
  const bounds: number[] = new Array<number>(types.length).fill(0);
  const order: number[] = [];
  for (let index = 0; index < types.length; index++) {
    const t = types[index] as GroupType;
    let fractional = 0;
    for (let s = 0; s < t.perInstance.length; s++) fractional += (shapeEnvPeriods[s] as number) / (t.perInstance[s] as number);
    bounds[index] = t.rates.totalUsdPerHour * Math.max(lmi.minInstances * periods, fractional);
    order.push(index);
  }
  // Types by ascending bound, then index, picked one at a time as the loop reads them: it stops
  // after some 4 of 40 types, so a sort of all is mostly wasted (a what-if update plans hundreds of
  // providers). The picks are the sort's order exactly ((bound, index) is a total order), but
  // where a bound is NaN: the comparator is not one there, and the list is sorted as it was.
  let sorted = false;
  for (let index = 0; index < bounds.length; index++) if (Number.isNaN(bounds[index])) sorted = true;
  if (sorted) order.sort((a, b) => (bounds[a] as number) - (bounds[b] as number) || a - b);

  let best: { t: GroupType; instancePeriods: number; peakInstances: number; cost: number } | null = null;
  for (let r = 0; r < order.length; r++) {
    if (!sorted) {
      let at = r;
      for (let j = r + 1; j < order.length; j++) {
        const a = order[j] as number;
        const b = order[at] as number;
        if ((bounds[a] as number) < (bounds[b] as number) || ((bounds[a] as number) === (bounds[b] as number) && a < b)) at = j;
      }
      const picked = order[at] as number;
      order[at] = order[r] as number;
      order[r] = picked;
    }
    const index = order[r] as number;
    const t = types[index] as GroupType;
    const bound = bounds[index] as number;
    if (best !== null && bound >= best.cost) break;
    const { instancePeriods, peakInstances } =
      table !== null
        ? sweepTable(table, shapes.length, t.perInstance, lmi.minInstances, periods)
        : steps === null
          ? sweepOne(members[0]!.capacity, t.perInstance[0] as number, lmi.minInstances, periods)
          : sweep(steps, shapes.length, t.perInstance, lmi.minInstances, periods);
    const cost = instancePeriods * t.rates.totalUsdPerHour;
    if (best === null || cost < best.cost) best = { t, instancePeriods, peakInstances, cost };
  }
  if (best === null) return null;

  const factor = monthFactor(window);
  const instanceHours = best.instancePeriods * (window.periodSeconds / 3600) * factor;
  const ec2Usd = instanceHours * best.t.rates.ec2UsdPerHour;
  const managementFeeUsd = instanceHours * best.t.rates.feeUsdPerHour;
  let invocations = 0;
  for (const m of members) invocations += m.invocations;
  const requestsUsd = invocations * prices.lambda.lmiRequestUsd * factor;
  const vCpus = best.peakInstances * best.t.price.vCpus;
  const functionSettings: CapacityProviderFunction[] = members.map((m) => ({
    name: m.name,
    memoryMB: m.result.memoryMB,
    memoryGiBPerVCpu: m.result.memoryGiBPerVCpu,
    perEnvironmentConcurrency: m.result.perEnvironmentConcurrency,
    minEnvironments: m.result.minEnvironments,
    maxEnvironments: m.result.maxEnvironments,
  }));
  let dedicatedTotalUsd = 0;
  for (const m of members) dedicatedTotalUsd += m.result.totalUsd;
  return {
    name: args.name,
    region: args.region,
    architecture: args.architecture,
    trustGroup: args.trustGroup,
    instanceType: best.t.price.instanceType,
    memoryGiBPerVCpu: FAMILY_RATIO[best.t.price.family] ?? best.t.price.memoryGiB / best.t.price.vCpus,
    functions: members.map((m) => m.name),
    functionSettings,
    instanceHours,
    avgInstances: best.instancePeriods / periods,
    peakInstances: best.peakInstances,
    // Peak vCPUs rounded up to an even number, inside the API range 2..15000.
    maxVCpuCount: Math.min(MAX_VCPU_COUNT_MAX, Math.max(MAX_VCPU_COUNT_MIN, Math.ceil(vCpus / 2) * 2)),
    ec2Usd,
    managementFeeUsd,
    requestsUsd,
    totalUsd: ec2Usd + managementFeeUsd + requestsUsd,
    dedicatedTotalUsd,
    standardTotalUsd: 0,
  };
}

/**
 * The types a provider may use for its members' shapes, in candidateInstanceTypes's (name) order:
 * each with its rates and EEs per instance of each shape. Kept per candidate list and per shapes
 * and config parts they read (every one-member provider of a shape asks for the same list on each
 * what-if update); shared, read only.
 */
function groupTypes(candidates: readonly InstancePrice[], shapes: readonly { vCpus: number; memoryMiB: number }[], lmi: Config['lmi']): readonly GroupType[] {
  let byKey = typesByCandidates.get(candidates);
  if (byKey === undefined) typesByCandidates.set(candidates, (byKey = new Map()));
  let key = `${lmi.osReserveVCpu}:${lmi.osReserveMemoryMiB}:${lmi.discount}:${lmi.managementFeeShare}`;
  for (const s of shapes) key += `|${s.vCpus}:${s.memoryMiB}`;
  let types = byKey.get(key);
  if (types === undefined) {
    const reserve = { vCpu: lmi.osReserveVCpu, memoryMiB: lmi.osReserveMemoryMiB };
    const built: GroupType[] = [];
    for (const price of candidates) {
      const perInstance = shapes.map((s) => environmentsPerInstance(price, s, reserve));
      if (perInstance.some((k) => k < 1)) continue;
      built.push({ price, rates: instanceRates(price, lmi.discount, lmi.managementFeeShare), perInstance });
    }
    if (byKey.size >= MAX_KEPT_TYPE_LISTS) byKey.clear();
    byKey.set(key, built);
    types = built;
  }
  return types;
}

/** Type lists kept per candidate list: a few dozen shapes x the discounts tried on a page. */
const MAX_KEPT_TYPE_LISTS = 512;
const typesByCandidates = new WeakMap<readonly InstancePrice[], Map<string, readonly GroupType[]>>();

/**
 * The members' capacity changes merged by period: at positions[e], shape s changes by
 * deltas[e * shapeCount + s] EEs; positions end with the window's length. EE counts are integers,
 * so summing a period's changes first gives the very sums of applying them one by one.
 */
interface Steps {
  positions: Uint32Array;
  deltas: Float64Array;
}

/**
 * O(runs + periods x shapes): a dense table by period, then the periods where anything changes.
 * Reads members' runs: members that all have levels are planned from keptTable instead.
 */
function mergedSteps(members: readonly GroupMember[], memberShape: readonly number[], shapeCount: number, periods: number): Steps {
  const size = (periods + 1) * shapeCount;
  if (tableScratch.byPeriod.length < size) tableScratch.byPeriod = new Float64Array(size);
  if (tableScratch.changed.length < periods + 1) tableScratch.changed = new Uint8Array(periods + 1);
  const byPeriod = tableScratch.byPeriod;
  const changed = tableScratch.changed;
  byPeriod.fill(0, 0, size);
  changed.fill(0, 0, periods + 1);
  let count = 0;
  for (let i = 0; i < members.length; i++) {
    const { capacity, runLengths } = (members[i] as GroupMember).capacity;
    const shape = memberShape[i] as number;
    let at = 0;
    let previous = 0;
    for (let r = 0; r < capacity.length; r++) {
      const c = capacity[r] as number;
      const slot = at * shapeCount + shape;
      byPeriod[slot] = (byPeriod[slot] as number) + (c - previous);
      if (changed[at] === 0) {
        changed[at] = 1;
        count++;
      }
      previous = c;
      at += runLengths[r] as number;
    }
  }
  const positions = new Uint32Array(count + 1);
  const deltas = new Float64Array(count * shapeCount);
  let e = 0;
  for (let p = 0; p <= periods; p++) {
    if (changed[p] === 0) continue;
    positions[e] = p;
    for (let s = 0; s < shapeCount; s++) deltas[e * shapeCount + s] = byPeriod[p * shapeCount + s] as number;
    e++;
  }
  // Sentinel at the window's end closes the last segment.
  positions[count] = periods;
  return { positions, deltas };
}

/** Instance-periods and peak instances of one type over the merged capacity of all members. */
function sweep(steps: Steps, shapeCount: number, perInstance: number[], minInstances: number, periods: number) {
  const { positions, deltas } = steps;
  const sums = new Float64Array(shapeCount);
  let instancePeriods = 0;
  let peakInstances = 0;
  const last = positions.length - 1;
  for (let e = 0; e < last; e++) {
    let fractional = 0;
    for (let s = 0; s < shapeCount; s++) {
      sums[s] = (sums[s] as number) + (deltas[e * shapeCount + s] as number);
      fractional += (sums[s] as number) / (perInstance[s] as number);
    }
    const instances = Math.max(minInstances, ceilSafe(fractional));
    instancePeriods += instances * (Math.min(periods, positions[e + 1] as number) - (positions[e] as number));
    if (instances > peakInstances) peakInstances = instances;
  }
  return { instancePeriods, peakInstances };
}

/**
 * A provider's members' EE changes by period and shape (deltas[p * shapes + s]: the change of shape
 * s's EEs at period p), with each member's levels and shape column as added. The what-if page plans
 * the same providers on every update, most members unchanged by a discount or a grouping change:
 * the table is updated by the members that changed (their old runs taken out, the new put in).
 * Every entry is a sum of whole EE changes, so it is exact in any order: the very table a fresh
 * build gives. A column holds sums alone (the plan reads its shape from the members), so a member
 * is changed when its levels or its column are.
 */
interface KeptTable {
  name: string;
  region: string;
  architecture: Architecture;
  periods: number;
  shapeCount: number;
  deltas: Float64Array;
  members: Map<string, { leveled: LeveledCapacity; shape: number }>;
}

/** The tables of the last few providers planned (a page plans a handful of shared providers per update). */
const MAX_KEPT_TABLES = 8;
const keptTables: KeptTable[] = [];

/** Adds (sign 1) or takes out (sign -1) a member's EE changes; a run of no period holds nothing (the runs drop it). */
function addLevels(deltas: Float64Array, shapeCount: number, shape: number, leveled: LeveledCapacity, sign: number): void {
  const { levelCapacity, runLevel, runLength } = leveled;
  let at = 0;
  let previous = 0;
  for (let r = 0; r < runLevel.length; r++) {
    const len = runLength[r] as number;
    if (len === 0) continue;
    const c = levelCapacity[runLevel[r] as number] as number;
    const slot = at * shapeCount + shape;
    deltas[slot] = (deltas[slot] as number) + sign * (c - previous);
    previous = c;
    at += len;
  }
}

/** True when two levels give the same series: the same runs (one function's) and the same capacity per level. */
function sameLevels(a: LeveledCapacity, b: LeveledCapacity): boolean {
  if (a === b) return true;
  if (a.runLevel !== b.runLevel || a.runLength !== b.runLength || a.levelCapacity.length !== b.levelCapacity.length) return false;
  for (let j = 0; j < a.levelCapacity.length; j++) if (a.levelCapacity[j] !== b.levelCapacity[j]) return false;
  return true;
}

/**
 * The EE changes by period and shape column (memberShape) of `members`, from the provider's kept
 * table when its window and number of columns are the same and at most half the members changed,
 * else built afresh (and kept). null when a member has no levels or two share a name: the caller
 * merges their runs.
 */
function keptTable(
  name: string,
  region: string,
  architecture: Architecture,
  members: readonly GroupMember[],
  memberShape: readonly number[],
  shapeCount: number,
  periods: number,
): Float64Array | null {
  const current = new Map<string, number>();
  for (let i = 0; i < members.length; i++) {
    if (!(members[i] as GroupMember).capacity.leveled) return null;
    current.set((members[i] as GroupMember).name, i);
  }
  if (current.size !== members.length) return null;
  const at = keptTables.findIndex((k) => k.name === name && k.region === region && k.architecture === architecture);
  let kept = at >= 0 ? (keptTables.splice(at, 1)[0] as KeptTable) : undefined;
  let fresh =
    kept === undefined ||
    kept.periods !== periods ||
    kept.shapeCount !== shapeCount;
  if (!fresh) {
    const k = kept as KeptTable;
    let changes = 0;
    for (const n of k.members.keys()) if (!current.has(n)) changes++;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as GroupMember;
      const old = k.members.get(m.name);
      if (old === undefined || old.shape !== memberShape[i] || !sameLevels(old.leveled, m.capacity.leveled!)) changes++;
    }
    fresh = changes * 2 > members.length;
  }
  if (fresh) {
    const size = periods * shapeCount;
    const deltas = kept !== undefined && kept.deltas.length === size ? kept.deltas.fill(0) : new Float64Array(size);
    kept = { name, region, architecture, periods, shapeCount, deltas, members: new Map() };
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as GroupMember;
      const shape = memberShape[i] as number;
      addLevels(deltas, shapeCount, shape, m.capacity.leveled!, 1);
      kept.members.set(m.name, { leveled: m.capacity.leveled!, shape });
    }
  } else {
    const k = kept as KeptTable;
    for (const [n, old] of k.members) {
      if (current.has(n)) continue;
      addLevels(k.deltas, shapeCount, old.shape, old.leveled, -1);
      k.members.delete(n);
    }
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as GroupMember;
      const shape = memberShape[i] as number;
      const leveled = m.capacity.leveled!;
      const old = k.members.get(m.name);
      if (old !== undefined && old.shape === shape && sameLevels(old.leveled, leveled)) continue;
      if (old !== undefined) addLevels(k.deltas, shapeCount, old.shape, old.leveled, -1);
      addLevels(k.deltas, shapeCount, shape, leveled, 1);
      k.members.set(m.name, { leveled, shape });
    }
  }
  if (keptTables.length >= MAX_KEPT_TABLES) keptTables.shift();
  keptTables.push(kept as KeptTable);
  return (kept as KeptTable).deltas;
}

/**
 * sweep over a table of every period: a period where nothing changes is a segment of one period
 * with the instances of the one before (whole numbers: the same sums and peak as sweep's segments).
 */
function sweepTable(deltas: Float64Array, shapeCount: number, perInstance: number[], minInstances: number, periods: number) {
  const sums = new Float64Array(shapeCount);
  let instancePeriods = 0;
  let peakInstances = 0;
  for (let p = 0; p < periods; p++) {
    let fractional = 0;
    for (let s = 0; s < shapeCount; s++) {
      sums[s] = (sums[s] as number) + (deltas[p * shapeCount + s] as number);
      fractional += (sums[s] as number) / (perInstance[s] as number);
    }
    const instances = Math.max(minInstances, ceilSafe(fractional));
    instancePeriods += instances;
    if (instances > peakInstances) peakInstances = instances;
  }
  return { instancePeriods, peakInstances };
}

/** mergedSteps's table, reused (zeroed) by each plan of several members: one window of a few shapes. */
const tableScratch = { byPeriod: new Float64Array(0), changed: new Uint8Array(0) };

/** sweep of a single member: over its levels where it has them, else over its runs. */
function sweepOne(runs: CapacityRuns, perInstance: number, minInstances: number, periods: number) {
  return runs.leveled ? sweepLevels(runs.leveled, perInstance, minInstances) : sweepRuns(runs, perInstance, minInstances, periods);
}

/**
 * sweepRuns over levels: the instances of a level for each of its periods (whole numbers, so the
 * sum is exact in any order: the runs' sum); a level of no period is in no run, so not in the peak.
 */
function sweepLevels(leveled: LeveledCapacity, perInstance: number, minInstances: number) {
  const { levelCapacity, levelPeriods } = leveled;
  let instancePeriods = 0;
  let peakInstances = 0;
  for (let j = 0; j < levelPeriods.length; j++) {
    const len = levelPeriods[j] as number;
    if (len === 0) continue;
    const instances = Math.max(minInstances, ceilSafe((levelCapacity[j] as number) / perInstance));
    instancePeriods += instances * len;
    if (instances > peakInstances) peakInstances = instances;
  }
  return { instancePeriods, peakInstances };
}

/**
 * sweep of a single member, read off its runs (no merge): a run's capacity holds from its start to
 * the next run's; a zero-length run is superseded by the next one at the same period, as in sweep.
 */
function sweepRuns(runs: CapacityRuns, perInstance: number, minInstances: number, periods: number) {
  const { capacity, runLengths } = runs;
  let instancePeriods = 0;
  let peakInstances = 0;
  let at = 0;
  for (let r = 0; r < capacity.length; r++) {
    const until = at + (runLengths[r] as number);
    if (until === at && r + 1 < capacity.length) continue;
    const instances = Math.max(minInstances, ceilSafe((capacity[r] as number) / perInstance));
    instancePeriods += instances * (Math.min(periods, until) - at);
    if (instances > peakInstances) peakInstances = instances;
    at = until;
  }
  return { instancePeriods, peakInstances };
}
