/**
 * Sizing one function alone on LMI: eligibility, EE shape, per-EE concurrency, replay of every
 * period, cheapest instance type, money per 730-h month, the break-even grids, the chart and the
 * capacity series for grouping.
 *
 * Speed: the series is read once for the lagged sliding max (replay.ts), once for its histogram,
 * and once more for the chosen configuration (throttles, chart, runs). Every other candidate
 * (ratio x instance type x CPU share x traffic scale) is priced on the histogram.
 *
 * Choices: CPU demand enters through the per-EE CPU cap (concurrency x CPU share per EE <= its
 * vCPUs), which covers the invocations x CPU-seconds of a period because concurrencyMax >= the
 * period's mean concurrency. Any allowed C/M/R type may hold an EE of any ratio; the cheapest
 * (ratio, type) wins, as in the AWS sample calculator.
 */
import { LmiAdvisorError } from '../../errors.js';
import type { LmiResult } from '../../report/types.js';
import { periodCount, type FunctionProfile, type SnapshotWindow } from '../../source/profile.js';
import { BoundedCostGrid } from './cost-grid.js';
import { monthFactor } from './cost.js';
import { checkEligibility, LMI_MIN_MEMORY_MB } from './eligibility.js';
import { candidateInstanceTypes, cheapestTypeOf, type EnvironmentDemand, histogramDemand, keptInstancePeriods, typeOptions, type TypeChoice, type TypeOption } from './instances.js';
import { environmentHistogram, scalingDelays } from './replay.js';
import { type ChosenReplay, type ReplaySource, seriesReplay } from './replay-source.js';
import { cpuBusyFractionFor, cpuBusyFractionOverrideKey, cpuPerInvocation, environmentShapes, perEnvironmentConcurrency, type EnvironmentShape, type PerEnvironmentConcurrency } from './shape.js';
import type { LmiContext, LmiSizing } from './types.js';

/** CPU shares of duration priced for the break-even (the used share is added when off-grid). */
export const CPU_SHARE_GRID: readonly number[] = [1, 0.75, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.075, 0.05, 0.03, 0.02, 0.01];

/** Traffic multipliers 0.01..100, 6 per decade (25 points, 1 included exactly). */
export const TRAFFIC_SCALE_GRID: readonly number[] = Array.from({ length: 25 }, (_, i) => (i === 12 ? 1 : 10 ** ((i - 12) / 6)));

/** Index of the traffic scale 1 in TRAFFIC_SCALE_GRID. */
const UNIT_SCALE = TRAFFIC_SCALE_GRID.indexOf(1);


/**
 * What sizing derives from the profile and config.lmi.memoryGiBPerVCpuOptions alone (with the
 * per-EE concurrency of each shape per CPU share as it is asked for, and the served sum once the
 * replay is read): built per sizing, or kept between sizings where the source offers a memo.
 */
interface FunctionBasis {
  eligibility: ReturnType<typeof checkEligibility>;
  traits: ReturnType<typeof checkEligibility>['traits'];
  shapes: EnvironmentShape[];
  processMemoryMB: number | null;
  processMemorySource: 'measured' | 'configured' | null;
  concurrencyByShare: Map<number, PerEnvironmentConcurrency[]>;
  /** The per-EE concurrencies of each shape per CPU_SHARE_GRID share, as they are asked for. */
  gridConcurrencies: (PerEnvironmentConcurrency[] | undefined)[];
  /** The last risks found with what they were found from (a discount moves none of it): reused as they are. */
  risks: KeptRisks | null;
  /** Their perEnvironment figures in one array (share index x shapes + shape; NaN: not yet), for the grid's lower bounds. */
  gridPerEnvironment: number[];
  servedSum: number | null;
}

/** Risks kept with the figures sizingRisks read beyond the basis and the source (see FunctionBasis.risks). */
interface KeptRisks {
  replayed: ChosenReplay;
  shape: EnvironmentShape;
  perEnvironment: number;
  invocations: number;
  periodSeconds: number;
  headroom: number;
  scaleOutMinutes: number;
  scaleInMinutes: number;
  /** Shared by the sizings that reuse them: read only (recommend copies them). */
  risks: string[];
}

