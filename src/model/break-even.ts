/**
 * Break-even figures from the LMI sizing grids: the CPU share and the traffic level at which LMI
 * costs the same as standard Lambda. Linear interpolation between grid points. Each scan reads
 * the grid in order and stops at its answer (a grid may price its points as they are read).
 */

/**
 * Largest CPU share of duration at which LMI is cheaper than `standardUsd`.
 * `grid` is sorted by cpuShare descending. Returns the grid's top share (1) when LMI is cheaper
 * even there, null when it is never cheaper, even at the smallest share.
 */
export function breakEvenCpuShare(
  grid: Iterable<{ cpuShare: number; totalUsd: number }>,
  standardUsd: number,
): number | null {
  let prev: { cpuShare: number; totalUsd: number } | undefined;
  for (const point of grid) {
    if (point.totalUsd < standardUsd) {
      if (!prev) return point.cpuShare;
      // LMI cost falls with CPU share between prev (not cheaper) and point (cheaper).
      const t = (prev.totalUsd - standardUsd) / (prev.totalUsd - point.totalUsd);
      return prev.cpuShare + t * (point.cpuShare - prev.cpuShare);
    }
    prev = point;
  }
  return null;
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
  grid: Iterable<{ scale: number; totalUsd: number }>,
  standard: { totalUsd: number; fixedUsd: number },
  monthlyInvocations: number,
): number | null {
  const variable = standard.totalUsd - standard.fixedUsd;
  const gap = (scale: number, lmiUsd: number) => standard.fixedUsd + variable * scale - lmiUsd;
  let prev: { scale: number; gap: number } | undefined;
  for (const point of grid) {
    const g = gap(point.scale, point.totalUsd);
    // Either direction: LMI becoming cheaper as traffic grows, or (a function with configured
    // PC, whose standard cost has a fixed part) LMI cheaper only below some traffic.
    if (prev && ((prev.gap < 0 && g >= 0) || (prev.gap > 0 && g <= 0))) {
      const t = -prev.gap / (g - prev.gap);
      return (prev.scale + t * (point.scale - prev.scale)) * monthlyInvocations;
    }
    prev = { scale: point.scale, gap: g };
  }
  return null;
}
