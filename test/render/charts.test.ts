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
    expect(bars.split('z').filter(Boolean)).toHaveLength(5); // every known bucket
    expect(thr).toHaveLength(2); // the bar painted over its c-bar, and its marker under the axis
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

/** The chart's layout (concurrencyChartSvg's constants): plot from x 52 to 628 and y 14 to 206. */
const LEFT = 52;
const PLOT_W = 576;
const TOP = 14;
const PLOT_H = 192;
const BASE = TOP + PLOT_H;

/** Rectangles of a path written as `M<x> <y>h<w>v<h>h<-w>z`, in its own units. */
function rects(d: string): { x: number; y: number; w: number; h: number }[] {
  return [...d.matchAll(/M(-?[\d.e+-]+) (-?[\d.e+-]+)h(-?[\d.e+-]+)v(-?[\d.e+-]+|NaN)h(-?[\d.e+-]+)z/g)].map((m) => {
    expect(Number(m[5])).toBe(-Number(m[3]));
    return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
  });
}

function pathOf(svg: string, cls: string, k = 0): string {
  return [...svg.matchAll(new RegExp(`<path class="${cls}" d="([^"]*)"`, 'g'))][k]?.[1] ?? '';
}

/** The bars' group transform as y = a * value + b (x is untouched: pixels); null without a group. */
function barTransform(svg: string): { a: number; b: number } | null {
  const m = svg.match(/<g transform="matrix\(1 0 0 (\S+) 0 (\S+)\)"><path class="c-(?:bar|thr)"/);
  expect(svg.split('<g ').length - 1).toBe(m ? 1 : 0);
  return m ? { a: Number(m[1]), b: Number(m[2]) } : null;
}

/** A series of `count` buckets: peaks (some unknown), capacity and throttled flags drawn at random, on one scale (small scales test fractions). */
const seriesArb = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom(1, 2, 7, 60, 1000, 100_000)).chain(([count, scale]) => {
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: scale }) },
    { weight: 3, arbitrary: fc.double({ min: 0, max: scale, noNaN: true }) },
    { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) },
  );
  return fc.record({
    concurrencyMax: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary: value }), { minLength: count, maxLength: count }),
    lmiCapacity: fc.array(value.map((v) => Math.max(0, v)), { minLength: count, maxLength: count }),
    throttled: fc.array(fc.boolean(), { minLength: count, maxLength: count }),
  });
});

