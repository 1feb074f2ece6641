/**
 * recommend(): one test per branch of docs/model.md "Recommendation" (verdicts: src/report/verdicts.ts), with a hand-built LmiResult so
 * that each rule is isolated. The end-to-end path is covered in build-report.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BreakEvens, count, decide, recommend, type RecommendInput, usd } from '../../src/model/recommend.js';
import type { LmiResult } from '../../src/report/types.js';
import { testConfig } from './helpers.js';

function lmi(o: Partial<LmiResult> = {}): LmiResult {
  return {
    eligible: true,
    blockers: [],
    needsRuntimeUpgrade: false,
    needsMemoryIncrease: false,
    memoryMB: 2048,
    instanceType: 'c7g.xlarge',
    memoryGiBPerVCpu: 2,
    vCpusPerEnvironment: 1,
    perEnvironmentConcurrency: 64,
    concurrencyLimitedBy: 'runtime',
    processMemorySource: null,
    minEnvironments: 3,
    maxEnvironments: 6,
    avgEnvironments: 4,
    instanceHours: 2190,
    avgInstances: 3,
    peakInstances: 3,
    ec2Usd: 300,
    managementFeeUsd: 45,
    requestsUsd: 5,
    totalUsd: 350,
    throttledInvocations: 0,
    cpuSource: 'bound',
    cpuSecondsPerInvocation: 0.1,
    breakEvenCpuShare: 1,
    ...o,
  };
}

function input(o: Partial<RecommendInput> = {}): RecommendInput {
  return {
    alreadyOnLmi: false,
    invocations: 10_000_000,
    monthlyInvocations: 10_000_000,
    windowDays: 14,
    periodSeconds: 60,
    unknownShare: 0,
    runtime: 'nodejs22.x',
    memoryMB: 2048,
    standardUsd: 1000,
    lmi: lmi(),
    sizingRisks: [],
    breakEvenInvocationsPerMonth: 3_000_000,
    utilization: 0.6,
    busyTimePremium: 5.1,
    config: testConfig(),
    ...o,
  };
}

describe('recommend', () => {
  it('migrate: LMI cheaper by more than minSavingsPct and no risk, with numbers in the reasons', () => {
    const out = recommend(input());
    expect(out.recommendation).toBe('migrate');
    expect(out.reasons[0]).toContain('$350.00');
    expect(out.reasons[0]).toContain('$1,000.00');
    expect(out.reasons[0]).toContain('$650.00 (65.0 %)');
    expect(out.reasons.join(' ')).toContain('3,000,000 invocations per month');
    expect(out.reasons.join(' ')).toContain('60.0 % of peak');
  });

  it('stay: the function is already on LMI', () => {
    const out = recommend(input({ alreadyOnLmi: true }));
    expect(out.recommendation).toBe('stay');
    expect(out.reasons[0]).toContain('Already runs on Lambda Managed Instances');
  });

  it('insufficient-data: fewer invocations than recommend.minInvocations', () => {
    const out = recommend(input({ invocations: 999 }));
    expect(out.recommendation).toBe('insufficient-data');
    expect(out.reasons[0]).toContain('999');
  });

  it('insufficient-data: window shorter than recommend.minWindowDays', () => {
    const out = recommend(input({ windowDays: 3 }));
    expect(out.recommendation).toBe('insufficient-data');
    expect(out.reasons[0]).toContain('3.0 days');
  });

  it('insufficient-data: more than 20 % of periods unknown', () => {
    expect(recommend(input({ unknownShare: 0.2 })).recommendation).toBe('migrate');
    expect(recommend(input({ unknownShare: 0.21 })).recommendation).toBe('insufficient-data');
  });

  it('insufficient-data: no prices (standard unknown)', () => {
    const out = recommend(input({ standardUsd: null, lmi: null }));
    expect(out.recommendation).toBe('insufficient-data');
    expect(out.reasons[0]).toContain('unknown');
  });

  it('insufficient-data: LMI could not be sized', () => {
    expect(recommend(input({ lmi: null })).recommendation).toBe('insufficient-data');
  });

  it('ineligible: blockers, even when LMI would be cheaper', () => {
    const out = recommend(input({ lmi: lmi({ eligible: false, blockers: ['container image'] }) }));
    expect(out.recommendation).toBe('ineligible');
    expect(out.reasons[0]).toContain('container image');
  });

  it('stay: standard is cheaper', () => {
    const out = recommend(input({ standardUsd: 300, lmi: lmi({ breakEvenCpuShare: null }) }));
    expect(out.recommendation).toBe('stay');
    expect(out.reasons[0]).toContain('standard Lambda is cheaper by $50.00');
  });

  it('stay: LMI cheaper, but not by more than recommend.minSavingsPct', () => {
    const out = recommend(input({ standardUsd: 380 })); // 7.9 % < 10 %
    expect(out.recommendation).toBe('stay');
    expect(out.reasons[0]).toContain('saves only $30.00 (7.9 %)');
  });

  it('review: cheaper but throttled share above recommend.maxThrottledShare', () => {
    const ok = recommend(input({ lmi: lmi({ throttledInvocations: 10_000 }) })); // 0.1 %, not above
    const out = recommend(input({ lmi: lmi({ throttledInvocations: 10_001 }) }));
    expect(ok.recommendation).toBe('migrate');
    expect(out.recommendation).toBe('review');
    expect(out.reasons.join(' ')).toContain('10,001 invocations');
    // The phrase shown next to the saving in rankings and digests names the share and the limit.
    // Enough decimals that a share over the limit never prints equal to it.
    expect(out.reviewRisks).toEqual(['0.10001 % of invocations throttled in the replay (limit 0.10000 %)']);
    expect(ok.reviewRisks).toEqual([]);
  });

  it('review: a throttled share just over the limit is printed over it, in the phrase and the reason (partner-sync)', () => {
    const out = recommend(input({ lmi: lmi({ throttledInvocations: 14_980 }) })); // 0.1498 %
    expect(out.recommendation).toBe('review');
    expect(out.reviewRisks).toEqual(['0.15 % of invocations throttled in the replay (limit 0.10 %)']);
    expect(out.reasons).toContain(
      'Review first: The replay throttles about 14,980 invocations (0.15 %) while LMI scales out; the limit is 0.10 % (recommend.maxThrottledShare).',
    );
  });

  it('review: every blocking risk has a short phrase, in the order of the reasons', () => {
    const out = recommend(
      input({
        runtime: 'python3.9',
        memoryMB: 1024,
        periodSeconds: 300,
        lmi: lmi({ throttledInvocations: 966_000, needsRuntimeUpgrade: true, needsMemoryIncrease: true, processMemorySource: 'configured' }),
      }),
    );
    expect(out.recommendation).toBe('review');
    expect(out.reviewRisks).toEqual([
      '9.7 % of invocations throttled in the replay (limit 0.1 %)',
      'runtime python3.9 upgraded to one LMI supports',
      'memory raised from 1024 MB to 2048 MB',
      'Python per-process memory not measured',
      'bursts under 300 s unseen (coarse metrics)',
    ]);
    expect(out.reasons.filter((r) => r.startsWith('Review first: '))).toHaveLength(5);
  });

  it('review: cheaper but needs a runtime upgrade', () => {
    const out = recommend(input({ runtime: 'nodejs20.x', lmi: lmi({ needsRuntimeUpgrade: true }) }));
    expect(out.recommendation).toBe('review');
    expect(out.reasons.join(' ')).toContain('nodejs20.x');
  });

  it('review: cheaper but needs a memory increase', () => {
    const out = recommend(input({ memoryMB: 512, lmi: lmi({ needsMemoryIncrease: true }) }));
    expect(out.recommendation).toBe('review');
    expect(out.reasons.join(' ')).toContain('512 MB to 2048 MB');
  });

  it('review: cheaper but Python memory from the configured value, not measured', () => {
    const out = recommend(input({ runtime: 'python3.13', lmi: lmi({ processMemorySource: 'configured' }) }));
    expect(out.recommendation).toBe('review');
    expect(recommend(input({ lmi: lmi({ processMemorySource: 'measured' }) })).recommendation).toBe('migrate');
  });

  it('review: cheaper but coarse (5-minute) data', () => {
    const out = recommend(input({ periodSeconds: 300 }));
    expect(out.recommendation).toBe('review');
    expect(out.reasons.join(' ')).toContain('300-second periods');
  });

  it('review: CPU not measured, LMI cheaper only below the bound but at >= recommend.reviewCpuShare', () => {
    const out = recommend(input({ standardUsd: 300, lmi: lmi({ breakEvenCpuShare: 0.4 }) }));
    expect(out.recommendation).toBe('review');
    expect(out.reasons.join(' ')).toContain('LMI is cheaper only if CPU work is under 40.0 % of the duration (0.40 vCPU busy on average)');
    // Its condition is the CPU share (lmi.breakEvenCpuShare), not a risk to accept.
    expect(out.reviewRisks).toEqual([]);
  });

  it('review: a break-even above one vCPU is said in vCPUs next to the bound, never as more than 100 % of the duration (catalog-search)', () => {
    // 3008 MB: the safe bound is 3008 / 1769 = 1.70 vCPUs, i.e. 0.170 CPU-s in a 100 ms invocation.
    const out = recommend(
      input({ standardUsd: 300, memoryMB: 3008, avgDurationMs: 100, lmi: lmi({ breakEvenCpuShare: 1.019, cpuSecondsPerInvocation: 0.17 }) }),
    );
    expect(out.recommendation).toBe('review');
    const text = out.reasons.join(' ');
    expect(text).toContain(
      'LMI is cheaper only if the function keeps under 1.02 vCPUs busy on average while it runs (the safe bound assumes 1.70 vCPUs); that break-even is at least recommend.reviewCpuShare (25.0 % of the duration).',
    );
    expect(text).not.toMatch(/1\d\d\.\d %/);
  });

  it('stay: a break-even below the review floor names the CPU figure used too', () => {
    const out = recommend(input({ standardUsd: 300, avgDurationMs: 100, lmi: lmi({ breakEvenCpuShare: 0.2, cpuSource: 'assumed', cpuSecondsPerInvocation: 0.05 }) }));
    expect(out.recommendation).toBe('stay');
    expect(out.reasons).toContain(
      'LMI is cheaper only if CPU work is under 20.0 % of the duration (0.20 vCPU busy on average; lmi.cpuBusyFraction assumes 0.50 vCPU); that break-even is below recommend.reviewCpuShare (25.0 % of the duration).',
    );
  });

  it('a per-function override is named where the CPU share comes from (lmi.cpuBusyFractionByFunction)', () => {
    const key = 'lmi.cpuBusyFractionByFunction."us-east-1/api"';
    const out = recommend(input({ standardUsd: 300, avgDurationMs: 100, lmi: lmi({ breakEvenCpuShare: 0.2, cpuSource: 'assumed', cpuAssumedBy: key, cpuSecondsPerInvocation: 0.05 }) }));
    const text = out.reasons.join(' ');
    expect(text).toContain(`${key} assumes 0.50 vCPU`);
    expect(text).not.toContain('lmi.cpuBusyFraction assumes');
  });

  it('review at a lower CPU share still names the risks that would stand', () => {
    const out = recommend(input({ standardUsd: 300, memoryMB: 1024, lmi: lmi({ breakEvenCpuShare: 0.4, needsMemoryIncrease: true }) }));
    expect(out.recommendation).toBe('review');
    expect(out.reviewRisks).toEqual(['memory raised from 1024 MB to 2048 MB']);
    expect(out.reasons).toContain('Review first: Memory must rise from 1024 MB to 2048 MB (LMI minimum 2048 MB).');
  });

  it('stay: CPU not measured and the break-even share is below recommend.reviewCpuShare', () => {
    const out = recommend(input({ standardUsd: 300, lmi: lmi({ breakEvenCpuShare: 0.2 }) }));
    expect(out.recommendation).toBe('stay');
    expect(out.reasons.join(' ')).toContain('20.0 %');
  });

  it('stay: CPU measured, so a lower break-even share does not make it a review', () => {
    const out = recommend(input({ standardUsd: 300, lmi: lmi({ breakEvenCpuShare: 0.4, cpuSource: 'measured' }) }));
    expect(out.recommendation).toBe('stay');
  });

  it('sizing notes are shown as risks but do not on their own turn migrate into review', () => {
    const out = recommend(input({ sizingRisks: ['memory rounded up to 4096 MB'] }));
    expect(out.recommendation).toBe('migrate');
    expect(out.risks).toEqual(['memory rounded up to 4096 MB']);
  });
});

/** The break-even figures of `i`, counting the reads (decide reads them through here). */
function countedBreakEvens(i: RecommendInput) {
  const reads = { cpuShare: 0, cpuShareAtLeast: 0, invocationsPerMonth: 0 };
  const share = i.lmi?.breakEvenCpuShare ?? null;
  const breakEvens: BreakEvens = {
    cpuShare: () => {
      reads.cpuShare++;
      return share;
    },
    cpuShareAtLeast: (floor) => {
      reads.cpuShareAtLeast++;
      return share != null && share >= floor;
    },
    invocationsPerMonth: () => {
      reads.invocationsPerMonth++;
      return i.breakEvenInvocationsPerMonth;
    },
  };
  return { reads, breakEvens };
}

