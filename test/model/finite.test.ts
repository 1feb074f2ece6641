/**
 * Issue 8, item 3: no computation may produce a non-finite number unnoticed. The snapshot schema
 * rejects inputs that could; a profile that bypasses it (built in code) must stop with a named
 * error naming the function and the figure, never reach a report.
 */
import { describe, expect, it } from 'vitest';
import { NonFiniteFigureError } from '../../src/errors.js';
import { makeWindow, reportFor, steadyProfile, testConfig } from './helpers.js';

describe('non-finite figures', () => {
  const window = makeWindow(730, 3600);

  it('an overflowing invocation sum raises NonFiniteFigureError naming the function and figure', () => {
    const p = steadyProfile(window, { name: 'overflow-api', invocations: 730_000, durationMs: 100 });
    p.series.invocations[0] = 1e308;
    p.series.invocations[1] = 1e308;

    expect(() => reportFor([p], window, testConfig())).toThrow(NonFiniteFigureError);
    expect(() => reportFor([p], window, testConfig())).toThrow(/^us-east-1\/overflow-api: computed usage\.invocations is Infinity/);
  });

  it('an overflowing duration raises it too, naming the figure', () => {
    const p = steadyProfile(window, { name: 'slow-api', invocations: 730_000, durationMs: 100 });
    p.series.durationMsSum[5] = Number.MAX_VALUE;
    p.series.durationMsSum[6] = Number.MAX_VALUE;

    expect(() => reportFor([p], window, testConfig())).toThrow(/^us-east-1\/slow-api: computed usage\.\w+ is (Infinity|NaN)/);
  });
});
