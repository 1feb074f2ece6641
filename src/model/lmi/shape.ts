/**
 * Execution-environment (EE) shape, CPU per invocation and per-EE concurrency.
 * Sources: lambda-managed-instances-scaling.html (2 GB / 1 vCPU minimum, ratios 2/4/8 GiB per
 * vCPU), lambda-managed-instances-runtimes.html (per-vCPU concurrency defaults, Python = one
 * process per concurrent request), configuration-memory.html (1,769 MB = one vCPU).
 */
import type { Config } from '../../config/schema.js';
import type { CpuSource, LmiResult } from '../../report/types.js';
import { LMI_MIN_MEMORY_MB, type RuntimeTraits } from './eligibility.js';

export interface EnvironmentShape {
  /** ExecutionEnvironmentMemoryGiBPerVCpu. */
  ratio: number;
  vCpus: number;
  memoryMiB: number;
  /** Memory was rounded up to a whole number of vCPUs x ratio GiB. */
  roundedUp: boolean;
}

/**
 * Candidate EE shapes for a function. LMI memory = max(2048, memoryMB); vCPUs = memory GiB /
 * ratio, whole (memory rounded up to vCPUs x ratio GiB). A ratio needing less than 1 vCPU is
 * taken at 1 vCPU x ratio GiB when that memory is no more than another shape already needs (e.g.
 * 3008 MB: 2:1 rounds up to 2 vCPUs / 4096 MB, so 4:1 at 1 vCPU / 4096 MB is offered too);
 * otherwise it is skipped, so rounding never raises memory beyond what the model proposes anyway.
 * If every configured ratio needs less than 1 vCPU, the smallest one is used with memory raised to
 * 1 vCPU x ratio GiB. Every rounded shape is flagged roundedUp.
 */
export function environmentShapes(memoryMB: number, ratios: readonly number[]): EnvironmentShape[] {
  const lmiMemoryMiB = Math.max(LMI_MIN_MEMORY_MB, memoryMB);
  const sorted = [...new Set(ratios)].sort((a, b) => a - b);
  const whole: EnvironmentShape[] = [];
  const belowOne: number[] = [];
  for (const ratio of sorted) {
    const exactVCpus = lmiMemoryMiB / 1024 / ratio;
    if (exactVCpus < 1) {
      belowOne.push(ratio);
      continue;
    }
    const vCpus = Math.ceil(exactVCpus - 1e-9);
    const memoryMiB = vCpus * ratio * 1024;
    whole.push({ ratio, vCpus, memoryMiB, roundedUp: memoryMiB > lmiMemoryMiB });
  }
  if (whole.length === 0) {
    const ratio = Math.min(...ratios);
    return [{ ratio, vCpus: 1, memoryMiB: ratio * 1024, roundedUp: true }];
  }
  const largestMiB = Math.max(...whole.map((s) => s.memoryMiB));
  const oneVCpu = belowOne
    .filter((ratio) => ratio * 1024 <= largestMiB)
    .map((ratio) => ({ ratio, vCpus: 1, memoryMiB: ratio * 1024, roundedUp: true }));
  return [...whole, ...oneVCpu].sort((a, b) => a.ratio - b.ratio);
}

/** Standard Lambda gives memoryMB / 1769 vCPUs, at most 6 (configuration-memory.html). */
export const MB_PER_LAMBDA_VCPU = 1769;
export const MAX_LAMBDA_VCPUS = 6;

export interface CpuPerInvocation {
  /** vCPU-seconds one invocation uses; null when not measured and the duration is unknown. */
  cpuSecondsPerInvocation: number | null;
  /** Share of one vCPU a running invocation keeps busy (cpuSeconds / duration seconds). */
  cpuShare: number;
  cpuSource: CpuSource;
}

/**
 * CPU per invocation. Without a measurement, an invocation used at most duration x the vCPUs
 * standard Lambda gave it (memoryMB / 1769, at most 6), times cpuBusyFraction ('bound' when that
 * is 1, 'assumed' otherwise). `singleThreaded` (lmi.cpuBound = single-threaded, Node.js and
 * Python only) caps it at 1 vCPU: 'bound-single-threaded' where that cap binds. Native thread
 * pools break that cap, so it is not the default. Lambda Insights `cpu_total_time` replaces it.
 * With no known duration (no invocations) the share still follows the bound, so sizing works.
 */
export function cpuPerInvocation(args: {
  memoryMB: number;
  avgDurationMs: number | null;
  measuredCpuSeconds: number | null | undefined;
  singleThreaded: boolean;
  cpuBusyFraction: number;
}): CpuPerInvocation {
  const lambdaVCpus = args.memoryMB / MB_PER_LAMBDA_VCPU;
  const boundShare = args.singleThreaded ? Math.min(1, lambdaVCpus) : Math.min(MAX_LAMBDA_VCPUS, lambdaVCpus);
  const durationSec = args.avgDurationMs !== null && args.avgDurationMs > 0 ? args.avgDurationMs / 1000 : null;
  if (args.measuredCpuSeconds !== null && args.measuredCpuSeconds !== undefined) {
    const share = durationSec !== null ? args.measuredCpuSeconds / durationSec : boundShare;
    return { cpuSecondsPerInvocation: args.measuredCpuSeconds, cpuShare: share, cpuSource: 'measured' };
  }
  const share = boundShare * args.cpuBusyFraction;
  const capped = args.singleThreaded && lambdaVCpus > 1;
  return {
    // Unknown (null), never 0, when no average duration is known (duration unknown, no invocations).
    cpuSecondsPerInvocation: durationSec !== null ? durationSec * share : null,
    cpuShare: share,
    cpuSource: args.cpuBusyFraction !== 1 ? 'assumed' : capped ? 'bound-single-threaded' : 'bound',
  };
}