describe('concurrencyChartSvg geometry: bars in data units under one transform', () => {
  test('every bar lands where the pixel formula puts it (within 0.05 px), in its class', () => {
    fc.assert(
      fc.property(seriesArb, ({ concurrencyMax, lmiCapacity, throttled }) => {
        // Prepare
        const s: ChartSeries = { bucketSeconds: 3600, start: '2026-11-07T00:00:00Z', concurrencyMax, lmiCapacity, throttled };
        const count = concurrencyMax.length;
        const facts = chartFacts(s);
        const yMax = niceCeil(Math.max(facts.peakConcurrency ?? 0, facts.capacityMax ?? 0, 1));
        const bw = PLOT_W / count;
        const pixelTop = (v: number): number => TOP + PLOT_H - (Math.max(0, v) / yMax) * PLOT_H;

        // Act
        const svg = concurrencyChartSvg(s, { id: 'p', title: 'f' });

        // Assess: each known bucket has one bar (c-bar) at its left edge, from the axis to its value
        // once the group's transform maps it to pixels; a throttled one the same bar again in c-thr.
        const transform = barTransform(svg);
        expect(transform === null).toBe(facts.peakConcurrency === null);
        const { a, b } = transform ?? { a: Number.NaN, b: Number.NaN };
        const group = svg.match(/<g transform="[^"]*">(.*?)<\/g>/)?.[1] ?? '';
        const width = Math.max(bw - (bw > 4 ? Math.min(1, bw * 0.15) : 0), 0.5);
        const wrong: string[] = [];
        for (const cls of ['c-bar', 'c-thr']) {
          const drawn = new Map<number, { top: number; bottom: number; w: number }>();
          for (const r of rects(pathOf(group, cls))) {
            const i = Math.round((r.x - LEFT) / bw);
            if (!(Math.abs(r.x - (LEFT + i * bw)) <= 0.05) || drawn.has(i)) wrong.push(`${cls} at x ${r.x}`);
            drawn.set(i, { top: a * (r.y + r.h) + b, bottom: a * r.y + b, w: r.w });
          }
          for (let i = 0; i < count; i++) {
            const v = concurrencyMax[i];
            const bar = drawn.get(i);
            const wanted = v !== null && v !== undefined && (cls === 'c-bar' || throttled[i] === true);
            if (!wanted || v === null || v === undefined) {
              if (bar !== undefined) wrong.push(`${cls} bar in bucket ${i}`);
            } else if (bar === undefined) {
              wrong.push(`no ${cls} bar in bucket ${i}`);
            } else if (!(Math.abs(bar.top - pixelTop(v)) <= 0.05) || !(Math.abs(bar.bottom - BASE) <= 1e-9) || !(Math.abs(bar.w - width) <= 0.05)) {
              wrong.push(`${cls} bucket ${i} (${v}): ${JSON.stringify(bar)}, top should be ${pixelTop(v)}`);
            }
          }
        }
        expect(wrong).toEqual([]);
        // Throttled buckets, known or not, are marked under the axis, in pixels (the c-thr path outside the group).
        const outside = svg.replace(/<g transform="[^"]*">.*?<\/g>/, '');
        const marks = rects(pathOf(outside, 'c-thr')).map((r) => Math.round((r.x - LEFT) / bw));
        expect(marks.sort((p, q) => p - q)).toEqual(throttled.flatMap((t, i) => (t ? [i] : [])));
        // Unknown buckets are hatched over the plot's full height, in pixels.
        const unknown = rects(pathOf(svg, 'c-unk')).map((r) => Math.round((r.x - LEFT) / bw));
        expect(unknown).toEqual(concurrencyMax.flatMap((v, i) => (v === null ? [i] : [])));
        // The capacity step line is at the pixel row of each bucket's level (within 0.05 px) across the bucket.
        const steps = capacitySteps(pathOf(svg, 'c-cap'));
        const off: number[] = [];
        for (let i = 0, k = 0; i < count; i++) {
          const mid = LEFT + (i + 0.5) * bw;
          while (k < steps.length - 1 && (steps[k]?.to ?? 0) < mid) k++;
          const at = steps[k];
          if (!(at !== undefined && at.from <= mid && mid <= at.to && Math.abs(at.y - pixelTop(lmiCapacity[i] as number)) <= 0.05)) off.push(i);
        }
        expect(off).toEqual([]);
        expect(steps[0]?.from).toBe(LEFT);
        expect(Math.abs((steps.at(-1)?.to ?? 0) - (LEFT + PLOT_W))).toBeLessThanOrEqual(0.05);
      }),
      { numRuns: 300 },
    );
  });

  test("the bars' path data does not depend on the capacity, nor the c-bar path on the throttled buckets", () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 1, max: 1_000_000 }), ({ concurrencyMax, lmiCapacity, throttled }, capacityMax) => {
        // Prepare: the same peaks and throttled buckets under two capacities (a re-sizing knob).
        const one: ChartSeries = { bucketSeconds: 7200, start: '2026-11-07T00:00:00Z', concurrencyMax, lmiCapacity, throttled };
        const other: ChartSeries = { ...one, lmiCapacity: lmiCapacity.map((_, i) => (i === 0 ? capacityMax : 1)) };

        // Act: from fresh copies too (the memo by array must not be what makes them equal).
        const a = concurrencyChartSvg(one, { id: 'q', title: 'f' });
        const b = concurrencyChartSvg(other, { id: 'q', title: 'f' });
        const c = concurrencyChartSvg({ ...other, concurrencyMax: concurrencyMax.slice(), throttled: throttled.slice() }, { id: 'q', title: 'f' });

        // Assess
        for (const cls of ['c-bar', 'c-thr', 'c-unk']) {
          expect(pathOf(b, cls)).toBe(pathOf(a, cls));
          expect(pathOf(c, cls)).toBe(pathOf(a, cls));
        }
        expect(pathOf(b, 'c-thr', 1)).toBe(pathOf(a, 'c-thr', 1));
        expect(c).toBe(b);
        // Other throttled buckets (a knob moves them): the same c-bar path, drawn from the kept peaks.
        const d = concurrencyChartSvg({ ...one, throttled: throttled.map((t) => !t) }, { id: 'q', title: 'f' });
        expect(pathOf(d, 'c-bar')).toBe(pathOf(a, 'c-bar'));
      }),
      { numRuns: 100 },
    );
  });

  test('bars follow a peaks array written in place and a change of throttled buckets (kept bars are checked, not trusted)', () => {
    // Prepare
    const s = series([1, 2, 3, 4]);
    const before = concurrencyChartSvg(s, { id: 'm', title: 'f' });

    // Act
    s.concurrencyMax[1] = 7;
    const peakChanged = concurrencyChartSvg(s, { id: 'm', title: 'f' });
    s.throttled[2] = true;
    const throttleChanged = concurrencyChartSvg(s, { id: 'm', title: 'f' });

    // Assess: each equals a chart drawn from fresh arrays.
    const fresh = (): string => concurrencyChartSvg(series([...s.concurrencyMax], [...s.throttled]), { id: 'm', title: 'f' });
    expect(peakChanged).not.toBe(before);
    expect(pathOf(peakChanged, 'c-bar')).toContain('v7h');
    expect(throttleChanged).toBe(fresh());
    expect(rects(pathOf(throttleChanged, 'c-thr'))).toHaveLength(1);
    expect(rects(pathOf(throttleChanged, 'c-bar'))).toHaveLength(4);
    expect(pathOf(throttleChanged, 'c-bar')).toBe(pathOf(peakChanged, 'c-bar'));
  });

  test('keeps the stroke of the capacity line in pixels, outside the transformed group', () => {
    // Act
    const svg = concurrencyChartSvg(series([3, 5, null, 9]), { id: 'k', title: 'f' });

    // Assess: the group holds the bars alone.
    expect(svg).toMatch(/<g transform="matrix\(1 0 0 -19\.2 0 206\)"><path class="c-bar" d="[^"]*" fill="#4c78a8"\/><\/g>/);
    expect(svg).toMatch(/<\/g><path class="c-cap" d="M52 14H628" fill="none" stroke="#e08a00" stroke-width="2"/);
  });
});

/** Horizontal runs of a step line written as `M<x> <y>(H<x>V<y>)*H<x>`. */
function capacitySteps(d: string): { from: number; to: number; y: number }[] {
  const m = d.match(/^M(\S+) (\S+?)((?:H[^HVM]+V[^HVM]+)*)H([^HVM]+)$/);
  expect(m, d).not.toBeNull();
  const steps: { from: number; to: number; y: number }[] = [];
  let x = Number(m?.[1]);
  let y = Number(m?.[2]);
  for (const [, h, v] of (m?.[3] ?? '').matchAll(/H([^HVM]+)V([^HVM]+)/g)) {
    steps.push({ from: x, to: Number(h), y });
    x = Number(h);
    y = Number(v);
  }
  steps.push({ from: x, to: Number(m?.[4]), y });
  return steps;
}

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
