/**
 * What the LMI sizing needs from a function's concurrency series, behind one interface, so the
 * same sizing (size.ts) runs over the full series (the CLI) or over a compact, exact summary of
 * it (the what-if panel of report.html, src/whatif/replay-compact.ts).
 *
 * With the scale-out and scale-in delays fixed, the served concurrency (the lagged sliding max)
 * is fixed too: every candidate is priced on its histogram, and only the chosen configuration
 * needs the periods themselves (throttles, chart, capacity runs for grouping).
 */
import type { Config } from '../../config/schema.js';
import { LmiAdvisorError } from '../../errors.js';
import type { ChartSeries } from '../../report/types.js';
import { periodCount, type FunctionProfile, type SnapshotWindow } from '../../source/profile.js';
import { buildChart, capacityRuns } from './chart.js';
import { instancesFor } from './instances.js';
import { type Histogram, histogram, knownConcurrency, laggedWindowMax, type ReplaySettings, scalingDelays, targetEnvironments } from './replay.js';
import type { CapacityRuns } from './types.js';

export interface ChosenSettings {
  perEnvironment: number;
  perInstance: number;
  lmi: Config['lmi'];
}

/** The replay of the chosen configuration, over the whole window. */
export interface ChosenReplay {
  throttledInvocations: number;
  instancePeriods: number;
  peakInstances: number;
  environmentPeriods: number;
  maxEnvironments: number;
  chart: ChartSeries;
  capacity: CapacityRuns;
}

export interface ReplaySource {
  /** Periods of the window. */
  periods: number;
  /** Histogram of the served concurrency (the lagged sliding max of the known concurrency). */
  hist: Histogram;
  /** Periods with unknown concurrency. */
  unknownPeriods: number;
  /** No period had a known concurrency. */
  allUnknown: boolean;
  chosen(settings: ChosenSettings): ChosenReplay;
  /**
   * environmentHistogram over `hist`, where the source keeps results between sizings (the what-if
   * page re-sizes the same function for each knob change; a discount moves no histogram).
   * Absent: sizeLmi calls environmentHistogram itself.
   */
  environmentHistogram?: (settings: ReplaySettings, trafficScale: number) => Histogram;
}

/** The replay over a profile's full series (the CLI's path). */
export function seriesReplay(profile: FunctionProfile, window: SnapshotWindow, lmi: Config['lmi']): ReplaySource {
  const where = `${profile.region}/${profile.name}`;
  const periods = periodCount(window);
  const concurrencySeries = profile.series.concurrencyMax;
  if (concurrencySeries.length !== periods) {
    throw new LmiAdvisorError(`${where}: series.concurrencyMax has ${concurrencySeries.length} points, the window holds ${periods}`);
  }
  const known = knownConcurrency(concurrencySeries);
  const served = laggedWindowMax(known.values, scalingDelays(window.periodSeconds, lmi.scaleOutMinutes, lmi.scaleInMinutes));
  return {
    periods,
    hist: histogram(served),
    unknownPeriods: known.unknownPeriods,
    allUnknown: known.allUnknown,
    chosen: ({ perEnvironment, perInstance, lmi: settings }) => {
      const replay = replayChosen({
        served,
        concurrency: concurrencySeries,
        invocations: profile.series.invocations,
        perEnvironment,
        perInstance,
        lmi: settings,
      });
      return {
        throttledInvocations: replay.throttledInvocations,
        instancePeriods: replay.instancePeriods,
        peakInstances: replay.peakInstances,
        environmentPeriods: replay.environmentPeriods,
        maxEnvironments: replay.maxEnvironments,
        chart: buildChart({
          start: window.start,
          periodSeconds: window.periodSeconds,
          concurrency: concurrencySeries,
          environments: replay.environments,
          perEnvironment,
          throttled: replay.throttledFlags,
        }),
        capacity: capacityRuns(replay.environments, window.periodSeconds),
      };
    },
  };
}

/**
 * The one full pass, for the chosen configuration: EEs and instances per period, and throttles.
 * Demand above what the capacity serves (EEs x per-EE concurrency) is throttled, in proportion
 * of the period's invocations.
 */
export function replayChosen(a: {
  served: Float64Array;
  concurrency: readonly (number | null)[];
  invocations: readonly (number | null)[];
  perEnvironment: number;
  perInstance: number;
  lmi: Config['lmi'];
}) {
  const periods = a.served.length;
  const { served, concurrency, invocations, perEnvironment, perInstance, lmi } = a;
  const environments = new Uint32Array(periods);
  const throttledFlags = new Uint8Array(periods);
  let throttledInvocations = 0;
  let instancePeriods = 0;
  let peakInstances = 0;
  let environmentPeriods = 0;
  let maxEnvironments = 0;
  // The served series is piecewise constant (a sliding max): recompute only when it changes.
  let lastServed = -1;
  let e = 0;
  let n = 0;
  let servable = 0;
  for (let p = 0; p < periods; p++) {
    const v = served[p] as number;
    if (v !== lastServed) {
      lastServed = v;
      e = targetEnvironments(v, perEnvironment, lmi.headroom, lmi.minEnvironments);
      n = instancesFor(e, perInstance, lmi.minInstances);
      servable = e * perEnvironment;
      if (e > maxEnvironments) maxEnvironments = e;
      if (n > peakInstances) peakInstances = n;
    }
    environments[p] = e;
    environmentPeriods += e;
    instancePeriods += n;
    const c = concurrency[p];
    if (c != null && c > servable) {
      throttledFlags[p] = 1;
      const inv = invocations[p];
      if (inv != null) throttledInvocations += (inv * (c - servable)) / c;
    }
  }
  return { environments, throttledFlags, throttledInvocations, instancePeriods, peakInstances, environmentPeriods, maxEnvironments };
}
