import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ChartSeries } from '../../src/report/types.js';
import { chartFacts, concurrencyChartSvg, escapeXml, headlineChartSvg, niceCeil, oneDecimal } from '../../src/render/charts.js';

function series(values: (number | null)[], throttled: boolean[] = values.map(() => false)): ChartSeries {
  return {
    bucketSeconds: 3600,
    start: '2026-11-07T00:00:00Z',
    concurrencyMax: values,
    lmiCapacity: values.map(() => 10),
    throttled,
  };
}

describe('concurrencyChartSvg', () => {
  test('draws known buckets as bars, throttled ones in their own colour, unknown ones hatched', () => {
    // Prepare
    const s = series([1, 2, null, 4, 20, 3], [false, false, false, false, true, false]);

    // Act
    const svg = concurrencyChartSvg(s, { id: 'c1', title: 'f' });

    // Assess
    const bars = svg.match(/<path class="c-bar" d="([^"]*)"/)?.[1] ?? '';
    const thr = [...svg.matchAll(/<path class="c-thr" d="([^"]*)"/g)].map((m) => m[1] ?? '');
    const unk = svg.match(/<path class="c-unk" d="([^"]*)" fill="url\(#c1-hatch\)"/)?.[1] ?? '';
    expect(bars.split('z').filter(Boolean)).toHaveLength(4);
    expect(thr).toHaveLength(2); // the bar and its marker under the axis
    expect(thr[0]?.split('z').filter(Boolean)).toHaveLength(1);
    expect(unk.split('z').filter(Boolean)).toHaveLength(1);
    expect(svg).toContain('<path class="c-cap"');
    expect(svg).toContain('<pattern id="c1-hatch"');
  });

  test('is accessible: title, aria-label and a description with the facts', () => {
    // Act
    const svg = concurrencyChartSvg(series([5, null, 7]), { id: 'x', title: 'orders-api' });

    // Assess
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Concurrency of orders-api"');
    expect(svg).toContain('<title>Concurrency of orders-api</title>');
    expect(svg).toMatch(/<desc id="x-desc">[^<]*peak 7[^<]*1 unknown bucket/);
  });

  test('labels the x axis with dates and the y axis with values', () => {
    // Prepare: 3 days of hourly buckets.
    const s = series(Array.from({ length: 72 }, (_, i) => i % 24));

    // Act
    const svg = concurrencyChartSvg(s, { id: 'd', title: 'f' });

    // Assess
    expect(svg).toContain('>Nov 7<');
    expect(svg).toContain('>Nov 8<');
    expect(svg).toContain('>Nov 9<');
    expect(svg).toContain(`>${niceCeil(23)}<`);
  });

  test('is deterministic and escapes the title', () => {
    // Prepare
    const s = series([1, 2, 3]);

    // Act
    const a = concurrencyChartSvg(s, { id: 'e', title: '<b>&"' });
    const b = concurrencyChartSvg(s, { id: 'e', title: '<b>&"' });

    // Assess
    expect(a).toBe(b);
    expect(a).toContain(escapeXml('Concurrency of <b>&"'));
    expect(a).not.toContain('<b>');
  });

  test('chartFacts counts throttled and unknown buckets; all-unknown has no peak', () => {
    expect(chartFacts(series([1, null, 3], [false, true, false]))).toEqual({
      buckets: 3,
      peakConcurrency: 3,
      throttledBuckets: 1,
      unknownBuckets: 1,
      capacityMin: 10,
      capacityMax: 10,
    });
    expect(chartFacts(series([null, null])).peakConcurrency).toBeNull();
  });
});

describe('niceCeil and the headline chart', () => {
  test('niceCeil rounds up to a readable axis maximum', () => {
    expect(niceCeil(2600)).toBe(3000);
    expect(niceCeil(1800)).toBe(2000);
    expect(niceCeil(7)).toBe(8);
    expect(niceCeil(0)).toBe(1);
  });

  test('headline bars are proportional to the two totals', () => {
    // Act
    const svg = headlineChartSvg({ standardUsd: 1000, recommendedUsd: 250 }, 'h');

    // Assess
    const widths = [...svg.matchAll(/<rect class="c-(?:std|rec)"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect((widths[1] ?? 0) / (widths[0] ?? 1)).toBeCloseTo(0.25, 2);
    expect(svg).toContain('$1,000/mo');
    expect(svg).toContain('$250/mo');
  });
});

describe('oneDecimal', () => {
  test('writes String(Math.round(value * 10) / 10), -0 as 0, for every number', () => {
    const plain = (value: number): string => {
      const r = Math.round(value * 10) / 10;
      return Object.is(r, -0) ? '0' : String(r);
    };
    const special = fc.constantFrom(-0, NaN, Infinity, -Infinity, -0.04, -0.05, 0.05, 0.15, 1e14, 1e14 + 0.3, 1e15, 1e21, 1e-7, -1e14 - 0.3);
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.double({ min: -1000, max: 1000 }), fc.integer().map((i) => i / 10), fc.integer().map((i) => i / 100), special), (v) => {
        expect(oneDecimal(v)).toBe(plain(v));
      }),
      { numRuns: 20_000 },
    );
  });
});
