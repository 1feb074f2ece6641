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
import type { InstancePrice } from '../../prices/types.js';
import { periodCount, type FunctionProfile, type SnapshotWindow } from '../../source/profile.js';
import { BoundedCostGrid } from './cost-grid.js';
import { monthFactor } from './cost.js';
import { checkEligibility, LMI_MIN_MEMORY_MB } from './eligibility.js';
import { candidateInstanceTypes, cheapestOptionOf, type EnvironmentDemand, lastChoice, histogramDemand, keptInstancePeriods, typeOptions, type TypeOption } from './instances.js';
import { environmentHistogram, scalingDelays } from './replay.js';
import { type ChosenReplay, type ReplaySource, seriesReplay } from './replay-source.js';
import { cpuBusyFractionFor, cpuBusyFractionOverrideKey, cpuPerInvocation, type CpuPerInvocation, environmentShapes, perEnvironmentConcurrency, type EnvironmentShape, type PerEnvironmentConcurrency } from './shape.js';
import type { LmiContext, LmiSizing } from './types.js';
import { count } from '../recommend.js';

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
  /** The share of the last concurrencyByShare read and what it gave (NaN: none): most sizings of a function repeat the share, and a Map keyed by a double hashes it on every read. */
  lastShare: number;
  lastConcurrencies: PerEnvironmentConcurrency[];
  /** The per-EE concurrencies of each shape per CPU_SHARE_GRID share, as they are asked for. */
  gridConcurrencies: (PerEnvironmentConcurrency[] | undefined)[];
  /** The last risks found with what they were found from (a discount moves none of it): reused as they are. */
  risks: KeptRisks | null;
  /** Their perEnvironment figures in one array (share index x shapes + shape; NaN: not yet), for the grid's lower bounds. */
  gridPerEnvironment: number[];
  /** The option lists of its shapes, per list of candidate types (shared by every function of its memory size: see ShapeOptions). */
  options: ShapeOptions[];
  servedSum: number | null;
  /** The last cpuPerInvocation with what it was found from (only a share knob moves it): reused as it is (read only). */
  cpu: KeptCpu | null;
  /** The last CPU grid (CPU_SHARE_GRID with the share used in its place when off it) and that place, per the share used. */
  sharesCpuShare: number;
  sharesUsedAt: number;
  shares: readonly number[];
  /** usedPerEnvironment's numbers (never written once made) and the per-EE concurrencies they were read from: a share that stays keeps them. */
  usedPerEnvironmentFor: PerEnvironmentConcurrency[] | null;
  usedPerEnvironment: number[];
  /**
   * leastShareBound's largest per-EE concurrency of each shape over the CPU grid's points
   * 0..leastEnd-1 (NaN in [0]: some is not above 0), with what it was read from besides the grid's
   * concurrencies (pure in their index): the share used's concurrencies where its place is among
   * those points (they stand for the share, so for its place), else null (then the points are
   * grid points at their own index). Written over in place (read at once, never held).
   */
  leastMost: number[];
  leastEnd: number;
  leastUsed: PerEnvironmentConcurrency[] | null;
}

/**
 * The option lists typeOptions gives for a list of shapes and of candidate types, with their flat
 * copies and the four knobs they were made at (all typeOptions reads of config.lmi). One per
 * (shapes, types): every function of a memory size shares its shapes (shapesOf), so a discount
 * change builds them once per memory size and architecture, not once per function. Refilled in
 * place when a knob moves (a sizing keeps the arrays it read, never this object).
 */
interface ShapeOptions {
  types: readonly InstancePrice[];
  osReserveVCpu: number;
  osReserveMemoryMiB: number;
  discount: number;
  managementFeeShare: number;
  optionsByShape: readonly (readonly TypeOption[])[];
  flats: readonly FlatOptions[];
  /** Some shape has an option (else the function cannot be priced). */
  anyOption: boolean;
}

/**
 * cpuPerInvocation kept with the arguments it was called with that can move between sizings of one
 * basis (its memoryMB is the basis's profile's, as its shapes are).
 */
interface KeptCpu {
  avgDurationMs: number | null;
  measuredCpuSeconds: number | null | undefined;
  singleThreaded: boolean;
  cpuBusyFraction: number;
  value: CpuPerInvocation;
}

/**
 * Risks kept with every figure sizingRisks reads beyond the basis and the source (see
 * FunctionBasis.risks): the chosen replay only through its throttled invocations, the headroom
 * only where some are throttled (the one sentence that names it), the per-EE concurrency only
 * below 1 (the one sentence that reads it). A headroom or CPU share change that moves neither the
 * shape, a per-EE concurrency below 1 nor a throttle keeps them.
 */
interface KeptRisks {
  shape: EnvironmentShape;
  perEnvironment: number;
  throttledInvocations: number;
  invocations: number;
  periodSeconds: number;
  headroom: number;
  /** With the period, whether the data is coarse (scale-in minutes are not read: only the scale-out delay in periods is). */
  scaleOutMinutes: number;
  /** Shared by the sizings that reuse them: read only (recommend copies them). */
  risks: string[];
  /** Where the throttle sentence is (or would be) in `risks`: the sentences before it. */
  throttleAt: number;
}

/** The environment shapes of a memory size, per list of ratio options (by identity): one array per memory size, shared by its functions' bases (read only). */
const shapesByRatios = new WeakMap<readonly number[], Map<number, EnvironmentShape[]>>();
function shapesOf(memoryMB: number, ratios: readonly number[]): EnvironmentShape[] {
  let byMemory = shapesByRatios.get(ratios);
  if (byMemory === undefined) shapesByRatios.set(ratios, (byMemory = new Map()));
  let shapes = byMemory.get(memoryMB);
  if (shapes === undefined) {
    shapes = environmentShapes(memoryMB, ratios);
    byMemory.set(memoryMB, shapes);
  }
  return shapes;
}

/** Per shapes list: its ShapeOptions, one per list of candidate types (a few regions x architectures). */
const optionsByShapes = new WeakMap<readonly EnvironmentShape[], ShapeOptions[]>();
/** Lists of candidate types a shapes list keeps options for (beyond, the oldest is dropped). */
const MAX_KEPT_TYPE_LISTS = 32;
function shapeOptionsList(shapes: readonly EnvironmentShape[]): ShapeOptions[] {
  let list = optionsByShapes.get(shapes);
  if (list === undefined) optionsByShapes.set(shapes, (list = []));
  return list;
}

