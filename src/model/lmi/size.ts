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
import { periodCount, type FunctionProfile } from '../../source/profile.js';
import { monthFactor } from './cost.js';
import { checkEligibility, LMI_MIN_MEMORY_MB } from './eligibility.js';
import { candidateInstanceTypes, cheapestType, typeOptions, type TypeChoice } from './instances.js';
import { environmentHistogram, scalingDelays } from './replay.js';
import { type ReplaySource, seriesReplay } from './replay-source.js';
import { cpuBusyFractionFor, cpuBusyFractionOverrideKey, cpuPerInvocation, environmentShapes, perEnvironmentConcurrency, type EnvironmentShape, type PerEnvironmentConcurrency } from './shape.js';
import type { LmiContext, LmiSizing } from './types.js';

/** CPU shares of duration priced for the break-even (the used share is added when off-grid). */
export const CPU_SHARE_GRID: readonly number[] = [1, 0.75, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.075, 0.05, 0.03, 0.02, 0.01];

/** Traffic multipliers 0.01..100, 6 per decade (25 points, 1 included exactly). */
export const TRAFFIC_SCALE_GRID: readonly number[] = Array.from({ length: 25 }, (_, i) => (i === 12 ? 1 : 10 ** ((i - 12) / 6)));

interface Candidate {
  shape: EnvironmentShape;
  concurrency: PerEnvironmentConcurrency;
  choice: TypeChoice;
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
  const where = `${profile.region}/${profile.name}`;
  if (prices.lambda === undefined) return null;
  const types = candidateInstanceTypes(prices.instances, profile.architecture, lmi);
  if (types.length === 0) return null;
  const periods = periodCount(window);
  if (periods <= 0) throw new LmiAdvisorError(`${where}: the window ${window.start}..${window.end} holds no period`);

  const eligibility = checkEligibility(profile.runtime, profile.memoryMB);
  const traits = eligibility.traits;
  const shapes = environmentShapes(profile.memoryMB, lmi.memoryGiBPerVCpuOptions);
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
  const python = traits.language === 'python';
  const measuredProcessMB = profile.memoryUsedMBMax ?? null;
  const processMemoryMB = python ? (measuredProcessMB ?? profile.memoryMB) : null;
  const processMemorySource = python ? (measuredProcessMB !== null ? 'measured' : 'configured') : null;

  const source = replay ?? seriesReplay(profile, window, lmi);
  if (source.periods !== periods) throw new LmiAdvisorError(`${where}: the replay holds ${source.periods} periods, the window ${periods}`);
  const known = { unknownPeriods: source.unknownPeriods, allUnknown: source.allUnknown };
  const hist = source.hist;

  const factor = monthFactor(window);
  const periodHours = window.periodSeconds / 3600;
  const requestUsd = prices.lambda.lmiRequestUsd;
  const monthlyRequestsUsd = usage.invocations * requestUsd * factor;

  // Sum over periods of the served concurrency: with it, sum(EEs) >= sum(c) x scale x headroom /
  // perEE gives each shape a lower bound without a pass over the histogram.
  let servedSum = 0;
  for (let i = 0; i < hist.values.length; i++) servedSum += (hist.values[i] as number) * (hist.counts[i] as number);
  const cheapestRate = optionsByShape.map((options) => options.map((o) => ({ rate: o.rates.totalUsdPerHour, k: o.perInstance })));

  const memo = new Map<string, TypeChoice | null>();
  // The type choice of a candidate depends on config.lmi (not on the CPU share knobs, which enter
  // through the per-EE concurrency in the key), the region's prices and the profile, fixed per source.
  const { cpuBusyFraction: _share, cpuBusyFractionByFunction: _shares, ...choiceKnobs } = lmi;
  const keptPrefix = source.kept ? `${JSON.stringify(choiceKnobs)}:` : '';
  const cheapest = (cpuShare: number, scale: number): Candidate | null => {
    const bounded = shapes
      .map((shape, i) => {
        const concurrency = perEnvironmentConcurrency({ shape, traits, cpuShare, processMemoryMB });
        const environmentPeriods = (servedSum * scale * lmi.headroom) / concurrency.perEnvironment;
        let bound = Infinity;
        for (const { rate, k } of cheapestRate[i] ?? []) {
          bound = Math.min(bound, rate * Math.max(lmi.minInstances * periods, environmentPeriods / k));
        }
        return { i, shape, concurrency, bound };
      })
      .filter((b) => b.bound < Infinity)
      .sort((a, b) => a.bound - b.bound || a.i - b.i);
    let best: Candidate | null = null;
    for (const { i, shape, concurrency, bound } of bounded) {
      // Small relative slack so floating noise in the bound never skips an equal-cost shape.
      if (best !== null && bound * (1 - 1e-9) > best.choice.costUnits) break;
      const key = `${i}:${concurrency.perEnvironment}:${scale}`;
      let choice = memo.get(key);
      if (choice === undefined) {
        const compute = () => {
          const settings = { perEnvironment: concurrency.perEnvironment, headroom: lmi.headroom, minEnvironments: lmi.minEnvironments };
          const envHist = source.environmentHistogram ? source.environmentHistogram(settings, scale) : environmentHistogram(hist, settings, scale);
          return cheapestType(envHist, optionsByShape[i] ?? [], lmi.minInstances);
        };
        choice = source.kept ? source.kept(keptPrefix + key, compute) : compute();
        memo.set(key, choice);
      }
      if (choice !== null && (best === null || choice.costUnits < best.choice.costUnits || (choice.costUnits === best.choice.costUnits && i < shapes.indexOf(best.shape)))) {
        best = { shape, concurrency, choice };
      }
    }
    return best;
  };
  const monthlyTotal = (c: Candidate, scale: number): number => c.choice.costUnits * periodHours * factor + monthlyRequestsUsd * scale;

  const chosen = cheapest(cpu.cpuShare, 1);
  if (chosen === null) return null;
  const { shape, concurrency } = chosen;
  const option = chosen.choice.option;
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

  const shares = [...CPU_SHARE_GRID];
  if (cpu.cpuShare > 0 && !shares.some((s) => Math.abs(s - cpu.cpuShare) < 1e-12)) shares.push(cpu.cpuShare);
  shares.sort((a, b) => b - a);
  // The type options do not depend on CPU share or traffic, so a point is priced whenever the
  // chosen configuration was (cheapest() is non-null here).
  const costByCpuShare = shares.map((cpuShare) => ({ cpuShare, totalUsd: monthlyTotal(cheapest(cpuShare, 1) as Candidate, 1) }));
  const costByTrafficScale = TRAFFIC_SCALE_GRID.map((scale) => ({
    scale,
    totalUsd: monthlyTotal(cheapest(cpu.cpuShare, scale) as Candidate, scale),
  }));

  return {
    result,
    costByCpuShare,
    costByTrafficScale,
    chart: replayed.chart,
    // A getter: a compact replay (the what-if page) builds the runs only if grouping reads them.
    get capacity() {
      return replayed.capacity;
    },
    risks: sizingRisks({
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
    }),
  };
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
