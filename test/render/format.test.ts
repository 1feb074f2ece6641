import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  groupSlow,
  formatCompact,
  formatNumber,
  formatPercent,
  formatPeriod,
  formatTimestamp,
  formatUsd,
  roundHalfUp,
} from '../../src/render/format.js';

describe('roundHalfUp', () => {
  test.each([
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [0.125, 2, 0.13],
    [-1.005, 2, -1.01],
    [1.004999, 2, 1],
    [2.5, 0, 3],
    [-2.5, 0, -3],
  ])('roundHalfUp(%d, %d) = %d', (value, decimals, expected) => {
    expect(roundHalfUp(value, decimals)).toBe(expected);
  });

  test('never moves a value by more than half a unit of the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 4 }), (v, d) => {
        expect(Math.abs(roundHalfUp(v, d) - v)).toBeLessThanOrEqual(0.5 / 10 ** d + Math.abs(v) * 1e-12);
      }),
    );
  });
});

describe('formatUsd', () => {
  test('rounds once, half-up, with thousands separators', () => {
    expect(formatUsd(1234.565)).toBe('$1,234.57');
    expect(formatUsd(1_000_000)).toBe('$1,000,000.00');
    expect(formatUsd(0.004)).toBe('$0.00');
    expect(formatUsd(-3.1)).toBe('-$3.10');
    expect(formatUsd(-0.001)).toBe('$0.00');
    expect(formatUsd(12345.5, 0)).toBe('$12,346');
  });

  test('unknown is never shown as $0', () => {
    expect(formatUsd(null)).toBe('unknown');
    expect(formatUsd(undefined)).toBe('unknown');
    expect(formatUsd(Number.NaN)).toBe('unknown');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('unknown');
  });
});

describe('numbers, percentages, times', () => {
  test('formatNumber groups digits and keeps the requested decimals', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(12.25, 1)).toBe('12.3');
    expect(formatNumber(null)).toBe('unknown');
  });

  test('formatCompact keeps three significant digits', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1500)).toBe('1.5k');
    expect(formatCompact(12_345)).toBe('12.3k');
    expect(formatCompact(4_560_000)).toBe('4.56M');
    expect(formatCompact(310_000_000)).toBe('310M');
    expect(formatCompact(7.8e9)).toBe('7.8B');
    expect(formatCompact(999_999)).toBe('1M');
    expect(formatCompact(999.7)).toBe('1k');
    expect(formatCompact(-2500)).toBe('-2.5k');
    expect(formatCompact(null)).toBe('unknown');
  });

  test('formatPercent takes a share', () => {
    expect(formatPercent(0.1234)).toBe('12.3 %');
    expect(formatPercent(0.0002)).toBe('< 0.1 %');
    expect(formatPercent(0)).toBe('0.0 %');
    expect(formatPercent(null)).toBe('unknown');
  });

  test('timestamps and periods are UTC and locale-free', () => {
    expect(formatTimestamp('2026-11-07T00:00:00Z')).toBe('2026-11-07 00:00 UTC');
    expect(formatTimestamp('not a date')).toBe('not a date');
    expect(formatPeriod(60)).toBe('1 minute');
    expect(formatPeriod(300)).toBe('5 minutes');
    expect(formatPeriod(3600)).toBe('1 hour');
    expect(formatPeriod(21600)).toBe('6 hours');
  });
});

describe('thousands separators', () => {
  test('formatNumber and formatUsd group digits as the regex reference does, at any size and decimals', () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e9, max: 1e9 }), fc.double({ min: -1e7, max: 1e7, noNaN: true }));
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 4 }), (v, decimals) => {
        const rounded = Math.abs(roundHalfUp(v, decimals));
        const reference = groupSlow(rounded.toFixed(decimals));
        const sign = roundHalfUp(v, decimals) < 0 ? '-' : '';
        expect(formatNumber(v, decimals)).toBe(rounded === 0 ? groupSlow((0).toFixed(decimals)) : `${sign}${reference}`);
        expect(formatUsd(v, decimals)).toBe(rounded === 0 ? `$${groupSlow((0).toFixed(decimals))}` : `${sign}$${reference}`);
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    expect(formatNumber(1234567.891, 2)).toBe('1,234,567.89');
    expect(formatUsd(1e22)).toBe('$1e+22');
    expect(formatNumber(999.5, 0)).toBe('1,000');
  });
});