/**
 * The option lists and flat copies of `shapes` for these types at these knobs: kept ones where the
 * types (by identity) and the four knobs typeOptions reads are the same, else built (typeOptions
 * keeps each list) into the entry.
 */
function shapeOptions(list: ShapeOptions[], shapes: readonly EnvironmentShape[], types: readonly InstancePrice[], lmi: LmiContext['config']['lmi']): ShapeOptions {
  let entry: ShapeOptions | undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    if ((list[i] as ShapeOptions).types === types) {
      entry = list[i] as ShapeOptions;
      break;
    }
  }
  if (
    entry !== undefined &&
    entry.osReserveVCpu === lmi.osReserveVCpu &&
    entry.osReserveMemoryMiB === lmi.osReserveMemoryMiB &&
    entry.discount === lmi.discount &&
    entry.managementFeeShare === lmi.managementFeeShare
  ) {
    return entry;
  }
  const lists: (readonly TypeOption[])[] = [];
  let anyOption = false;
  for (const shape of shapes) {
    const options = typeOptions(types, shape, lmi);
    if (options.length > 0) anyOption = true;
    lists.push(options);
  }
  const flats = lists.map(flatOptions);
  if (entry === undefined) {
    if (list.length >= MAX_KEPT_TYPE_LISTS) list.shift();
    entry = { types, osReserveVCpu: 0, osReserveMemoryMiB: 0, discount: 0, managementFeeShare: 0, optionsByShape: lists, flats, anyOption };
    list.push(entry);
  }
  entry.osReserveVCpu = lmi.osReserveVCpu;
  entry.osReserveMemoryMiB = lmi.osReserveMemoryMiB;
  entry.discount = lmi.discount;
  entry.managementFeeShare = lmi.managementFeeShare;
  entry.optionsByShape = lists;
  entry.flats = flats;
  entry.anyOption = anyOption;
  return entry;
}

/** periodCount and monthFactor of a window (each parses its dates), once per window object. */
interface WindowFigures {
  periods: number;
  factor: number;
  /** Hours per period. */
  periodHours: number;
}
const figuresByWindow = new WeakMap<SnapshotWindow, WindowFigures>();
function windowFigures(window: SnapshotWindow): WindowFigures {
  let figures = figuresByWindow.get(window);
  if (figures === undefined) {
    figures = { periods: periodCount(window), factor: monthFactor(window), periodHours: window.periodSeconds / 3600 };
    figuresByWindow.set(window, figures);
  }
  return figures;
}

