/**
 * Break-even figures from the LMI sizing grids: the CPU share and the traffic level at which LMI
 * costs the same as standard Lambda. Linear interpolation between grid points. Each scan reads
 * the grid in order and stops at its answer; a grid that knows a lower bound of a point's cost
 * (one priced as it is read, cost-grid.ts) is priced only where the bound does not settle the
 * point, with the very figures of a scan over every point.
 */

/** A grid read by index: an array, or one that prices its points as they are read. */
export interface CostPoints<P extends { totalUsd: number }> {
  readonly length: number;
  at(index: number): P | undefined;
  /**
   * Each point's lower bound of its totalUsd as one array, kept up to date as points are priced
   * (cost-grid.ts BoundedCostGrid); with `pointKeys`, each point's cpuShare or scale. With `end`,
   * entries from `end` on may be NaN (not filled yet).
   */
  lowerTotals?(end?: number): readonly number[];
  readonly pointKeys?: readonly number[];
  /**
   * A lower bound of every entry of lowerTotals(end) at once, without filling them (NaN: none
   * known). Where it is not below a standard total, no point before `end` is cheaper.
   */
  leastLowerTotal?(end: number): number;
}

/**
 * Largest CPU share of duration at which LMI is cheaper than `standardUsd`.
 * `grid` is sorted by cpuShare descending. Returns the grid's top share (1) when LMI is cheaper
 * even there, null when it is never cheaper, even at the smallest share.
 */
export function breakEvenCpuShare(grid: CostPoints<{ cpuShare: number; totalUsd: number }>, standardUsd: number): number | null {
  const lows = grid.lowerTotals !== undefined ? grid.lowerTotals() : null;
  for (let i = 0; i < grid.length; i++) {
    // Not cheaper when even its lower bound is not (a NaN bound settles nothing).
    if (lows !== null && (lows[i] as number) >= standardUsd) continue;
    const point = grid.at(i)!;
    if (point.totalUsd < standardUsd) return crossingShare(grid, i, point, standardUsd);
  }
  return null;
}

/**
 * breakEvenCpuShare(grid, standardUsd) >= floor (false when it is null), reading the grid only
 * down to the first share below `floor` where LMI is not cheaper: a crossing further down is
 * interpolated from a share at most that one (prev + t x (point - prev), t in (0, 1], is never
 * above prev), so below `floor`. The verdict's question (recommend.reviewCpuShare) without the
 * points below it.
 */
export function breakEvenCpuShareAtLeast(grid: CostPoints<{ cpuShare: number; totalUsd: number }>, standardUsd: number, floor: number): boolean {
  const keys = grid.pointKeys;
  // The scan ends at the first share below `floor`: bounds down to there only.
  let end = grid.length;
  if (keys !== undefined) {
    for (let i = 0; i < keys.length; i++) {
      if ((keys[i] as number) < floor) {
        end = i + 1;
        break;
      }
    }
  }
  // One bound under every point down to there: none is cheaper, so the scan would skip each and
  // stop at the first share below `floor` (or run out of points), answering false.
  if (grid.leastLowerTotal !== undefined && grid.leastLowerTotal(end) >= standardUsd) return false;
  const lows = grid.lowerTotals !== undefined ? grid.lowerTotals(end) : null;
  for (let i = 0; i < grid.length; i++) {
    if (lows === null || !((lows[i] as number) >= standardUsd)) {
      const point = grid.at(i)!;
      if (point.totalUsd < standardUsd) return crossingShare(grid, i, point, standardUsd) >= floor;
    }
    const share = keys !== undefined ? (keys[i] as number) : grid.at(i)!.cpuShare;
    if (share < floor) return false;
  }
  return false;
}

/** The break-even share where `point` (index i) is the first cheaper point of the scan. */
function crossingShare(
  grid: CostPoints<{ cpuShare: number; totalUsd: number }>,
  i: number,
  point: { cpuShare: number; totalUsd: number },
  standardUsd: number,
): number {
  if (i === 0) return point.cpuShare;
  const prev = grid.at(i - 1)!;
  // LMI cost falls with CPU share between prev (not cheaper) and point (cheaper).
  const t = (prev.totalUsd - standardUsd) / (prev.totalUsd - point.totalUsd);
  return prev.cpuShare + t * (point.cpuShare - prev.cpuShare);
}

/**
 * Traffic scale at which LMI alone costs the same as standard Lambda, as invocations per month.
 * APPROXIMATION: standard cost at scale s = fixed + (total - fixed) x s (requests, duration and
 * ephemeral storage are linear in traffic; configured PC is fixed); duration tiers are ignored.
 * `grid` is sorted by scale ascending. Returns the first scale where the cheaper side changes
 * (interpolated) x monthly invocations; null when one side is cheaper at every scale of the
 * grid (no crossing inside 0.01..100 x today's traffic).
 */
export function breakEvenInvocationsPerMonth(
  grid: CostPoints<{ scale: number; totalUsd: number }>,
  standard: { totalUsd: number; fixedUsd: number },
  monthlyInvocations: number,
): number | null {
  const fixed = standard.fixedUsd;
  const variable = standard.totalUsd - fixed;
  // The previous point's gap; NaN where only known to be negative (a lower bound of LMI's cost
  // gives an upper bound of the gap), priced when a crossing needs it.
  let prevGap = Number.NaN;
  const lows = grid.lowerTotals !== undefined && grid.pointKeys !== undefined ? grid.lowerTotals() : null;
  const keys = grid.pointKeys;
  for (let i = 0; i < grid.length; i++) {
    const hasPrev = i > 0;
    // The gap at the bound is negative: a crossing here only from a positive gap (LMI cheaper before).
    if (lows !== null && gapOf(fixed, variable, (keys as readonly number[])[i] as number, lows[i] as number) < 0 && !(hasPrev && prevGap > 0)) {
      prevGap = Number.NaN;
      continue;
    }
    const point = grid.at(i)!;
    const g = gapOf(fixed, variable, point.scale, point.totalUsd);
    if (hasPrev) {
      // An unpriced previous point has a negative gap: a crossing needs g >= 0.
      const before = Number.isNaN(prevGap) && g >= 0 ? gapOf(fixed, variable, grid.at(i - 1)!.scale, grid.at(i - 1)!.totalUsd) : prevGap;
      // Either direction: LMI becoming cheaper as traffic grows, or (a function with configured
      // PC, whose standard cost has a fixed part) LMI cheaper only below some traffic.
      if ((before < 0 && g >= 0) || (before > 0 && g <= 0)) {
        const t = -before / (g - before);
        const prevScale = grid.at(i - 1)!.scale;
        return (prevScale + t * (point.scale - prevScale)) * monthlyInvocations;
      }
    }
    prevGap = g;
  }
  return null;
}

/** Standard's cost at a traffic scale less LMI's (the APPROXIMATION above): fixed + variable x scale - lmiUsd. */
function gapOf(fixedUsd: number, variableUsd: number, scale: number, lmiUsd: number): number {
  return fixedUsd + variableUsd * scale - lmiUsd;
}
