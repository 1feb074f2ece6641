/**
 * A trust group may share a capacity provider, never must: when the model's one instance type
 * for the whole group costs more than separate providers, the plan keeps the members apart.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionProfile } from '../../src/source/profile.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import { makeWindow, reportFor, steadyProfile, testConfig, testPriceBook } from './helpers.js';

const TAG = 'lmi-advisor:trust-group';
const week = makeWindow(24 * 7, 60);

function member(name: string, o: { memoryMB: number; runtime: string; cpuShare: number; memoryUsedMBMax?: number }): FunctionProfile {
  const concurrency = 120;
  const p = steadyProfile(week, {
    name,
    invocations: Math.round((concurrency / 0.2) * 3600 * 24 * 7),
    durationMs: 200,
    memoryMB: o.memoryMB,
    concurrencyMax: concurrency,
    tags: { [TAG]: 'shared' },
  });
  p.runtime = o.runtime;
  p.cpuSecondsPerInvocation = 0.2 * o.cpuShare;
  if (o.memoryUsedMBMax) p.memoryUsedMBMax = o.memoryUsedMBMax;
  return p;
}

describe('buildReport: grouping never costs more than separate providers', () => {
  // A CPU-bound 2 GB function (fits C instances) and a memory-bound Python 8 GB one (fits R).
  const fleet = () => [
    member('cpu-bound', { memoryMB: 2048, runtime: 'nodejs22.x', cpuShare: 1 }),
    member('memory-bound', { memoryMB: 8192, runtime: 'python3.13', cpuShare: 0.05, memoryUsedMBMax: 7900 }),
  ];

  it('every planned provider costs at most its members on providers of their own', () => {
    const report = reportFor(fleet(), week, testConfig());
    expect(report.capacityProviders.length).toBeGreaterThan(0);
    for (const p of report.capacityProviders) {
      expect(p.totalUsd).toBeLessThanOrEqual(p.dedicatedTotalUsd + 1e-6);
    }
  });

  it('splits the group with a warning when one instance type for both costs more', () => {
    const report = reportFor(fleet(), week, testConfig());
    const migrate = report.functions.filter((f) => f.recommendation === 'migrate').map((f) => f.name).sort();
    expect(migrate).toEqual(['cpu-bound', 'memory-bound']);
    const split = report.warnings.filter((w) => w.code === 'group-split');
    expect(split).toHaveLength(1);
    expect(report.capacityProviders.map((p) => p.functions)).toEqual([['cpu-bound'], ['memory-bound']]);
    const types = report.capacityProviders.map((p) => p.instanceType.split('.')[0]![0]);
    expect(new Set(types).size).toBe(2);
    const apart = report.functions.filter((f) => f.recommendation === 'migrate').reduce((s, f) => s + f.lmi!.totalUsd, 0);
    const providers = report.capacityProviders.reduce((s, p) => s + p.totalUsd, 0);
    expect(providers).toBeCloseTo(apart, 6);
  });
});

describe('summarizeFunction: capacity runs only where migrate is possible', () => {
  it('keeps the runs of a clear LMI win and drops those of a function LMI can never beat', () => {
    const config = testConfig();
    const prices = testPriceBook().regions['us-east-1'];
    const win = member('win', { memoryMB: 2048, runtime: 'nodejs22.x', cpuShare: 0.05 });
    const idle = steadyProfile(week, { name: 'idle', invocations: 2000, durationMs: 50, memoryMB: 512, concurrencyMax: 1 });
    const kept = summarizeFunction(win, { window: week, prices, config });
    const dropped = summarizeFunction(idle, { window: week, prices, config });
    expect(kept.sizing!.capacity.runLengths.length).toBeGreaterThan(0);
    expect(dropped.sizing!.capacity.runLengths.length).toBe(0);
    // The report is the same as it would be with the runs: the idle function is not `migrate`.
    const report = reportFor([win, idle], week, config);
    expect(report.functions.find((f) => f.name === 'idle')!.recommendation).not.toBe('migrate');
    expect(report.capacityProviders.map((p) => p.functions)).toEqual([['win']]);
  });
});