/** An option list as flat arrays (the grids' lower bounds read every option of every shape per point). */
interface FlatOptions {
  rates: Float64Array;
  perInstance: Float64Array;
  /** Every rate >= 0 and every perInstance > 0: then a shape's bound falls as its per-EE concurrency grows (Pricer.leastShareBound). */
  monotone: boolean;
}
/** Per option list (typeOptions shares them between functions): its flat copy. */
const flatByOptions = new WeakMap<readonly TypeOption[], FlatOptions>();
function flatOptions(options: readonly TypeOption[]): FlatOptions {
  let flat = flatByOptions.get(options);
  if (flat === undefined) {
    flat = {
      rates: Float64Array.from(options, (o) => o.rates.totalUsdPerHour),
      perInstance: Float64Array.from(options, (o) => o.perInstance),
      monotone: options.every((o) => o.rates.totalUsdPerHour >= 0 && o.perInstance > 0),
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
/** leastShareBound's result (a plain array of doubles, as boundInto writes). */
const scratchLeast: number[] = [Number.NaN];
let scratchOrder = new Int32Array(8);

/** True when `share` is one of CPU_SHARE_GRID's shares (to 1e-12). */
function onCpuShareGrid(share: number): boolean {
  for (let i = 0; i < CPU_SHARE_GRID.length; i++) if (Math.abs((CPU_SHARE_GRID[i] as number) - share) < 1e-12) return true;
  return false;
}

/** Pricer's concurrencies until set (never written to: no empty array per sizing). */
const NO_CONCURRENCIES: PerEnvironmentConcurrency[] = [];

/**
 * The last search's (Pricer.cheapest) best option (null: none), its cost units and the per-EE
 * concurrencies it was made at: read right after the call (no search runs inside another), not
 * kept per sizing.
 */
const lastSearch = { option: null as TypeOption | null, units: 0.5, concurrencies: NO_CONCURRENCIES };
/** Where Pricer.sharePerEnvironment's point starts in the array it returned: read right after the call. */
let flatOffset = 0;

/**
 * One sizing's candidate search (cheapest) and the pricing of its break-even grids, with the state
 * they read as fields: what closures over sizeLmi's locals held before (some twenty closures per
 * sizing, 10,000 sizings per what-if update). The grids keep it until every point is priced.
 */
class Pricer {
  /** Demands built here, by "perEnvironment:scaleIndex", when the source keeps none. */
  demands: Map<string, EnvironmentDemand> | null = null;
  // Set by chose() once the configuration is chosen (its CPU share is cpu's).
  usedConcurrencies: PerEnvironmentConcurrency[] = NO_CONCURRENCIES;
  usedPerEnvironment: number[] | null = null;
  shares: readonly number[] = CPU_SHARE_GRID;
  usedAt = -1;
  chosenUnits = 0;
  // The chosen configuration's parts, set by sizeLmi once chosen: its result's figures are read
  // from them (Sizing), the result built on first read only (no object and some ten boxed
  // numbers per function per what-if update where nothing reads them).
  /** The chosen shape's index (into basis.shapes and usedConcurrencies). */
  chosenIndex = -1;
  chosenOption: TypeOption | null = null;
  cpu: CpuPerInvocation | null = null;
  /** cpuAssumedBy (null: none). */
  overrideKey: string | null = null;
  /** Grids priced whole: at two, the sizing takes its result and lets go of this pricer (and what it holds: the source, the basis). */
  gridsPriced = 0;
  /** The sizing made with it (set by Sizing). */
  sizing: Sizing | null = null;

  /**
   * What the basis, the config and the window hold is read through them (a reference each, not a
   * copy per field per sizing): the basis's shapes, traits and served sum never change once set, and
   * its grid concurrencies are pure in their index.
   */
  constructor(
    readonly basis: FunctionBasis,
    readonly optionsByShape: readonly (readonly TypeOption[])[],
    readonly flats: readonly FlatOptions[],
    readonly source: ReplaySource,
    readonly lmi: LmiContext['config']['lmi'],
    readonly figures: WindowFigures,
    readonly monthlyRequestsUsd: number,
  ) {}

  /** Shapes of the basis (read, not kept: a field per sizing less). */
  get shapeCount(): number {
    return this.basis.shapes.length;
  }

  /** The instance-periods of minInstances over the window. */
  get floorPeriods(): number {
    return this.lmi.minInstances * this.figures.periods;
  }

  /** The configuration chosen (its per-EE concurrencies and cost units; its CPU share is cpu's) and the CPU grid's shares. */
  chose(usedConcurrencies: PerEnvironmentConcurrency[], shares: readonly number[], usedAt: number, chosenUnits: number): void {
    this.usedConcurrencies = usedConcurrencies;
    this.shares = shares;
    this.usedAt = usedAt;
    this.chosenUnits = chosenUnits;
  }

  /** The demand of a candidate (per-EE concurrency, traffic scale): from the source where it keeps them between sizings, else built here once per sizing. */
  demandOf(perEnvironment: number, scaleIndex: number): EnvironmentDemand {
    const scale = TRAFFIC_SCALE_GRID[scaleIndex] as number;
    const source = this.source;
    if (source.environmentDemand) return source.environmentDemand(perEnvironment, this.lmi.headroom, this.lmi.minEnvironments, scale, scaleIndex);
    const key = `${perEnvironment}:${scaleIndex}`;
    this.demands ??= new Map();
    let demand = this.demands.get(key);
    if (demand === undefined) {
      const settings = { perEnvironment, headroom: this.lmi.headroom, minEnvironments: this.lmi.minEnvironments };
      demand = keptInstancePeriods(histogramDemand(environmentHistogram(source.hist, settings, scale)));
      this.demands.set(key, demand);
    }
    return demand;
  }

  gridConcurrenciesAt(gridIndex: number): PerEnvironmentConcurrency[] {
    const basis = this.basis;
    let concurrencies = basis.gridConcurrencies[gridIndex];
    if (concurrencies === undefined) {
      const cpuShare = CPU_SHARE_GRID[gridIndex] as number;
      const { traits, processMemoryMB } = basis;
      concurrencies = basis.shapes.map((shape) => perEnvironmentConcurrency({ shape, traits, cpuShare, processMemoryMB }));
      basis.gridConcurrencies[gridIndex] = concurrencies;
    }
    return concurrencies;
  }

  /**
   * A lower bound of cheapest()'s cost units at a CPU share and traffic scale, without its search:
   * the least shape bound, with the slack cheapest() allows it (a shape costs at least its bound
   * less that slack, or cheapest() would skip the shape that wins). The very arithmetic of
   * cheapest()'s shape bounds, over flat copies of the option lists. Its monthly total goes into
   * out[index], each shape's per-EE concurrency read from perEnvironments[offset + shape].
   */
  boundInto(perEnvironments: readonly number[], offset: number, scale: number, out: number[], index: number): void {
    const { floorPeriods, flats } = this;
    const servedSum = this.basis.servedSum as number;
    const headroom = this.lmi.headroom;
    let least = Infinity;
    for (let i = 0; i < this.shapeCount; i++) {
      const environmentPeriods = (servedSum * scale * headroom) / (perEnvironments[offset + i] as number);
      const { rates, perInstance } = flats[i] as FlatOptions;
      let bound = Infinity;
      for (let j = 0; j < rates.length; j++) {
        bound = Math.min(bound, (rates[j] as number) * Math.max(floorPeriods, environmentPeriods / (perInstance[j] as number)));
      }
      if (bound < Infinity) least = Math.min(least, bound * (1 - 1e-9));
    }
    // monthlyTotal(least, scale), written here: a number returned from a call is boxed.
    out[index] = least * this.figures.periodHours * this.figures.factor + this.monthlyRequestsUsd * scale;
  }

  /** The cheapest (shape, type) at the per-EE concurrencies of a CPU share and a traffic scale: its shape index, or -1 (then `best` is null). */
  cheapest(concurrencies: PerEnvironmentConcurrency[], scaleIndex: number): number {
    const scale = TRAFFIC_SCALE_GRID[scaleIndex] as number;
    const { shapeCount, floorPeriods, flats } = this;
    const servedSum = this.basis.servedSum as number;
    const headroom = this.lmi.headroom;
    if (scratchBounds.length < shapeCount) {
      scratchBounds = new Float64Array(shapeCount);
      scratchOrder = new Int32Array(shapeCount);
    }
    const bounds = scratchBounds;
    const order = scratchOrder;
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
    // The best so far as locals (no choice object per shape tried).
    let bestOption: TypeOption | null = null;
    let bestUnits = 0;
    let bestIndex = -1;
    for (let r = 0; r < count; r++) {
      const i = order[r] as number;
      // Small relative slack so floating noise in the bound never skips an equal-cost shape.
      if (bestOption !== null && (bounds[i] as number) * (1 - 1e-9) > bestUnits) break;
      const options = this.optionsByShape[i] as readonly TypeOption[];
      const at = cheapestOptionOf(this.demandOf((concurrencies[i] as PerEnvironmentConcurrency).perEnvironment, scaleIndex), options, this.lmi.minInstances);
      if (at < 0) continue;
      const units = lastChoice.costUnits;
      if (bestOption === null || units < bestUnits || (units === bestUnits && i < bestIndex)) {
        bestOption = options[at] as TypeOption;
        bestUnits = units;
        bestIndex = i;
      }
    }
    lastSearch.option = bestOption;
    lastSearch.units = bestUnits;
    lastSearch.concurrencies = concurrencies;
    return bestIndex;
  }

  /** The chosen configuration's instance-hours per 730-h month (the result's instanceHours). */
  instanceHoursMonth(replayed: ChosenReplay): number {
    return replayed.instancePeriods * this.figures.periodHours * this.figures.factor;
  }

  /** The result's ec2Usd. */
  ec2Usd(replayed: ChosenReplay): number {
    return this.instanceHoursMonth(replayed) * (this.chosenOption as TypeOption).rates.ec2UsdPerHour;
  }

  /** The result's managementFeeUsd. */
  managementFeeUsd(replayed: ChosenReplay): number {
    return this.instanceHoursMonth(replayed) * (this.chosenOption as TypeOption).rates.feeUsdPerHour;
  }

  /** The result's totalUsd. */
  totalUsd(replayed: ChosenReplay): number {
    return this.ec2Usd(replayed) + this.managementFeeUsd(replayed) + this.monthlyRequestsUsd;
  }

  /** The chosen configuration's result (breakEvenCpuShare null: build-report fills it), from its parts. */
  result(replayed: ChosenReplay): LmiResult {
    const { eligibility, processMemorySource } = this.basis;
    const shape = this.basis.shapes[this.chosenIndex] as EnvironmentShape;
    const concurrency = this.usedConcurrencies[this.chosenIndex] as PerEnvironmentConcurrency;
    const option = this.chosenOption as TypeOption;
    const cpu = this.cpu as CpuPerInvocation;
    const { periods } = this.figures;
    const ec2Usd = this.ec2Usd(replayed);
    const managementFeeUsd = this.managementFeeUsd(replayed);
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
      minEnvironments: this.lmi.minEnvironments,
      maxEnvironments: replayed.maxEnvironments,
      avgEnvironments: replayed.environmentPeriods / periods,
      instanceHours: this.instanceHoursMonth(replayed),
      avgInstances: replayed.instancePeriods / periods,
      peakInstances: replayed.peakInstances,
      ec2Usd,
      managementFeeUsd,
      requestsUsd: this.monthlyRequestsUsd,
      totalUsd: ec2Usd + managementFeeUsd + this.monthlyRequestsUsd,
      throttledInvocations: replayed.throttledInvocations,
      cpuSource: cpu.cpuSource,
      cpuSecondsPerInvocation: cpu.cpuSecondsPerInvocation,
      breakEvenCpuShare: null,
    };
    if (this.overrideKey !== null) result.cpuAssumedBy = this.overrideKey;
    return result;
  }

  /** lmiResultFinite(this.result(replayed)), without building it: the same numbers, field by field. */
  resultFinite(replayed: ChosenReplay): boolean {
    const shape = this.basis.shapes[this.chosenIndex] as EnvironmentShape;
    const concurrency = this.usedConcurrencies[this.chosenIndex] as PerEnvironmentConcurrency;
    const cpuSeconds = (this.cpu as CpuPerInvocation).cpuSecondsPerInvocation;
    const { periods } = this.figures;
    return (
      Number.isFinite(shape.memoryMiB) &&
      Number.isFinite(shape.ratio) &&
      Number.isFinite(shape.vCpus) &&
      Number.isFinite(concurrency.setting) &&
      Number.isFinite(this.lmi.minEnvironments) &&
      Number.isFinite(replayed.maxEnvironments) &&
      Number.isFinite(replayed.environmentPeriods / periods) &&
      Number.isFinite(this.instanceHoursMonth(replayed)) &&
      Number.isFinite(replayed.instancePeriods / periods) &&
      Number.isFinite(replayed.peakInstances) &&
      Number.isFinite(this.ec2Usd(replayed)) &&
      Number.isFinite(this.managementFeeUsd(replayed)) &&
      Number.isFinite(this.monthlyRequestsUsd) &&
      Number.isFinite(this.totalUsd(replayed)) &&
      Number.isFinite(replayed.throttledInvocations) &&
      (cpuSeconds === null || Number.isFinite(cpuSeconds))
    );
  }

  /** A grid priced whole: once both are, the demands built here (a source that keeps none) are dropped. */
  gridPriced(): void {
    if (++this.gridsPriced >= 2) {
      this.demands = null;
      this.sizing?.pricedWhole();
    }
  }

  /** The cost units of a grid point: the chosen configuration's own, or a search. */
  pointUnits(cpuShare: number, concurrencies: PerEnvironmentConcurrency[], scaleIndex: number): number {
    if (cpuShare === (this.cpu as CpuPerInvocation).cpuShare && scaleIndex === UNIT_SCALE) return this.chosenUnits;
    // A point is priced only once the chosen configuration was found: cheapest() finds one here too.
    if (this.cheapest(concurrencies, scaleIndex) < 0) throw new LmiAdvisorError('a break-even point found no configuration where the chosen one was found');
    return lastSearch.units;
  }

  monthlyTotal(costUnits: number, scale: number): number {
    return costUnits * this.figures.periodHours * this.figures.factor + this.monthlyRequestsUsd * scale;
  }

  shareConcurrencies(index: number): PerEnvironmentConcurrency[] {
    const usedAt = this.usedAt;
    return usedAt < 0 || index < usedAt ? this.gridConcurrenciesAt(index) : index === usedAt ? this.usedConcurrencies : this.gridConcurrenciesAt(index - 1);
  }

  cpuSharePoint(index: number): LmiSizing['costByCpuShare'][number] {
    const cpuShare = this.shares[index] as number;
    return { cpuShare, totalUsd: this.monthlyTotal(this.pointUnits(cpuShare, this.shareConcurrencies(index), UNIT_SCALE), 1) };
  }

  trafficPoint(index: number): LmiSizing['costByTrafficScale'][number] {
    const scale = TRAFFIC_SCALE_GRID[index] as number;
    return { scale, totalUsd: this.monthlyTotal(this.pointUnits((this.cpu as CpuPerInvocation).cpuShare, this.usedConcurrencies, index), scale) };
  }

  /** The per-EE concurrencies at the share used, as numbers (for the bounds): the basis's where read from the same concurrencies (no array per sizing). */
  usedPerEnvironmentOf(): number[] {
    let used = this.usedPerEnvironment;
    if (used === null) {
      const basis = this.basis;
      if (basis.usedPerEnvironmentFor !== this.usedConcurrencies) {
        // A new array (not written over): earlier pricers may hold the last one.
        basis.usedPerEnvironment = this.usedConcurrencies.map((c) => c.perEnvironment);
        basis.usedPerEnvironmentFor = this.usedConcurrencies;
      }
      used = this.usedPerEnvironment = basis.usedPerEnvironment;
    }
    return used;
  }

  /** The per-EE concurrencies of the CPU grid's point at `index` as numbers: `offset` into the array returned (the basis's flat grid, or the used share's). */
  sharePerEnvironment(index: number): readonly number[] {
    const usedAt = this.usedAt;
    const gridIndex = usedAt < 0 || index < usedAt ? index : index === usedAt ? -1 : index - 1;
    if (gridIndex < 0) {
      flatOffset = 0;
      return this.usedPerEnvironmentOf();
    }
    const shapeCount = this.shapeCount;
    const gridPerEnvironment = this.basis.gridPerEnvironment;
    const offset = gridIndex * shapeCount;
    if (!((gridPerEnvironment[offset] as number) > 0)) {
      if (gridPerEnvironment.length === 0) for (let k = 0; k < CPU_SHARE_GRID.length * shapeCount; k++) gridPerEnvironment.push(Number.NaN);
      const concurrencies = this.gridConcurrenciesAt(gridIndex);
      for (let i = 0; i < shapeCount; i++) gridPerEnvironment[offset + i] = (concurrencies[i] as PerEnvironmentConcurrency).perEnvironment;
    }
    flatOffset = offset;
    return gridPerEnvironment;
  }

  /** The bound at the CPU grid's share at `index` into out[index], from the flat per-EE concurrencies. */
  shareBoundInto(index: number, out: number[]): void {
    const perEnvironments = this.sharePerEnvironment(index);
    this.boundInto(perEnvironments, flatOffset, 1, out, index);
  }

  fillCpuShare(out: number[], from: number, end: number): void {
    for (let index = from; index < end; index++) this.shareBoundInto(index, out);
  }

  /**
   * A lower bound of every bound shareBoundInto writes for the CPU grid's points 0..end-1: boundInto
   * at each shape's largest per-EE concurrency over those points. Each step of boundInto is
   * monotone in a shape's per-EE concurrency (IEEE division, products by non-negative rates,
   * max, min and sums round monotonically): a larger concurrency never gives a larger bound. One
   * pass of boundInto instead of one per point (the verdict's question, where no point down to
   * the floor is cheaper: most of a large account's functions that LMI loses). NaN where that
   * does not hold (a per-EE concurrency not above 0, a negative rate).
   */
  leastShareBound(end: number): number {
    const shapeCount = this.shapeCount;
    const flats = this.flats;
    for (let i = 0; i < shapeCount; i++) if (!(flats[i] as FlatOptions).monotone) return Number.NaN;
    // The largest concurrencies depend on the basis, the points and the share used alone: kept on
    // the basis (a discount or headroom change, most functions' verdicts, reads them again).
    const basis = this.basis;
    const usedAt = this.usedAt;
    const used = usedAt >= 0 && usedAt < end ? this.usedConcurrencies : null;
    const most = basis.leastMost;
    if (basis.leastEnd !== end || basis.leastUsed !== used || most.length !== shapeCount) {
      if (most.length !== shapeCount) {
        most.length = 0;
        for (let i = 0; i < shapeCount; i++) most.push(0);
      }
      basis.leastEnd = -1;
      for (let i = 0; i < shapeCount; i++) most[i] = 0;
      scan: for (let index = 0; index < end; index++) {
        const perEnvironments = this.sharePerEnvironment(index);
        const offset = flatOffset;
        for (let i = 0; i < shapeCount; i++) {
          const perEnvironment = perEnvironments[offset + i] as number;
          if (!(perEnvironment > 0)) {
            most[0] = Number.NaN;
            break scan;
          }
          if (perEnvironment > (most[i] as number)) most[i] = perEnvironment;
        }
      }
      basis.leastEnd = end;
      basis.leastUsed = used;
    }
    if (shapeCount > 0 && Number.isNaN(most[0])) return Number.NaN;
    this.boundInto(most, 0, 1, scratchLeast, 0);
    return scratchLeast[0] as number;
  }

  fillTraffic(out: number[]): void {
    const used = this.usedPerEnvironmentOf();
    for (let index = 0; index < TRAFFIC_SCALE_GRID.length; index++) this.boundInto(used, 0, TRAFFIC_SCALE_GRID[index] as number, out, index);
  }
}

/** The CPU-share grid of a sizing, priced by its Pricer as read. */
class CpuShareCosts extends BoundedCostGrid<LmiSizing['costByCpuShare'][number]> {
  #pricer: Pricer | null;

  constructor(pricer: Pricer) {
    super(pricer.shares.length, null, { keys: pricer.shares, fill: null });
    this.#pricer = pricer;
  }

  protected override priceAt(index: number): LmiSizing['costByCpuShare'][number] {
    return (this.#pricer as Pricer).cpuSharePoint(index);
  }

  protected override fillBounds(out: number[], from: number, end: number): void {
    (this.#pricer as Pricer).fillCpuShare(out, from, end);
  }

  protected override leastBound(end: number): number {
    return (this.#pricer as Pricer).leastShareBound(end);
  }

  protected override pricedAll(): void {
    super.pricedAll();
    (this.#pricer as Pricer).gridPriced();
    this.#pricer = null;
  }
}

/** The traffic-scale grid of a sizing, priced by its Pricer as read. */
class TrafficScaleCosts extends BoundedCostGrid<LmiSizing['costByTrafficScale'][number]> {
  #pricer: Pricer | null;

  constructor(pricer: Pricer) {
    super(TRAFFIC_SCALE_GRID.length, null, { keys: TRAFFIC_SCALE_GRID, fill: null });
    this.#pricer = pricer;
  }

  protected override priceAt(index: number): LmiSizing['costByTrafficScale'][number] {
    return (this.#pricer as Pricer).trafficPoint(index);
  }

  protected override fillBounds(out: number[]): void {
    (this.#pricer as Pricer).fillTraffic(out);
  }

  protected override pricedAll(): void {
    super.pricedAll();
    (this.#pricer as Pricer).gridPriced();
    this.#pricer = null;
  }
}

/**
 * cpuPerInvocation for this sizing: the basis's kept one where every argument is the same (a
 * discount or headroom change), else found and kept. Read only: sizeLmi copies its fields.
 */
function keptCpu(basis: FunctionBasis, profile: FunctionProfile, avgDurationMs: number | null, lmi: LmiContext['config']['lmi']): CpuPerInvocation {
  // The full share is the default bound; single-threaded only when the user chooses it.
  const singleThreaded = lmi.cpuBound === 'single-threaded' && basis.traits.singleThreaded;
  const cpuBusyFraction = cpuBusyFractionFor(lmi, profile.region, profile.name);
  const k = basis.cpu;
  if (
    k !== null &&
    k.avgDurationMs === avgDurationMs &&
    k.measuredCpuSeconds === profile.cpuSecondsPerInvocation &&
    k.singleThreaded === singleThreaded &&
    k.cpuBusyFraction === cpuBusyFraction
  ) {
    return k.value;
  }
  const value = cpuPerInvocation({ memoryMB: profile.memoryMB, avgDurationMs, measuredCpuSeconds: profile.cpuSecondsPerInvocation, singleThreaded, cpuBusyFraction });
  basis.cpu = { avgDurationMs, measuredCpuSeconds: profile.cpuSecondsPerInvocation, singleThreaded, cpuBusyFraction, value };
  return value;
}

/** CPU shares whose per-EE concurrencies a basis keeps (the grid's and the ones tried). */
const MAX_KEPT_SHARES = 256;

function functionBasis(profile: FunctionProfile, lmi: LmiContext['config']['lmi']): FunctionBasis {
  const shapes = shapesOf(profile.memoryMB, lmi.memoryGiBPerVCpuOptions);
  const eligibility = checkEligibility(profile.runtime, profile.memoryMB);
  const traits = eligibility.traits;
  const python = traits.language === 'python';
  const measuredProcessMB = profile.memoryUsedMBMax ?? null;
  return {
    eligibility,
    traits,
    shapes,
    processMemoryMB: python ? (measuredProcessMB ?? profile.memoryMB) : null,
    processMemorySource: python ? (measuredProcessMB !== null ? 'measured' : 'configured') : null,
    concurrencyByShare: new Map(),
    lastShare: Number.NaN,
    lastConcurrencies: NO_CONCURRENCIES,
    gridConcurrencies: new Array<PerEnvironmentConcurrency[] | undefined>(CPU_SHARE_GRID.length).fill(undefined),
    gridPerEnvironment: [],
    options: shapeOptionsList(shapes),
    risks: null,
    servedSum: null,
    cpu: null,
    sharesCpuShare: Number.NaN,
    sharesUsedAt: -1,
    shares: CPU_SHARE_GRID,
    usedPerEnvironmentFor: null,
    usedPerEnvironment: [],
    leastMost: [],
    leastEnd: -1,
    leastUsed: null,
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
  if (prices.lambda === undefined) return null;
  const types = candidateInstanceTypes(prices.instances, profile.architecture, lmi);
  if (types.length === 0) return null;
  const figures = windowFigures(window);
  const { periods, factor } = figures;
  if (periods <= 0) throw new LmiAdvisorError(`${profile.region}/${profile.name}: the window ${window.start}..${window.end} holds no period`);

  const basis = replay?.sizingMemo ? keptBasis(replay.sizingMemo, profile, lmi) : functionBasis(profile, lmi);
  const { eligibility, traits, shapes, concurrencyByShare } = basis;
  const options = shapeOptions(basis.options, shapes, types, lmi);
  if (!options.anyOption) return null;
  const { optionsByShape, flats } = options;

  const cpu = keptCpu(basis, profile, usage.avgDurationMs, lmi);
  const { processMemoryMB, processMemorySource } = basis;

  const source = replay ?? seriesReplay(profile, window, lmi);
  if (source.periods !== periods) throw new LmiAdvisorError(`${profile.region}/${profile.name}: the replay holds ${source.periods} periods, the window ${periods}`);
  const hist = source.hist;

  const requestUsd = prices.lambda.lmiRequestUsd;
  const monthlyRequestsUsd = usage.invocations * requestUsd * factor;

  // Sum over periods of the served concurrency: with it, sum(EEs) >= sum(c) x scale x headroom /
  // perEE gives each shape a lower bound without a pass over the histogram.
  if (basis.servedSum === null) {
    let servedSum = 0;
    for (let i = 0; i < hist.values.length; i++) servedSum += (hist.values[i] as number) * (hist.counts[i] as number);
    basis.servedSum = servedSum;
  }

  // The candidates' search and the break-even grids' pricing, with their state in one object (no
  // closure per helper per sizing: 10,000 sizings per what-if update).
  const pricer = new Pricer(basis, optionsByShape, flats, source, lmi, figures, monthlyRequestsUsd);
  // Every traffic point is at the CPU share used: its per-EE concurrencies once.
  let usedConcurrencies = basis.lastShare === cpu.cpuShare ? basis.lastConcurrencies : concurrencyByShare.get(cpu.cpuShare);
  if (usedConcurrencies === undefined) {
    if (concurrencyByShare.size >= MAX_KEPT_SHARES) concurrencyByShare.clear();
    usedConcurrencies = shapes.map((shape) => perEnvironmentConcurrency({ shape, traits, cpuShare: cpu.cpuShare, processMemoryMB }));
    concurrencyByShare.set(cpu.cpuShare, usedConcurrencies);
  }
  basis.lastShare = cpu.cpuShare;
  basis.lastConcurrencies = usedConcurrencies;
  const chosenIndex = pricer.cheapest(usedConcurrencies, UNIT_SCALE);
  if (chosenIndex < 0) return null;
  const shape = shapes[chosenIndex] as EnvironmentShape;
  const concurrency = lastSearch.concurrencies[chosenIndex] as PerEnvironmentConcurrency;
  const option = lastSearch.option as TypeOption;
  const chosenUnits = lastSearch.units;
  const perEnvironment = concurrency.perEnvironment;

  const replayed = source.chosen(perEnvironment, option.perInstance, lmi);
  const throttledInvocations = replayed.throttledInvocations;
  pricer.chosenIndex = chosenIndex;
  pricer.chosenOption = option;
  pricer.cpu = cpu;
  pricer.overrideKey = cpu.cpuSource === 'assumed' ? cpuBusyFractionOverrideKey(lmi, profile.region, profile.name) : null;

  // The CPU grid: CPU_SHARE_GRID (descending), with the share used in its place when off it (kept
  // per basis for the share used last: read only, as CPU_SHARE_GRID is).
  if (basis.sharesCpuShare !== cpu.cpuShare) {
    const usedAt = cpu.cpuShare > 0 && !onCpuShareGrid(cpu.cpuShare) ? insertionIndex(CPU_SHARE_GRID, cpu.cpuShare) : -1;
    let shares: readonly number[] = CPU_SHARE_GRID;
    if (usedAt >= 0) {
      const withUsed = new Array<number>(CPU_SHARE_GRID.length + 1);
      for (let i = 0; i < withUsed.length; i++) withUsed[i] = i < usedAt ? (CPU_SHARE_GRID[i] as number) : i === usedAt ? cpu.cpuShare : (CPU_SHARE_GRID[i - 1] as number);
      shares = withUsed;
    }
    basis.sharesCpuShare = cpu.cpuShare;
    basis.sharesUsedAt = usedAt;
    basis.shares = shares;
  }
  const usedAt = basis.sharesUsedAt;
  const shares = basis.shares;
  // The grids are priced as they are read (cost-grid.ts). The type options do not depend on CPU
  // share or traffic, so a point is priced whenever the chosen configuration was (cheapest()
  // finds one). The chosen configuration's own point (its share, traffic 1) is the search above.
  pricer.chose(usedConcurrencies, shares, usedAt, chosenUnits);

  // Kept per function where the source keeps a memo (the basis): the risks read nothing else
  // than these, so a sizing that repeats them (a discount, a share moving no per-EE concurrency,
  // a headroom throttling nothing) reuses them. No closure and no key object per sizing.
  const k = replay?.sizingMemo ? basis.risks : null;
  let risks: string[];
  if (
    k !== null &&
    k.shape === shape &&
    (k.perEnvironment === perEnvironment || (perEnvironment >= 1 && k.perEnvironment >= 1)) &&
    k.throttledInvocations === throttledInvocations &&
    k.invocations === usage.invocations &&
    k.periodSeconds === window.periodSeconds &&
    (throttledInvocations <= 0 || k.headroom === lmi.headroom) &&
    k.scaleOutMinutes === lmi.scaleOutMinutes
  ) {
    risks = k.risks;
  } else if (
    k !== null &&
    k.shape === shape &&
    (k.perEnvironment === perEnvironment || (perEnvironment >= 1 && k.perEnvironment >= 1)) &&
    k.periodSeconds === window.periodSeconds &&
    k.scaleOutMinutes === lmi.scaleOutMinutes
  ) {
    // Only the throttle sentence moves (it reads the throttles, the invocations and the headroom;
    // a headroom change on a throttling function): the other sentences are the kept ones, taken
    // as they are (no string built again). A new array: the sizings that took the old keep theirs.
    const old = k.risks;
    const at = k.throttleAt;
    risks = [];
    for (let i = 0; i < at; i++) risks.push(old[i] as string);
    if (throttledInvocations > 0) risks.push(throttleRisk(throttledInvocations, usage.invocations, lmi));
    for (let i = at + (k.throttledInvocations > 0 ? 1 : 0); i < old.length; i++) risks.push(old[i] as string);
    k.throttledInvocations = throttledInvocations;
    k.invocations = usage.invocations;
    k.headroom = lmi.headroom;
    k.risks = risks;
  } else {
    risks = sizingRisks({
      profile,
      eligibility,
      shape,
      perEnvironment,
      processMemorySource,
      throttledInvocations,
      totalInvocations: usage.invocations,
      coarse: scalingDelays(window.periodSeconds, lmi.scaleOutMinutes, lmi.scaleInMinutes).outPeriods === 0 && lmi.scaleOutMinutes > 0,
      periodSeconds: window.periodSeconds,
      unknownPeriods: source.unknownPeriods,
      allUnknown: source.allUnknown,
      periods,
      lmi,
    });
    if (k !== null) {
      // Written over (no new object): the sizings that took the old risks keep their array.
      k.shape = shape;
      k.perEnvironment = perEnvironment;
      k.throttledInvocations = throttledInvocations;
      k.invocations = usage.invocations;
      k.periodSeconds = window.periodSeconds;
      k.headroom = lmi.headroom;
      k.scaleOutMinutes = lmi.scaleOutMinutes;
      k.risks = risks;
      k.throttleAt = risksThrottleAt;
    } else if (replay?.sizingMemo) {
      basis.risks = {
        shape,
        perEnvironment,
        throttledInvocations,
        invocations: usage.invocations,
        periodSeconds: window.periodSeconds,
        headroom: lmi.headroom,
        scaleOutMinutes: lmi.scaleOutMinutes,
        risks,
        throttleAt: risksThrottleAt,
      };
    }
  }

  return new Sizing(pricer, replayed, risks);
}

/**
 * LmiSizing with `capacity` and `chart` read from the chosen replay on first use: a compact
 * replay (the what-if page) builds the runs only if grouping reads them, and a chart only if
 * something reads it. A class, not an object literal with a getter: such a literal is slow to
 * build and to read (thousands per page update). The break-even grids are priced as read: `costByCpuShare` / `costByTrafficScale` price them whole.
 *
 * `result` is built on first read, from the chosen configuration's parts its pricer holds: the
 * what-if page re-sizes 10,000 functions per update and reads few results whole (a detail section,
 * a planned function). What build-report reads of every function (the verdict's figures, the
 * finite check) is read through here from those parts: each getter named after a result field
 * gives that field's very value (size.test.ts, size.kept.test.ts).
 */
export class Sizing implements LmiSizing {
  readonly #replayed: ChosenReplay;
  /**
   * What build-report keeps for this sizing between report builds (its SizingMemo; opaque here). A
   * slot in the object, not a WeakMap entry: every re-sizing makes 10,000 new sizings on the
   * what-if page, and a WeakMap keyed by young objects costs each scavenge (ephemeron tables)
   * besides the lookups. Private, so equality checks and JSON never see it.
   */
  #reportMemo: object | undefined = undefined;
  /**
   * The chosen configuration's parts (the result's source) and the grids' pricer; null once both
   * grids are priced whole (the CLI prices every point): the result is built then and read in
   * its place, so a sizing holds no replay source (the CLI's holds the served series) nor basis.
   */
  #pricer: Pricer | null;
  #cpuShareCosts: CpuShareCosts | null = null;
  #trafficScaleCosts: TrafficScaleCosts | null = null;
  /** The result, once read. */
  #result: LmiResult | null = null;

  constructor(
    pricer: Pricer,
    replayed: ChosenReplay,
    readonly risks: string[],
  ) {
    this.#pricer = pricer;
    this.#replayed = replayed;
    pricer.sizing = this;
  }

  get result(): LmiResult {
    return (this.#result ??= (this.#pricer as Pricer).result(this.#replayed));
  }

  /** It still holds its pricer, and through it the replay source and the basis (false once both grids are priced whole). */
  get holdsPricer(): boolean {
    return this.#pricer !== null;
  }

  /** Both grids priced whole (called by the pricer): the result built, the pricer let go. */
  pricedWhole(): void {
    void this.result;
    this.#pricer = null;
  }

  // The result's fields build-report reads of every function (recommend.ts DecideInput's lmi,
  // busyTimePremium), read through (from the result once the pricer is let go).
  get eligible(): boolean {
    const p = this.#pricer;
    return p === null ? this.result.eligible : p.basis.eligibility.eligible;
  }
  get blockers(): string[] {
    const p = this.#pricer;
    return p === null ? this.result.blockers : p.basis.eligibility.blockers;
  }
  get needsRuntimeUpgrade(): boolean {
    const p = this.#pricer;
    return p === null ? this.result.needsRuntimeUpgrade : p.basis.eligibility.needsRuntimeUpgrade;
  }
  get needsMemoryIncrease(): boolean {
    const p = this.#pricer;
    return p === null ? this.result.needsMemoryIncrease : p.basis.eligibility.needsMemoryIncrease;
  }
  get memoryMB(): number {
    const p = this.#pricer;
    return p === null ? this.result.memoryMB : (p.basis.shapes[p.chosenIndex] as EnvironmentShape).memoryMiB;
  }
  get instanceType(): string {
    const p = this.#pricer;
    return p === null ? (this.result.instanceType as string) : (p.chosenOption as TypeOption).price.instanceType;
  }
  get processMemorySource(): 'measured' | 'configured' | null {
    const p = this.#pricer;
    return p === null ? this.result.processMemorySource : p.basis.processMemorySource;
  }
  get instanceHours(): number {
    const p = this.#pricer;
    return p === null ? this.result.instanceHours : p.instanceHoursMonth(this.#replayed);
  }
  get ec2Usd(): number {
    const p = this.#pricer;
    return p === null ? this.result.ec2Usd : p.ec2Usd(this.#replayed);
  }
  get managementFeeUsd(): number {
    const p = this.#pricer;
    return p === null ? this.result.managementFeeUsd : p.managementFeeUsd(this.#replayed);
  }
  get totalUsd(): number {
    const p = this.#pricer;
    return p === null ? this.result.totalUsd : p.totalUsd(this.#replayed);
  }
  get throttledInvocations(): number {
    return this.#replayed.throttledInvocations;
  }
  get cpuSource(): CpuPerInvocation['cpuSource'] {
    const p = this.#pricer;
    return p === null ? this.result.cpuSource : (p.cpu as CpuPerInvocation).cpuSource;
  }
  get cpuSecondsPerInvocation(): number | null {
    const p = this.#pricer;
    return p === null ? this.result.cpuSecondsPerInvocation : (p.cpu as CpuPerInvocation).cpuSecondsPerInvocation;
  }
  get cpuAssumedBy(): string | undefined {
    const p = this.#pricer;
    return p === null ? this.result.cpuAssumedBy : (p.overrideKey ?? undefined);
  }

  /**
   * breakEvenCpuShareAtLeast(cpuShareCosts, standardUsd, floor)'s first answer (false) holds: the
   * least lower bound of the CPU grid's points down to the first share below `floor` is at least
   * `standardUsd`. Asked of the grid where it is made, else of the pricer as a new grid would ask
   * it (a grid is made for the points it prices: most functions LMI loses need none).
   */
  cpuShareSettled(standardUsd: number, floor: number): boolean {
    const grid = this.#cpuShareCosts;
    // No grid: the pricer is still held (it is let go once both grids are priced whole).
    const keys = grid !== null ? grid.pointKeys : (this.#pricer as Pricer).shares;
    let end = keys.length;
    for (let i = 0; i < keys.length; i++) {
      if ((keys[i] as number) < floor) {
        end = i + 1;
        break;
      }
    }
    // A new grid's leastLowerTotal(end): none of its points priced.
    const least = grid !== null ? grid.leastLowerTotal(end) : keys.length > 0 ? (this.#pricer as Pricer).leastShareBound(Math.min(end, keys.length)) : Number.NaN;
    return least >= standardUsd;
  }

  get cpuShareCosts(): BoundedCostGrid<LmiSizing['costByCpuShare'][number]> {
    return (this.#cpuShareCosts ??= new CpuShareCosts(this.#pricer as Pricer));
  }

  get trafficScaleCosts(): BoundedCostGrid<LmiSizing['costByTrafficScale'][number]> {
    return (this.#trafficScaleCosts ??= new TrafficScaleCosts(this.#pricer as Pricer));
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

  /** The chosen replay's chart, read through: a compact replay builds it on first read (a page draws a few hundred of 10,000). */
  get chart(): LmiSizing['chart'] {
    return this.#replayed.chart;
  }

  /** Every number of `result` is finite (lmiResultFinite of it, read from its parts without building it). */
  get resultFinite(): boolean {
    const p = this.#pricer;
    return p === null ? lmiResultFinite(this.result) : p.resultFinite(this.#replayed);
  }

  get reportMemo(): object | undefined {
    return this.#reportMemo;
  }

  set reportMemo(memo: object) {
    this.#reportMemo = memo;
  }
}

/**
 * Every number of a result sizeLmi builds is finite: what build-report's generic walk (allFinite:
 * own enumerable keys, arrays' elements) finds of it, read field by field (the walk was ~10 ms of
 * each what-if update at 10,000 functions). Its booleans, strings and blockers (strings) are
 * finite to the walk; a field added to the result must be added here (size.test.ts compares the
 * keys).
 */
export function lmiResultFinite(r: LmiResult): boolean {
  return (
    Number.isFinite(r.memoryMB) &&
    Number.isFinite(r.memoryGiBPerVCpu) &&
    Number.isFinite(r.vCpusPerEnvironment) &&
    Number.isFinite(r.perEnvironmentConcurrency) &&
    Number.isFinite(r.minEnvironments) &&
    Number.isFinite(r.maxEnvironments) &&
    Number.isFinite(r.avgEnvironments) &&
    Number.isFinite(r.instanceHours) &&
    Number.isFinite(r.avgInstances) &&
    Number.isFinite(r.peakInstances) &&
    Number.isFinite(r.ec2Usd) &&
    Number.isFinite(r.managementFeeUsd) &&
    Number.isFinite(r.requestsUsd) &&
    Number.isFinite(r.totalUsd) &&
    Number.isFinite(r.throttledInvocations) &&
    (r.cpuSecondsPerInvocation === null || Number.isFinite(r.cpuSecondsPerInvocation)) &&
    (r.breakEvenCpuShare === null || Number.isFinite(r.breakEvenCpuShare))
  );
}

/** Where sizingRisks put (or would have put) its throttle sentence, in the risks it returned last. */
let risksThrottleAt = 0;

/** sizingRisks's sentence for throttled invocations (throttledInvocations > 0). */
function throttleRisk(throttledInvocations: number, totalInvocations: number, lmi: LmiContext['config']['lmi']): string {
  const share = totalInvocations > 0 ? ` (${((100 * throttledInvocations) / totalInvocations).toPrecision(2)} %)` : '';
  return `about ${count(throttledInvocations)} invocations${share} would have been throttled while LMI scaled out: traffic rose more than ${lmi.headroom}x within ${lmi.scaleOutMinutes} minutes`;
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
  risksThrottleAt = risks.length;
  if (a.throttledInvocations > 0) risks.push(throttleRisk(a.throttledInvocations, a.totalInvocations, lmi));
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