/** periodCount and monthFactor of a window (each parses its dates), once per window object. */
const figuresByWindow = new WeakMap<SnapshotWindow, { periods: number; factor: number }>();
function windowFigures(window: SnapshotWindow): { periods: number; factor: number } {
  let figures = figuresByWindow.get(window);
  if (figures === undefined) {
    figures = { periods: periodCount(window), factor: monthFactor(window) };
    figuresByWindow.set(window, figures);
  }
  return figures;
}

/** An option list as flat arrays (the grids' lower bounds read every option of every shape per point). */
interface FlatOptions {
  rates: Float64Array;
  perInstance: Float64Array;
}
/** Per option list (typeOptions shares them between functions): its flat copy. */
const flatByOptions = new WeakMap<readonly TypeOption[], FlatOptions>();
function flatOptions(options: readonly TypeOption[]): FlatOptions {
  let flat = flatByOptions.get(options);
  if (flat === undefined) {
    flat = {
      rates: Float64Array.from(options, (o) => o.rates.totalUsdPerHour),
      perInstance: Float64Array.from(options, (o) => o.perInstance),
    };
    flatByOptions.set(options, flat);
  }
  return flat;
}

/** Where `value` goes in a descending list: the index of the first entry below it (the length if none). */
function insertionIndex(descending: readonly number[], value: number): number {
  let at = 0;
  while (at < descending.length && !((descending[at] as number) < value)) at++;
  return at;
}

/** Scratch for cheapest()'s shape bounds and order (sizeLmi is never re-entered while it runs). */
let scratchBounds = new Float64Array(8);
let scratchOrder = new Int32Array(8);

/** CPU shares whose per-EE concurrencies a basis keeps (the grid's and the ones tried). */
const MAX_KEPT_SHARES = 256;

function functionBasis(profile: FunctionProfile, lmi: LmiContext['config']['lmi']): FunctionBasis {
  const eligibility = checkEligibility(profile.runtime, profile.memoryMB);
  const traits = eligibility.traits;
  const python = traits.language === 'python';
  const measuredProcessMB = profile.memoryUsedMBMax ?? null;
  return {
    eligibility,
    traits,
    shapes: environmentShapes(profile.memoryMB, lmi.memoryGiBPerVCpuOptions),
    processMemoryMB: python ? (measuredProcessMB ?? profile.memoryMB) : null,
    processMemorySource: python ? (measuredProcessMB !== null ? 'measured' : 'configured') : null,
    concurrencyByShare: new Map(),
    gridConcurrencies: new Array<PerEnvironmentConcurrency[] | undefined>(CPU_SHARE_GRID.length).fill(undefined),
    gridPerEnvironment: [],
    risks: null,
    servedSum: null,
  };
}

/** The basis kept in a source's memo, under the shape options (the profile is the source's own). */
const basisKeys = new WeakMap<LmiContext['config']['lmi'], string>();
function keptBasis(memo: Map<string, unknown>, profile: FunctionProfile, lmi: LmiContext['config']['lmi']): FunctionBasis {
  let key = basisKeys.get(lmi);
  if (key === undefined) {
    key = `basis:${JSON.stringify(lmi.memoryGiBPerVCpuOptions)}`;
    basisKeys.set(lmi, key);
  }
  let basis = memo.get(key) as FunctionBasis | undefined;
  if (basis === undefined) {
    basis = functionBasis(profile, lmi);
    memo.set(key, basis);
  }
  return basis;
}

/**
 * Sizes one function on LMI alone. `usage.invocations` is the window's total (requests are
 * scaled to the month here). Returns null when the function cannot be priced: the region has no
 * Lambda prices, or no allowed instance type of its architecture holds even one of its EEs.
 * Ineligible functions are priced anyway (see eligibility.ts) and flagged.
 */
