/**
 * Wording shared by the reasons (src/model/recommend.ts) and the headlines (src/render/verdict.ts),
 * so a figure reads the same, and can never read as impossible, wherever it is told.
 */

/** "0.45 vCPU" / "1.02 vCPUs": a number of vCPUs busy on average. */
export function formatVCpus(vCpus: number): string {
  const text = vCpus.toFixed(2);
  return `${text} vCPU${Number(text) > 1 ? 's' : ''}`;
}

function percent(share: number, decimals: number): string {
  return `${(share * 100).toFixed(decimals)} %`;
}

/**
 * What must hold for LMI to be cheaper, from breakEvenCpuShare (CPU-seconds per second of
 * duration, i.e. vCPUs busy on average while an invocation runs). Above 1 it is said in vCPUs,
 * since "CPU work under 102 % of the duration" reads as impossible; at or below 1 as a share of
 * the duration, with the same figure in vCPUs.
 */
export function breakEvenCondition(breakEvenCpuShare: number, cpuUsedNote?: string | null): string {
  // cpuUsedNote names the CPU figure the sizing used, e.g. "the safe bound assumes 1.70 vCPUs".
  const used = cpuUsedNote ? cpuUsedNote : null;
  if (breakEvenCpuShare > 1) {
    return `the function keeps under ${formatVCpus(breakEvenCpuShare)} busy on average while it runs${used ? ` (${used})` : ''}`;
  }
  return `CPU work is under ${percent(breakEvenCpuShare, 1)} of the duration (${formatVCpus(breakEvenCpuShare)} busy on average${used ? `; ${used}` : ''})`;
}

/**
 * vCPUs a running invocation keeps busy at the CPU figure the sizing used (CPU-seconds per
 * invocation / average duration); null = unknown (no known duration).
 */
export function cpuVCpusUsed(cpuSecondsPerInvocation: number | null, avgDurationMs: number | null): number | null {
  if (cpuSecondsPerInvocation === null || avgDurationMs === null || !(avgDurationMs > 0)) return null;
  const vCpus = cpuSecondsPerInvocation / (avgDurationMs / 1000);
  return Number.isFinite(vCpus) ? vCpus : null;
}

/**
 * A share next to its limit, with enough decimals that a share over the limit never prints equal
 * to it (0.1498 % against 0.1 % is "0.15 % (limit 0.10 %)"): both get the same decimals, one
 * more at a time from 1, until they differ (at most 6).
 */
export function shareAgainstLimit(share: number, limit: number): { share: string; limit: string } {
  let decimals = 1;
  while (decimals < 6 && share > limit && percent(share, decimals) === percent(limit, decimals)) decimals++;
  return { share: percent(share, decimals), limit: percent(limit, decimals) };
}

/** "55.0 % of invocations throttled in the replay (limit 0.1 %)". */
export function throttledPhrase(share: number, limit: number): string {
  const s = shareAgainstLimit(share, limit);
  return `${s.share} of invocations throttled in the replay (limit ${s.limit})`;
}
