/**
 * The interface between the LMI model (src/model/lmi/**) and build-report (src/model/*.ts).
 * Fixed by the lead; change only additively.
 */
import type { Config } from '../../config/schema.js';
import type { RegionPrices } from '../../prices/types.js';
import type { ChartSeries, LmiResult } from '../../report/types.js';
import type { SnapshotWindow } from '../../source/profile.js';
import type { CostPoints } from '../break-even.js';

/** EE capacity over the window as runs: capacity[i] environments for runLengths[i] periods. */
export interface CapacityRuns {
  capacity: Uint32Array;
  runLengths: Uint32Array;
  periodSeconds: number;
  /**
   * The same capacity by level, where the source has it without building the runs (the what-if
   * page's compact replay, src/whatif/replay-compact.ts): planning reads it in their place, for the
   * same integer sums. Absent or null: planning reads the runs.
   */
  leveled?: LeveledCapacity | null;
}

/**
 * EE capacity as runs over levels: run i holds levelCapacity[runLevel[i]] EEs for runLength[i]
 * periods, and level j holds levelPeriods[j] periods in all (the sum over its runs; the levels'
 * periods sum to the window's). A run of no period holds nothing (as the runs drop it); equal
 * neighbouring runs and equal levels are allowed. The runs, expanded, are the series `capacity`
 * and `runLengths` hold.
 */
export interface LeveledCapacity {
  levelCapacity: ArrayLike<number>;
  levelPeriods: ArrayLike<number>;
  runLevel: ArrayLike<number>;
  runLength: ArrayLike<number>;
}

export interface LmiSizing {
  /** The function alone, at the CPU figure used; money is USD per 730-h month. breakEvenCpuShare is
   *  filled later by build-report (needs the standard cost); set it to null here.
   *  instanceHours is per 730-h month too (so ec2Usd = instanceHours x discounted rate);
   *  throttledInvocations is over the window. memoryMB is the EE memory (rounded up if needed). */
  result: LmiResult;
  /** Monthly LMI totalUsd if the function's CPU share of duration were `cpuShare` (grid, sorted
   *  by cpuShare descending, includes 1 and small values like 0.01). */
  costByCpuShare: { cpuShare: number; totalUsd: number }[];
  /** Monthly LMI totalUsd with all traffic multiplied by `scale` (grid 0.01..100, ascending). */
  costByTrafficScale: { scale: number; totalUsd: number }[];
  /** The same grids, priced point by point as they are read (the break-even scans stop at the
   *  first crossing and skip points a lower bound settles); absent, the arrays above are read. */
  cpuShareCosts?: CostPoints<{ cpuShare: number; totalUsd: number }>;
  trafficScaleCosts?: CostPoints<{ scale: number; totalUsd: number }>;
  chart: ChartSeries;
  /** EE capacity series of the chosen shape, for packing with others on a shared provider. */
  capacity: CapacityRuns;
  /** Plain-language risks found while sizing (bursts throttled, Python memory estimated...). */
  risks: string[];
}

export interface LmiContext {
  window: SnapshotWindow;
  prices: RegionPrices;
  config: Config;
}

/** Packing uses result.memoryMB and result.vCpusPerEnvironment (the EE shape); `invocations`
 *  is the window's total (requests are scaled to the month by planCapacityProvider). */
export interface GroupMember {
  name: string;
  memoryMB: number;
  result: LmiResult;
  capacity: CapacityRuns;
  invocations: number;
}