/** Inputs across every rule: thin data, unknown money, blockers, savings either side, CPU sources, break-evens either side of the floor. */
const anyInput: fc.Arbitrary<RecommendInput> = fc
  .record({
    alreadyOnLmi: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
    invocations: fc.option(fc.integer({ min: 0, max: 50_000_000 }), { freq: 8 }),
    monthlyInvocations: fc.option(fc.integer({ min: 0, max: 50_000_000 })),
    standardUsd: fc.option(fc.double({ min: 0, max: 2000, noNaN: true }), { freq: 8 }),
    lmiTotal: fc.double({ min: 0, max: 2000, noNaN: true }),
    sized: fc.boolean(),
    eligible: fc.boolean(),
    blockers: fc.array(fc.constantFrom('container image', 'runtime'), { maxLength: 2 }),
    cpuSource: fc.constantFrom('measured', 'bound', 'bound-single-threaded', 'assumed'),
    breakEvenCpuShare: fc.option(fc.double({ min: 0, max: 1.5, noNaN: true })),
    breakEvenInvocationsPerMonth: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true })),
    throttled: fc.integer({ min: 0, max: 100_000 }),
    needsRuntimeUpgrade: fc.boolean(),
    utilization: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    sizingRisks: fc.array(fc.constantFrom('memory rounded up', 'bursts throttled'), { maxLength: 2 }),
    minSavingsPct: fc.integer({ min: 0, max: 50 }),
    reviewCpuShare: fc.constantFrom(0.05, 0.25, 0.5, 1),
    windowDays: fc.constantFrom(3, 14),
  })
  .map((o) => ({
    ...input({
      alreadyOnLmi: o.alreadyOnLmi,
      invocations: o.invocations,
      monthlyInvocations: o.monthlyInvocations,
      windowDays: o.windowDays,
      standardUsd: o.standardUsd,
      breakEvenInvocationsPerMonth: o.breakEvenInvocationsPerMonth,
      utilization: o.utilization,
      sizingRisks: o.sizingRisks,
      lmi: o.sized
        ? lmi({
            totalUsd: o.lmiTotal,
            eligible: o.eligible,
            blockers: o.eligible ? [] : o.blockers,
            cpuSource: o.cpuSource,
            breakEvenCpuShare: o.breakEvenCpuShare,
            throttledInvocations: o.throttled,
            needsRuntimeUpgrade: o.needsRuntimeUpgrade,
          })
        : null,
    }),
    config: testConfig((c) => {
      c.recommend.minSavingsPct = o.minSavingsPct;
      c.recommend.reviewCpuShare = o.reviewCpuShare;
    }),
  }));