export function sizeLmi(
  profile: FunctionProfile,
  usage: { invocations: number; avgDurationMs: number | null },
  ctx: LmiContext,
  /** The replay data; default: the profile's own series (the what-if page passes a compact one). */
  replay?: ReplaySource,
): LmiSizing | null {
  const { config, window, prices } = ctx;
  const lmi = config.lmi;
  const where = (): string => `${profile.region}/${profile.name}`;
  if (prices.lambda === undefined) return null;
  const types = candidateInstanceTypes(prices.instances, profile.architecture, lmi);
  if (types.length === 0) return null;
  const { periods, factor } = windowFigures(window);
  if (periods <= 0) throw new LmiAdvisorError(`${where()}: the window ${window.start}..${window.end} holds no period`);

  const basis = replay?.sizingMemo ? keptBasis(replay.sizingMemo, profile, lmi) : functionBasis(profile, lmi);
  const { eligibility, traits, shapes, concurrencyByShare, gridConcurrencies, gridPerEnvironment } = basis;
  const optionsByShape = shapes.map((s) => typeOptions(types, s, lmi));
  if (optionsByShape.every((o) => o.length === 0)) return null;

  const cpu = cpuPerInvocation({
    memoryMB: profile.memoryMB,
    avgDurationMs: usage.avgDurationMs,
    measuredCpuSeconds: profile.cpuSecondsPerInvocation,
    // The full share is the default bound; single-threaded only when the user chooses it.
    singleThreaded: lmi.cpuBound === 'single-threaded' && traits.singleThreaded,
    cpuBusyFraction: cpuBusyFractionFor(lmi, profile.region, profile.name),
  });
  const { processMemoryMB, processMemorySource } = basis;

  const source = replay ?? seriesReplay(profile, window, lmi);
  if (source.periods !== periods) throw new LmiAdvisorError(`${where()}: the replay holds ${source.periods} periods, the window ${periods}`);
  const known = { unknownPeriods: source.unknownPeriods, allUnknown: source.allUnknown };
  const hist = source.hist;

  const periodHours = window.periodSeconds / 3600;
  const requestUsd = prices.lambda.lmiRequestUsd;
  const monthlyRequestsUsd = usage.invocations * requestUsd * factor;

  // Sum over periods of the served concurrency: with it, sum(EEs) >= sum(c) x scale x headroom /
  // perEE gives each shape a lower bound without a pass over the histogram.
  if (basis.servedSum === null) {
    let servedSum = 0;
    for (let i = 0; i < hist.values.length; i++) servedSum += (hist.values[i] as number) * (hist.counts[i] as number);
    basis.servedSum = servedSum;
  }
  const servedSum = basis.servedSum;

  // The demand of a candidate (per-EE concurrency, traffic scale): from the source where it keeps
  // them between sizings, else built here once per sizing.
  let demands: Map<string, EnvironmentDemand> | null = null;
  const demandOf = (perEnvironment: number, scaleIndex: number): EnvironmentDemand => {
    const scale = TRAFFIC_SCALE_GRID[scaleIndex] as number;
    if (source.environmentDemand) return source.environmentDemand(perEnvironment, lmi.headroom, lmi.minEnvironments, scale, scaleIndex);
    const key = `${perEnvironment}:${scaleIndex}`;
    demands ??= new Map();
    let demand = demands.get(key);
    if (demand === undefined) {
      const settings = { perEnvironment, headroom: lmi.headroom, minEnvironments: lmi.minEnvironments };
      demand = keptInstancePeriods(histogramDemand(environmentHistogram(hist, settings, scale)));
      demands.set(key, demand);
    }
    return demand;
  };
  const shapeCount = shapes.length;
  if (scratchBounds.length < shapeCount) {
    scratchBounds = new Float64Array(shapeCount);
    scratchOrder = new Int32Array(shapeCount);
  }
  const bounds = scratchBounds;
  const order = scratchOrder;
  /** The cheapest (shape, type) at a CPU share and traffic scale: its shape index, or -1 (then `best` is null). */
  let best: TypeChoice | null = null;
  let bestConcurrencies: PerEnvironmentConcurrency[] = [];
  const concurrenciesAt = (cpuShare: number): PerEnvironmentConcurrency[] => {
    let concurrencies = concurrencyByShare.get(cpuShare);
    if (concurrencies === undefined) {
      if (concurrencyByShare.size >= MAX_KEPT_SHARES) concurrencyByShare.clear();
      concurrencies = shapes.map((shape) => perEnvironmentConcurrency({ shape, traits, cpuShare, processMemoryMB }));
      concurrencyByShare.set(cpuShare, concurrencies);
    }
    return concurrencies;
  };
  /**
   * A lower bound of cheapest()'s cost units at a CPU share and traffic scale, without its search:
   * the least shape bound, with the slack cheapest() allows it (a shape costs at least its bound
   * less that slack, or cheapest() would skip the shape that wins). The very arithmetic of
   * cheapest()'s shape bounds, over flat copies of the option lists.
   */
  const flats = optionsByShape.map(flatOptions);
  const floorPeriods = lmi.minInstances * periods;
  const headroom = lmi.headroom;
  const gridConcurrenciesAt = (gridIndex: number): PerEnvironmentConcurrency[] => {
    let concurrencies = gridConcurrencies[gridIndex];
    if (concurrencies === undefined) {
      const cpuShare = CPU_SHARE_GRID[gridIndex] as number;
      concurrencies = shapes.map((shape) => perEnvironmentConcurrency({ shape, traits, cpuShare, processMemoryMB }));
      gridConcurrencies[gridIndex] = concurrencies;
    }
    return concurrencies;
  };
  /** The monthly total of the least shape bound into out[index], each shape's per-EE concurrency read from perEnvironments[offset + shape]. */
  const boundInto = (perEnvironments: readonly number[], offset: number, scale: number, out: number[], index: number): void => {
    let least = Infinity;
    for (let i = 0; i < shapeCount; i++) {
      const environmentPeriods = (servedSum * scale * headroom) / (perEnvironments[offset + i] as number);
      const { rates, perInstance } = flats[i] as FlatOptions;
      let bound = Infinity;
      for (let j = 0; j < rates.length; j++) {
        bound = Math.min(bound, (rates[j] as number) * Math.max(floorPeriods, environmentPeriods / (perInstance[j] as number)));
      }
      if (bound < Infinity) least = Math.min(least, bound * (1 - 1e-9));
    }
    // monthlyTotal(least, scale), written here: a number returned from a call is boxed.
    out[index] = least * periodHours * factor + monthlyRequestsUsd * scale;
  };
  /** The cheapest (shape, type) at the per-EE concurrencies of a CPU share and a traffic scale. */
  const cheapest = (concurrencies: PerEnvironmentConcurrency[], scaleIndex: number): number => {
    const scale = TRAFFIC_SCALE_GRID[scaleIndex] as number;
    // Shapes by ascending lower bound, then index (insertion sort: a handful of shapes); a shape
    // no option holds (bound Infinity) is left out.
    let count = 0;
    for (let i = 0; i < shapeCount; i++) {
      const environmentPeriods = (servedSum * scale * headroom) / (concurrencies[i] as PerEnvironmentConcurrency).perEnvironment;
      const { rates, perInstance } = flats[i] as FlatOptions;
      let bound = Infinity;
      for (let j = 0; j < rates.length; j++) {
        bound = Math.min(bound, (rates[j] as number) * Math.max(floorPeriods, environmentPeriods / (perInstance[j] as number)));
      }
      if (!(bound < Infinity)) continue;
      bounds[i] = bound;
      let at = count++;
      while (at > 0 && (bounds[order[at - 1] as number] as number) > bound) {
        order[at] = order[at - 1] as number;
        at--;
      }
      order[at] = i;
    }
    best = null;
    bestConcurrencies = concurrencies;
    let bestIndex = -1;
    for (let r = 0; r < count; r++) {
      const i = order[r] as number;
      // Small relative slack so floating noise in the bound never skips an equal-cost shape.
      if (best !== null && (bounds[i] as number) * (1 - 1e-9) > best.costUnits) break;
      const choice = cheapestTypeOf(demandOf((concurrencies[i] as PerEnvironmentConcurrency).perEnvironment, scaleIndex), optionsByShape[i] as readonly TypeOption[], lmi.minInstances);
      if (choice !== null && (best === null || choice.costUnits < best.costUnits || (choice.costUnits === best.costUnits && i < bestIndex))) {
        best = choice;
        bestIndex = i;
      }
    }
    return bestIndex;
  };
  // Every traffic point is at the CPU share used: its per-EE concurrencies once.
  const usedConcurrencies = concurrenciesAt(cpu.cpuShare);
  const chosenIndex = cheapest(usedConcurrencies, UNIT_SCALE);
  if (chosenIndex < 0) return null;
  const shape = shapes[chosenIndex] as EnvironmentShape;
  const concurrency = bestConcurrencies[chosenIndex] as PerEnvironmentConcurrency;
  const option = (best as TypeChoice | null)!.option;
  const perEnvironment = concurrency.perEnvironment;

  const replayed = source.chosen({ perEnvironment, perInstance: option.perInstance, lmi });
  const { throttledInvocations, instancePeriods, peakInstances, environmentPeriods, maxEnvironments } = replayed;

  const instanceHoursMonth = instancePeriods * periodHours * factor;
  const ec2Usd = instanceHoursMonth * option.rates.ec2UsdPerHour;
  const managementFeeUsd = instanceHoursMonth * option.rates.feeUsdPerHour;
  const result: LmiResult = {
    eligible: eligibility.eligible,
    blockers: eligibility.blockers,
    needsRuntimeUpgrade: eligibility.needsRuntimeUpgrade,
    needsMemoryIncrease: eligibility.needsMemoryIncrease,
    memoryMB: shape.memoryMiB,
    instanceType: option.price.instanceType,
    memoryGiBPerVCpu: shape.ratio,
    vCpusPerEnvironment: shape.vCpus,
    perEnvironmentConcurrency: concurrency.setting,
    concurrencyLimitedBy: concurrency.limitedBy,
    processMemorySource,
    minEnvironments: lmi.minEnvironments,
    maxEnvironments,
    avgEnvironments: environmentPeriods / periods,
    instanceHours: instanceHoursMonth,
    avgInstances: instancePeriods / periods,
    peakInstances,
    ec2Usd,
    managementFeeUsd,
    requestsUsd: monthlyRequestsUsd,
    totalUsd: ec2Usd + managementFeeUsd + monthlyRequestsUsd,
    throttledInvocations,
    cpuSource: cpu.cpuSource,
    cpuSecondsPerInvocation: cpu.cpuSecondsPerInvocation,
    breakEvenCpuShare: null,
  };
  const overrideKey = cpu.cpuSource === 'assumed' ? cpuBusyFractionOverrideKey(lmi, profile.region, profile.name) : null;
  if (overrideKey !== null) result.cpuAssumedBy = overrideKey;

  // The CPU grid: CPU_SHARE_GRID (descending), with the share used in its place when off it.
  const usedAt =
    cpu.cpuShare > 0 && !CPU_SHARE_GRID.some((s) => Math.abs(s - cpu.cpuShare) < 1e-12) ? insertionIndex(CPU_SHARE_GRID, cpu.cpuShare) : -1;
  let shares: readonly number[] = CPU_SHARE_GRID;
  if (usedAt >= 0) {
    const withUsed = new Array<number>(CPU_SHARE_GRID.length + 1);
    for (let i = 0; i < withUsed.length; i++) withUsed[i] = i < usedAt ? (CPU_SHARE_GRID[i] as number) : i === usedAt ? cpu.cpuShare : (CPU_SHARE_GRID[i - 1] as number);
    shares = withUsed;
  }
  const shareConcurrencies = (index: number): PerEnvironmentConcurrency[] =>
    usedAt < 0 || index < usedAt ? gridConcurrenciesAt(index) : index === usedAt ? usedConcurrencies : gridConcurrenciesAt(index - 1);
  const usedPerEnvironment = usedConcurrencies.map((c) => c.perEnvironment);
  /** The bound at the grid's share at `index` into out[index], from the flat per-EE concurrencies. */
  const shareBoundInto = (index: number, out: number[]): void => {
    const gridIndex = usedAt < 0 || index < usedAt ? index : index === usedAt ? -1 : index - 1;
    if (gridIndex < 0) return boundInto(usedPerEnvironment, 0, 1, out, index);
    const offset = gridIndex * shapeCount;
    if (!((gridPerEnvironment[offset] as number) > 0)) {
      if (gridPerEnvironment.length === 0) for (let k = 0; k < CPU_SHARE_GRID.length * shapeCount; k++) gridPerEnvironment.push(Number.NaN);
      const concurrencies = gridConcurrenciesAt(gridIndex);
      for (let i = 0; i < shapeCount; i++) gridPerEnvironment[offset + i] = (concurrencies[i] as PerEnvironmentConcurrency).perEnvironment;
    }
    boundInto(gridPerEnvironment, offset, 1, out, index);
  };
  // The grids are priced as they are read (cost-grid.ts). The type options do not depend on CPU
  // share or traffic, so a point is priced whenever the chosen configuration was (cheapest()
  // finds one). The chosen configuration's own point (its share, traffic 1) is the search above.
  const chosenUnits = (best as TypeChoice | null)!.costUnits;
  const pointUnits = (cpuShare: number, concurrencies: PerEnvironmentConcurrency[], scaleIndex: number): number => {
    if (cpuShare === cpu.cpuShare && scaleIndex === UNIT_SCALE) return chosenUnits;
    cheapest(concurrencies, scaleIndex);
    return (best as TypeChoice).costUnits;
  };
  const monthlyTotal = (costUnits: number, scale: number): number => costUnits * periodHours * factor + monthlyRequestsUsd * scale;
  // A point's lower bound: the same monthly total of a lower bound of its cost units (rounding is
  // monotone, so it is at most the point's total).
  const costByCpuShare = new BoundedCostGrid(
    shares.length,
    (index) => {
      const cpuShare = shares[index] as number;
      return { cpuShare, totalUsd: monthlyTotal(pointUnits(cpuShare, shareConcurrencies(index), UNIT_SCALE), 1) };
    },
    {
      keys: shares,
      fill: (out) => {
        for (let index = 0; index < shares.length; index++) shareBoundInto(index, out);
      },
    },
  );
  const costByTrafficScale = new BoundedCostGrid(
    TRAFFIC_SCALE_GRID.length,
    (index) => {
      const scale = TRAFFIC_SCALE_GRID[index] as number;
      return { scale, totalUsd: monthlyTotal(pointUnits(cpu.cpuShare, usedConcurrencies, index), scale) };
    },
    {
      keys: TRAFFIC_SCALE_GRID,
      fill: (out) => {
        for (let index = 0; index < TRAFFIC_SCALE_GRID.length; index++) boundInto(usedPerEnvironment, 0, TRAFFIC_SCALE_GRID[index] as number, out, index);
      },
    },
  );

  const risksOf = (): string[] =>
    sizingRisks({
      profile,
      eligibility,
      shape,
      perEnvironment,
      processMemorySource,
      throttledInvocations,
      totalInvocations: usage.invocations,
      coarse: scalingDelays(window.periodSeconds, lmi.scaleOutMinutes, lmi.scaleInMinutes).outPeriods === 0 && lmi.scaleOutMinutes > 0,
      periodSeconds: window.periodSeconds,
      unknownPeriods: known.unknownPeriods,
      allUnknown: known.allUnknown,
      periods,
      lmi,
    });
  let risks: string[];
  if (replay?.sizingMemo) {
    // Kept per function (the basis of its memo): the risks read nothing else than these.
    const k = basis.risks;
    if (
      k !== null &&
      k.replayed === replayed &&
      k.shape === shape &&
      k.perEnvironment === perEnvironment &&
      k.invocations === usage.invocations &&
      k.periodSeconds === window.periodSeconds &&
      k.headroom === lmi.headroom &&
      k.scaleOutMinutes === lmi.scaleOutMinutes &&
      k.scaleInMinutes === lmi.scaleInMinutes
    ) {
      risks = k.risks;
    } else {
      risks = risksOf();
      basis.risks = {
        replayed,
        shape,
        perEnvironment,
        invocations: usage.invocations,
        periodSeconds: window.periodSeconds,
        headroom: lmi.headroom,
        scaleOutMinutes: lmi.scaleOutMinutes,
        scaleInMinutes: lmi.scaleInMinutes,
        risks,
      };
    }
  } else risks = risksOf();

  return new Sizing(result, costByCpuShare, costByTrafficScale, replayed, risks);
}