/**
 * Whether an override map has no own key, kept per map object: without overrides (the usual
 * case) a lookup builds no "region/name" key and hashes no string (once per function per sizing).
 * A config is never changed once parsed.
 */
const emptyOverrides = new WeakMap<object, boolean>();
function isEmpty(byFunction: Record<string, number>): boolean {
  let empty = emptyOverrides.get(byFunction);
  if (empty === undefined) {
    empty = Object.keys(byFunction).length === 0;
    emptyOverrides.set(byFunction, empty);
  }
  return empty;
}

/** The CPU share of duration assumed for one unmeasured function: its override, else lmi.cpuBusyFraction. */
export function cpuBusyFractionFor(lmi: Pick<Config['lmi'], 'cpuBusyFraction' | 'cpuBusyFractionByFunction'>, region: string, name: string): number {
  const byFunction = lmi.cpuBusyFractionByFunction;
  if (isEmpty(byFunction)) return lmi.cpuBusyFraction;
  const regional = `${region}/${name}`;
  if (Object.hasOwn(byFunction, regional)) return byFunction[regional] as number;
  if (Object.hasOwn(byFunction, name)) return byFunction[name] as number;
  return lmi.cpuBusyFraction;
}

/** The key of the override cpuBusyFractionFor uses for one function (lmi.cpuBusyFractionByFunction."<key>"); null: none, lmi.cpuBusyFraction. */
export function cpuBusyFractionOverrideKey(lmi: Pick<Config['lmi'], 'cpuBusyFractionByFunction'>, region: string, name: string): string | null {
  const byFunction = lmi.cpuBusyFractionByFunction;
  if (isEmpty(byFunction)) return null;
  const regional = `${region}/${name}`;
  if (Object.hasOwn(byFunction, regional)) return `lmi.cpuBusyFractionByFunction."${regional}"`;
  if (Object.hasOwn(byFunction, name)) return `lmi.cpuBusyFractionByFunction."${name}"`;
  return null;
}

/** PerExecutionEnvironmentMaxConcurrency API range 1..1600. */
export const MAX_PER_ENVIRONMENT_CONCURRENCY = 1600;

export interface PerEnvironmentConcurrency {
  /**
   * Invocations one EE carries at once, for sizing. Below 1 when one invocation needs more CPU
   * than the EE has: it then runs cpuShare / vCPUs times longer (same CPU-seconds on fewer
   * vCPUs), so by Little's law it holds an EE that much longer and needs that many more EEs.
   */
  perEnvironment: number;
  /** PerExecutionEnvironmentMaxConcurrency to configure: a whole number, 1..1600. */
  setting: number;
  limitedBy: LmiResult['concurrencyLimitedBy'];
}

/**
 * Invocations one EE serves at once: min(runtime default x vCPUs, CPU cap floor(vCPUs /
 * cpuShare), Python memory cap floor(EE memory / per-process MB)), clamped to 1..1600; when
 * one invocation alone needs more than the EE's vCPUs, the sizing figure is vCPUs / cpuShare
 * (< 1, see PerEnvironmentConcurrency.perEnvironment), never a silent 1.
 * `processMemoryMB` is null for runtimes that share one process (no memory cap).
 */
export function perEnvironmentConcurrency(args: {
  shape: EnvironmentShape;
  traits: RuntimeTraits;
  cpuShare: number;
  processMemoryMB: number | null;
}): PerEnvironmentConcurrency {
  const { shape } = args;
  let perEnvironment = args.traits.concurrencyPerVCpu * shape.vCpus;
  let limitedBy: PerEnvironmentConcurrency['limitedBy'] = 'runtime';
  const cpuCap = args.cpuShare > 0 ? Math.floor(shape.vCpus / args.cpuShare + 1e-9) : Infinity;
  if (cpuCap < perEnvironment) {
    perEnvironment = cpuCap;
    limitedBy = 'cpu';
  }
  if (args.processMemoryMB !== null && args.processMemoryMB > 0) {
    const memoryCap = Math.floor(shape.memoryMiB / args.processMemoryMB);
    if (memoryCap < perEnvironment) {
      perEnvironment = memoryCap;
      limitedBy = 'memory';
    }
  }
  perEnvironment = Math.min(MAX_PER_ENVIRONMENT_CONCURRENCY, Math.max(1, perEnvironment));
  const setting = perEnvironment;
  if (args.cpuShare > shape.vCpus) {
    // One invocation wants more CPU than the EE has: it stretches, holding its EE longer.
    return { perEnvironment: shape.vCpus / args.cpuShare, setting, limitedBy: 'cpu' };
  }
  return { perEnvironment, setting, limitedBy };
}
