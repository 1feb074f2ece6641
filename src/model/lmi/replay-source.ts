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
import { type EnvironmentDemand, instancesFor } from './instances.js';
import { type Histogram, histogram, knownConcurrency, laggedWindowMax, scalingDelays, targetEnvironments } from './replay.js';
import type { CapacityRuns } from './types.js';

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
  /** The replay at a per-EE concurrency, EEs per instance and config.lmi (three arguments: no settings object per sizing). */
  chosen(perEnvironment: number, perInstance: number, lmi: Config['lmi']): ChosenReplay;
  /**
   * The environment demand of a candidate (environmentHistogram over `hist`, as cheapestTypeOf
   * reads it), where the source keeps it between sizings: the what-if page re-sizes the same
   * function for each knob change, and a discount moves no demand. `trafficScaleIndex` is the
   * scale's index in size.ts's TRAFFIC_SCALE_GRID. Absent: sizeLmi builds the histogram itself.
   */
  /**
   * Where sizeLmi keeps, between sizings of this function, what it derives from the profile and
   * the config (under keys naming the config's part): the what-if page. Absent: nothing kept.
   */
  sizingMemo?: Map<string, unknown>;
  environmentDemand?: (perEnvironment: number, headroom: number, minEnvironments: number, trafficScale: number, trafficScaleIndex: number) => EnvironmentDemand;
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
    chosen: (perEnvironment, perInstance, settings) => {
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
 * Periods that share a served level and a concurrency, merged: `invocations` is the sum of their
 * known invocations (in period order). Pairs ascend by served level, then concurrency.
 */
export interface ThrottlePairs {
  served: ArrayLike<number>;
  concurrency: ArrayLike<number>;
  invocations: ArrayLike<number>;
}

/**
 * Throttled invocations: demand above what the capacity serves (EEs x per-EE concurrency), in
 * proportion of the invocations. Every period of a pair throttles alike, so the sum runs over the
 * distinct (served, concurrency) pairs in ascending order: the CLI (all throttled pairs) and the
 * what-if page (the pairs that can throttle) add the same terms in the same order.
 */
export function throttledInvocationsOf(pairs: ThrottlePairs, servable: (served: number) => number): number {
  let total = 0;
  // Pairs ascend by served level: servable (pure) once per level.
  let level = Number.NaN;
  let s = 0;
  for (let i = 0; i < pairs.served.length; i++) {
    const c = pairs.concurrency[i] as number;
    const v = pairs.served[i] as number;
    if (v !== level) {
      level = v;
      s = servable(v);
    }
    if (c > s) total += ((pairs.invocations[i] as number) * (c - s)) / c;
  }
  return total;
}

/** Pairs of the periods `keep` selects (known concurrency > 0), merged and sorted as ThrottlePairs. */
export function throttlePairsOf(
  served: ArrayLike<number>,
  concurrency: readonly (number | null)[],
  invocations: readonly (number | null)[],
  keep: (served: number, concurrency: number, period: number) => boolean,
): { served: number[]; concurrency: number[]; invocations: number[] } {
  const byServed = new Map<number, Map<number, number>>();
  for (let p = 0; p < served.length; p++) {
    const c = concurrency[p];
    if (c == null || !(c > 0)) continue;
    const v = served[p] as number;
    if (!keep(v, c, p)) continue;
    let byConcurrency = byServed.get(v);
    if (byConcurrency === undefined) byServed.set(v, (byConcurrency = new Map()));
    const inv = invocations[p];
    byConcurrency.set(c, (byConcurrency.get(c) ?? 0) + (inv ?? 0));
  }
  const out = { served: [] as number[], concurrency: [] as number[], invocations: [] as number[] };
  for (const v of [...byServed.keys()].sort((a, b) => a - b)) {
    const byConcurrency = byServed.get(v) as Map<number, number>;
    for (const c of [...byConcurrency.keys()].sort((a, b) => a - b)) {
      out.served.push(v);
      out.concurrency.push(c);
      out.invocations.push(byConcurrency.get(c) as number);
    }
  }
  return out;
}

/**
 * The one full pass, for the chosen configuration: EEs and instances per period, and throttles
 * (summed per pair, throttledInvocationsOf).
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
    if (c != null && c > servable) throttledFlags[p] = 1;
  }
  const servableOf = (v: number) => targetEnvironments(v, perEnvironment, lmi.headroom, lmi.minEnvironments) * perEnvironment;
  const throttledInvocations = throttledInvocationsOf(
    throttlePairsOf(served, concurrency, invocations, (_v, _c, p) => throttledFlags[p] === 1),
    servableOf,
  );
  return { environments, throttledFlags, throttledInvocations, instancePeriods, peakInstances, environmentPeriods, maxEnvironments };
}