/**
 * LmiSizing with `capacity` read from the chosen replay on first use: a compact replay (the
 * what-if page) builds the runs only if grouping reads them. A class, not an object literal with
 * a getter: such a literal is slow to build and to read (thousands per page update). The
 * break-even grids are priced as read: `costByCpuShare` / `costByTrafficScale` price them whole.
 */
export class Sizing implements LmiSizing {
  readonly chart: LmiSizing['chart'];
  readonly #replayed: ChosenReplay;
  /**
   * What build-report keeps for this sizing between report builds (its SizingMemo; opaque here). A
   * slot in the object, not a WeakMap entry: every re-sizing makes 10,000 new sizings on the
   * what-if page, and a WeakMap keyed by young objects costs each scavenge (ephemeron tables)
   * besides the lookups. Private, so equality checks and JSON never see it.
   */
  #reportMemo: object | undefined = undefined;

  constructor(
    readonly result: LmiResult,
    readonly cpuShareCosts: BoundedCostGrid<LmiSizing['costByCpuShare'][number]>,
    readonly trafficScaleCosts: BoundedCostGrid<LmiSizing['costByTrafficScale'][number]>,
    replayed: ChosenReplay,
    readonly risks: string[],
  ) {
    this.chart = replayed.chart;
    this.#replayed = replayed;
  }