describe('decide: recommend with the reasons after the first built when read', () => {
  it('gives recommend\'s verdict, risks and first reason at once, and its reasons when read', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        // Prepare
        const expected = recommend(i);
        const { reads, breakEvens } = countedBreakEvens(i);
        // Act
        const decision = decide(i, breakEvens, false);
        // Assess: the verdict needs neither the exact CPU share nor the traffic break-even.
        expect(decision.recommendation).toBe(expected.recommendation);
        expect(decision.risks).toEqual(expected.risks);
        expect(decision.reviewRisks).toEqual(expected.reviewRisks);
        expect(decision.firstReason).toBe(expected.reasons[0]);
        expect(reads.cpuShare).toBe(0);
        expect(reads.invocationsPerMonth).toBe(0);
        expect(decision.reasons).toEqual(expected.reasons);
        expect(decision.reasons).toBe(decision.reasons);
      }),
      { numRuns: 2000 },
    );
  });

  it("'verdict': no reason built, the same verdict, risks and review phrases; the first reason and the reasons when read", () => {
    fc.assert(
      fc.property(anyInput, fc.boolean(), (i, firstBeforeAll) => {
        const expected = recommend(i);
        const { reads, breakEvens } = countedBreakEvens(i);
        const decision = decide(i, breakEvens, 'verdict');
        expect(decision.recommendation).toBe(expected.recommendation);
        expect(decision.risks).toEqual(expected.risks);
        expect(decision.reviewRisks).toEqual(expected.reviewRisks);
        expect(reads.cpuShare).toBe(0);
        expect(reads.invocationsPerMonth).toBe(0);
        if (firstBeforeAll) {
          expect(decision.firstReason).toBe(expected.reasons[0]);
          expect(reads.cpuShare).toBe(0);
          expect(reads.invocationsPerMonth).toBe(0);
        }
        expect(decision.reasons).toEqual(expected.reasons);
        expect(decision.firstReason).toBe(expected.reasons[0] ?? '');
        expect(decision.reasons).toBe(decision.reasons);
      }),
      { numRuns: 2000 },
    );
  });

  it('full: the reasons built at once, the same as recommend\'s', () => {
    fc.assert(
      fc.property(anyInput, (i) => {
        const decision = decide(i, countedBreakEvens(i).breakEvens, true);
        expect(decision.reasons).toEqual(recommend(i).reasons);
      }),
      { numRuns: 500 },
    );
  });

  it('asks whether the CPU break-even reaches the floor only where LMI loses at an unmeasured CPU figure', () => {
    const read = (i: RecommendInput) => {
      const { reads, breakEvens } = countedBreakEvens(i);
      decide(i, breakEvens, false);
      return reads.cpuShareAtLeast;
    };
    expect(read(input())).toBe(0); // migrate
    expect(read(input({ standardUsd: 300, lmi: lmi({ cpuSource: 'measured' }) }))).toBe(0);
    expect(read(input({ standardUsd: 380 }))).toBe(0); // cheaper, but too little
    expect(read(input({ standardUsd: 300 }))).toBe(1);
  });
});

