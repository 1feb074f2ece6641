/**
 * buildReport with `lazy`: which figures are computed while the report is built (what the
 * verdict reads), which only when read (the break-even grids counted as they are read), and the
 * same values and errors as the plain report.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { NonFiniteFigureError } from '../../src/errors.js';
import { buildReport, FunctionFigures } from '../../src/model/build-report.js';
import type { LmiSizing } from '../../src/model/lmi/types.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import type { FunctionSummary } from '../../src/model/summary.js';
import { firstReason, type FunctionReport, type ReportModel } from '../../src/report/types.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { makeWindow, RUN, steadyProfile, testConfig, testPriceBook } from './helpers.js';

const week = makeWindow(24 * 7, 60);

/** Steady Node.js API, 2 GB, 200 ms; CPU measured (5 % of duration) unless `unmeasured`. */
function profile(name: string, concurrency: number, unmeasured = false): FunctionProfile {
  const p = steadyProfile(week, {
    name,
    invocations: Math.round((concurrency / 0.2) * 3600 * 24 * 7),
    durationMs: 200,
    memoryMB: 2048,
    concurrencyMax: concurrency,
  });
  if (!unmeasured) p.cpuSecondsPerInvocation = 0.01;
  return p;
}

interface Reads {
  cpuGrid: number;
  trafficGrid: number;
  chart: number;
}

/** The summary with a plain sizing that counts reads of its break-even grids and chart (no grid priced as read: the arrays). */
function counted(s: FunctionSummary, cpuGrid?: LmiSizing['costByCpuShare']): { summary: FunctionSummary; reads: Reads } {
  const sizing = s.sizing!;
  const reads: Reads = { cpuGrid: 0, trafficGrid: 0, chart: 0 };
  const wrapped: LmiSizing = {
    result: sizing.result,
    get costByCpuShare() {
      reads.cpuGrid++;
      return cpuGrid ?? sizing.costByCpuShare;
    },
    get costByTrafficScale() {
      reads.trafficGrid++;
      return sizing.costByTrafficScale;
    },
    get chart() {
      reads.chart++;
      return sizing.chart;
    },
    get capacity() {
      return sizing.capacity;
    },
    risks: sizing.risks,
  };
  return { summary: { ...s, sizing: wrapped }, reads };
}

function build(summaries: FunctionSummary[], config: Config, lazy: boolean): ReportModel {
  return buildReport({ accountId: '123456789012', window: week, summaries, priceBook: testPriceBook(), config, assumptions: [], run: RUN, warnings: [], lazy });
}

function summaries(config: Config): FunctionSummary[] {
  const prices = testPriceBook().regions['us-east-1'];
  return [profile('busy', 100), profile('small', 1, true)].map((p) => summarizeFunction(p, { window: week, prices, config }));
}

describe('buildReport lazy', () => {
  it('computes while building only what the verdict reads; the rest when read, with the plain report\'s values', () => {
    // Prepare
    const config = testConfig();
    const [busy, small] = summaries(config).map((s) => counted(s));
    const expected = build(summaries(config), config, false);

    // Act
    const report = build([busy!.summary, small!.summary], config, true);
    const by = (name: string) => report.functions.find((f) => f.name === name) as FunctionReport;
    const plain = (name: string) => expected.functions.find((f) => f.name === name) as FunctionReport;

    // Assess: the verdict of a cheaper LMI reads no grid; a dearer LMI at an unmeasured CPU figure asks the CPU grid.
    expect(by('busy').recommendation).toBe('migrate');
    expect(by('small').recommendation).toBe('stay');
    expect(by('small').savingsUsd).toBeLessThan(0);
    expect(busy!.reads).toEqual({ cpuGrid: 0, trafficGrid: 0, chart: 0 });
    expect(small!.reads).toEqual({ cpuGrid: 1, trafficGrid: 0, chart: 0 });
    // What a table row reads builds nothing more.
    for (const name of ['busy', 'small']) {
      expect(firstReason(by(name))).toBe(plain(name).reasons[0]);
      expect(by(name).savingsUsd).toBe(plain(name).savingsUsd);
      expect(by(name).risks).toEqual(plain(name).risks);
    }
    expect(busy!.reads).toEqual({ cpuGrid: 0, trafficGrid: 0, chart: 0 });
    // The reasons read the traffic break-even; lmi the CPU one; chart the chart.
    expect(by('busy').reasons).toEqual(plain('busy').reasons);
    expect(busy!.reads).toEqual({ cpuGrid: 0, trafficGrid: 1, chart: 0 });
    expect(by('busy').lmi).toEqual(plain('busy').lmi);
    expect(by('busy').chart).toEqual(plain('busy').chart);
    expect(busy!.reads).toEqual({ cpuGrid: 1, trafficGrid: 1, chart: 1 });
    expect(by('busy').breakEvenInvocationsPerMonth).toBe(plain('busy').breakEvenInvocationsPerMonth);
    expect(busy!.reads.trafficGrid).toBe(1);
    expect(JSON.stringify(report)).toBe(JSON.stringify(expected));
  });

  it('without lazy, plain objects, every figure computed while building', () => {
    const config = testConfig();
    const [busy] = summaries(config).map((s) => counted(s));
    const report = build([busy!.summary], config, false);
    expect(Object.getPrototypeOf(report.functions[0])).toBe(Object.prototype);
    expect(report.functions[0]).not.toBeInstanceOf(FunctionFigures);
    expect(busy!.reads).toEqual({ cpuGrid: 1, trafficGrid: 1, chart: 1 });
  });

  it('a non-finite break-even CPU share: the plain build fails; the lazy one when lmi is read, with the same error', () => {
    // Prepare: LMI unpriceable at the top share, free at the next: the interpolation is NaN.
    const config = testConfig();
    const grid = [
      { cpuShare: 1, totalUsd: Number.POSITIVE_INFINITY },
      { cpuShare: 0.5, totalUsd: 0 },
    ];
    const busy = () => counted(summaries(config)[0]!, grid).summary;
    let plainError: unknown;
    try {
      build([busy()], config, false);
    } catch (e) {
      plainError = e;
    }
    expect(plainError).toBeInstanceOf(NonFiniteFigureError);
    expect((plainError as NonFiniteFigureError).figure).toBe('lmi.breakEvenCpuShare');

    // Act
    const report = build([busy()], config, true);

    // Assess
    const f = report.functions[0]!;
    expect(f.recommendation).toBe('migrate');
    expect(() => f.lmi).toThrow((plainError as Error).message);
    expect(() => JSON.stringify(report)).toThrow(NonFiniteFigureError);
  });
});