  get costByCpuShare(): LmiSizing['costByCpuShare'] {
    return this.cpuShareCosts.all();
  }

  get costByTrafficScale(): LmiSizing['costByTrafficScale'] {
    return this.trafficScaleCosts.all();
  }

  get capacity(): LmiSizing['capacity'] {
    return this.#replayed.capacity;
  }

  get reportMemo(): object | undefined {
    return this.#reportMemo;
  }

  set reportMemo(memo: object) {
    this.#reportMemo = memo;
  }
}

function sizingRisks(a: {
  profile: FunctionProfile;
  eligibility: ReturnType<typeof checkEligibility>;
  shape: EnvironmentShape;
  perEnvironment: number;
  processMemorySource: 'measured' | 'configured' | null;
  throttledInvocations: number;
  totalInvocations: number;
  coarse: boolean;
  periodSeconds: number;
  unknownPeriods: number;
  allUnknown: boolean;
  periods: number;
  lmi: LmiContext['config']['lmi'];
}): string[] {
  const risks: string[] = [];
  const { profile, eligibility, shape, lmi } = a;
  if (eligibility.assumed) {
    risks.push(
      `no LMI runtime for ${profile.runtime ?? 'a container image'}: priced as an OS-only runtime (8 per vCPU, multi-threaded CPU bound); needs a rewrite`,
    );
  }
  if (eligibility.needsRuntimeUpgrade) {
    risks.push(`runtime ${profile.runtime ?? ''} must be upgraded to ${eligibility.upgradeTo ?? 'a supported version'} or later`);
  }
  if (eligibility.needsMemoryIncrease) {
    risks.push(`memory raised from ${profile.memoryMB} MB to the LMI minimum of ${LMI_MIN_MEMORY_MB} MB (1 vCPU)`);
  }
  if (shape.roundedUp) {
    risks.push(`memory rounded up to ${shape.memoryMiB} MB: a whole number of vCPUs at ${shape.ratio} GiB per vCPU`);
  }
  if (eligibility.traits.lowConfidence && !eligibility.assumed) {
    risks.push('the OS-only runtime default of 8 concurrent requests per vCPU is a low-confidence figure (not in the AWS guide)');
  }
  if (a.perEnvironment < 1) {
    risks.push(
      `one invocation uses about ${(shape.vCpus / a.perEnvironment).toFixed(2)} vCPUs but an environment of this shape has ${shape.vCpus}: on LMI it would run about ${(1 / a.perEnvironment).toFixed(1)}x longer (priced with that many more environments); a larger memory setting gives each environment more vCPUs`,
    );
  }
  if (a.processMemorySource === 'configured') {
    risks.push(
      `Python runs one process per concurrent request; without Lambda Insights used_memory_max each process is assumed to need the configured ${profile.memoryMB} MB`,
    );
  }
  if (a.throttledInvocations > 0) {
    const share = a.totalInvocations > 0 ? ` (${((100 * a.throttledInvocations) / a.totalInvocations).toPrecision(2)} %)` : '';
    risks.push(
      `about ${Math.round(a.throttledInvocations).toLocaleString('en-US')} invocations${share} would have been throttled while LMI scaled out: traffic rose more than ${lmi.headroom}x within ${lmi.scaleOutMinutes} minutes`,
    );
  }
  if (a.coarse) {
    risks.push(`coarse data: bursts within ${a.periodSeconds / 60}-minute periods are not seen`);
  }
  if (a.allUnknown) {
    risks.push('concurrency is unknown in every period: only the minimum capacity is priced');
  } else if (a.unknownPeriods > 0) {
    risks.push(`${a.unknownPeriods} of ${a.periods} periods have unknown concurrency: capacity held at the last known level`);
  }
  return risks;
}