describe('count', () => {
  const INTL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  it("writes Intl's text of the rounded number (toLocaleString('en-US') of a whole number)", () => {
    const any = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -1e6, max: 1e7 }),
      fc.constantFrom(0, -0, -0.4, 0.5, 999.5, 1e15, 2 ** 53, 2 ** 53 + 2, 1e21, Infinity, -Infinity, Number.NaN),
      fc.double({ min: 0, max: 1e16, noNaN: true }),
    );
    fc.assert(
      fc.property(any, (n) => {
        expect(count(n)).toBe(INTL.format(Math.round(n)));
        expect(count(n)).toBe(Math.round(n).toLocaleString('en-US'));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('usd', () => {
  const INTL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const intl = (x: number) => `${x < 0 ? '-' : ''}$${INTL.format(Math.abs(x))}`;

  it('writes Intl\'s text for any double, half cents and their neighbours included', () => {
    const halfCents = fc.integer({ min: 0, max: 2 ** 40 }).map((k) => (k * 2 + 1) / 200);
    const neighbour = fc.tuple(halfCents, fc.integer({ min: -3, max: 3 })).map(([x, ulps]) => {
      const view = new Float64Array([x]);
      const bits = new BigInt64Array(view.buffer);
      bits[0] = (bits[0] as bigint) + BigInt(ulps);
      return view[0] as number;
    });
    const thousandths = fc.integer({ min: -(2 ** 45), max: 2 ** 45 }).map((k) => k / 1000);
    const any = fc.oneof(fc.double(), fc.double({ min: -1e12, max: 1e12 }), halfCents, neighbour, thousandths, fc.integer().map((k) => k / 100));
    fc.assert(
      fc.property(any, (x) => {
        expect(usd(x)).toBe(intl(x));
      }),
      { numRuns: 100_000 },
    );
  });

  it('edge values', () => {
    for (const x of [0, -0, 0.005, 0.015, 1.005, 2.675, 999.995, 999_999.995, 1e-7, 5e-7, 99_999_999_999.99, 1e11, 1e11 - 0.001, 1e15, 1e21, 1e300, Number.MIN_VALUE, Number.MAX_VALUE, NaN, Infinity, -Infinity]) {
      expect(usd(x)).toBe(intl(x));
      expect(usd(-x)).toBe(intl(-x));
    }
  });
});
