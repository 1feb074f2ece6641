import type { ChartSeries, Totals } from '../report/types.js';
import { formatCompact, formatPeriod, formatTimestamp, formatUsdWhole } from './format.js';

/**
 * Inline SVG charts drawn server-side, so the HTML report (and an email) shows them without
 * JavaScript, fonts or images. Pure functions: same input, same bytes. Colours come from
 * presentation attributes (light theme, for mail clients that drop <style>) and are overridden
 * by the report's CSS classes (`c-bar`, `c-thr`, `c-cap`, `c-unk`, ...) for dark mode and print.
 */

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    // Like Handlebars: '=' and '`' too, so no attribute-looking text survives even inside values.
    .replace(/=/g, '&#61;')
    .replace(/`/g, '&#96;');
}

/**
 * One decimal is enough at 720 px and keeps the output short and stable: String(Math.round(value
 * * 10) / 10), -0 as 0. Written from the integer tenths where they have at most 14 digits (any
 * decimal of at most 15 significant digits is the shortest that reads back as its double, so the
 * same text): String of a fraction runs the shortest-digits search, a third of a chart's drawing,
 * and the what-if page redraws ~150 charts (~25,000 numbers) on a re-sizing change.
 */
export function oneDecimal(value: number): string {
  const tenths = Math.round(value * 10);
  if (tenths % 10 === 0) return String(tenths / 10);
  const abs = Math.abs(tenths);
  if (abs < 1e14) {
    const digit = abs % 10;
    return `${tenths < 0 ? '-' : ''}${(abs - digit) / 10}.${digit}`;
  }
  const r = tenths / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

const n = oneDecimal;

/** n(left + i * bw) for each bar, kept for the last layout: every chart of a report has the same. */
let lefts: { key: string; values: string[] } = { key: '', values: [] };

function barLefts(count: number, bw: number, left: number): string[] {
  const key = `${count}|${bw}|${left}`;
  if (lefts.key !== key) lefts = { key, values: Array.from({ length: count }, (_, i) => n(left + i * bw)) };
  return lefts.values;
}

/** Smallest 1/2/2.5/5 x 10^k at or above `value` (axis maximum). */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  // Fine steps so the data fills most of the height (2.6k gets a 3k axis, not 5k).
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * exp >= value) return step * exp;
  }
  return 10 * exp;
}

const COLORS = {
  bar: '#4c78a8',
  thr: '#d62728',
  cap: '#e08a00',
  unkLine: '#9a9a9a',
  axis: '#6b6b6b',
  grid: '#d9d9d9',
  text: '#333333',
};

export interface ConcurrencyChartOptions {
  /** Unique, deterministic id prefix (ids of <title>, <desc>, the hatch pattern). */
  id: string;
  /** Accessible title, e.g. the function name (escaped here). */
  title: string;
}

export interface ChartFacts {
  buckets: number;
  peakConcurrency: number | null;
  throttledBuckets: number;
  unknownBuckets: number;
  capacityMin: number | null;
  capacityMax: number | null;
}

/** The facts a chart shows, for the Markdown report and the chart's text description. */
export function chartFacts(series: ChartSeries): ChartFacts {
  // Indexed loops, not for-of, filter or spread (the what-if page reads these for every section on
  // each change; for-of allocated an iterator result per value in the tiers a page runs it in).
  // Math.max / Math.min folded one value at a time give what they give over all (NaN and -0 too).
  const peaks = series.concurrencyMax;
  const throttledFlags = series.throttled;
  const capacity = series.lmiCapacity;
  let known = 0;
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < peaks.length; i++) {
    const v = peaks[i] as number | null;
    if (v === null) continue;
    known++;
    peak = Math.max(peak, v);
  }
  let throttled = 0;
  for (let i = 0; i < throttledFlags.length; i++) if (throttledFlags[i]) throttled++;
  let capMin = Number.POSITIVE_INFINITY;
  let capMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < capacity.length; i++) {
    const v = capacity[i] as number;
    capMin = Math.min(capMin, v);
    capMax = Math.max(capMax, v);
  }
  const hasCapacity = capacity.length > 0;
  return {
    buckets: peaks.length,
    peakConcurrency: known > 0 ? peak : null,
    throttledBuckets: throttled,
    unknownBuckets: peaks.length - known,
    capacityMin: hasCapacity ? capMin : null,
    capacityMax: hasCapacity ? capMax : null,
  };
}

const DAY_S = 86_400;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Nov 7` (or `Nov 7 06:00` for windows under two days), UTC, no locale. */
function tickLabel(ms: number, withTime: boolean): string {
  const d = new Date(ms);
  const day = `${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCDate()}`;
  return withTime ? `${day} ${d.toISOString().slice(11, 16)}` : day;
}

/** Bucket indexes to label on the x axis: day starts when the window spans days, at most ~7. */
function xTicks(series: ChartSeries, count: number): { index: number; label: string }[] {
  const startMs = Date.parse(series.start);
  if (Number.isNaN(startMs) || count === 0) return [];
  const spanS = series.bucketSeconds * count;
  const maxTicks = 7;
  if (spanS >= 2 * DAY_S && series.bucketSeconds <= DAY_S) {
    const dayStarts: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = startMs + i * series.bucketSeconds * 1000;
      if (t % (DAY_S * 1000) === 0) dayStarts.push(i);
    }
    if (dayStarts.length > 0) {
      const every = Math.ceil(dayStarts.length / maxTicks);
      return dayStarts
        .filter((_, k) => k % every === 0)
        .map((index) => ({ index, label: tickLabel(startMs + index * series.bucketSeconds * 1000, false) }));
    }
  }
  const every = Math.max(1, Math.ceil(count / maxTicks));
  const ticks: { index: number; label: string }[] = [];
  for (let i = 0; i < count; i += every) {
    ticks.push({ index: i, label: tickLabel(startMs + i * series.bucketSeconds * 1000, spanS < 2 * DAY_S) });
  }
  return ticks;
}

/**
 * A concurrency in the bars' data units: integers as they are, others to 1e-4. The axis spans at
 * least 1 over the plot's 192 px, so 1e-4 is under 0.02 px: the bars look as when written in
 * pixels to a tenth, and their text never depends on the axis.
 */
function dataNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const r = Math.round(v * 1e4) / 1e4;
  return Object.is(r, -0) ? '0' : String(r);
}

/** The bars of a chart, drawn from its peaks alone (a knob changes the throttled buckets, not the peaks). */
interface Bars {
  /** Copy of the peaks they were drawn from (a caller may write into its arrays: compared, not trusted). */
  peaks: (number | null)[];
  /** Every known bucket: left edge in pixels, from the axis up to its concurrency in data units. */
  bars: string;
  /** Unknown buckets, full height, in pixels (their hatch pattern is in pixels too). */
  unk: string;
  /** The throttled buckets last drawn over these bars, and their drawing (see Throttled). */
  throttled: Throttled | null;
}

interface Throttled {
  /** Copy of the flags they were drawn from. */
  flags: boolean[];
  /** Known throttled buckets, as `bars` (painted over them in the throttle colour). */
  thr: string;
  /** Marks under the axis of throttled buckets, known or not, in pixels. */
  thrMarks: string;
}

/**
 * The bars last drawn for each peaks array. The what-if page hands the same array to every chart
 * of a function (no knob changes the peaks), and a re-sizing change redraws ~150 charts: their
 * bars come from here, the same string each time, so the page's markup diff finds the same `d`
 * and Chromium parses no bar path again. Throttled buckets follow the replay (a knob moves them),
 * so they are painted over the bars in a path of their own, kept beside them while unchanged.
 * Weak: an array dropped by its report frees its bars. Two generations of at most KEPT_BARS
 * each: the page keeps every function's peaks array alive, and a reader who tries many knobs
 * shows many functions in turn (~6 KB each kept: bounded to ~12 MB, not 10,000 functions' worth).
 */
const KEPT_BARS = 1000;
let barsNow = new WeakMap<readonly (number | null)[], Bars>();
let barsBefore = new WeakMap<readonly (number | null)[], Bars>();
let barsNowCount = 0;

function keptBars(peaks: readonly (number | null)[]): Bars | undefined {
  const now = barsNow.get(peaks);
  if (now !== undefined) return now;
  const before = barsBefore.get(peaks);
  if (before !== undefined) keepBars(peaks, before);
  return before;
}

function keepBars(peaks: readonly (number | null)[], bars: Bars): void {
  if (barsNowCount >= KEPT_BARS) {
    barsBefore = barsNow;
    barsNow = new WeakMap();
    barsNowCount = 0;
  }
  barsNow.set(peaks, bars);
  barsNowCount++;
}

function sameValues<T>(kept: readonly T[], now: readonly T[]): boolean {
  if (kept.length !== now.length) return false;
  for (let i = 0; i < now.length; i++) if (!Object.is(kept[i], now[i])) return false;
  return true;
}

/** The bar layout of `count` buckets (constants of concurrencyChartSvg but the count). */
class BarLayout {
  readonly xs: string[];
  readonly nw: string;
  readonly nMinusW: string;
  readonly nTop: string;
  readonly nPlotH: string;
  readonly nMark: string;

  constructor(count: number, left: number, top: number, plotW: number, plotH: number) {
    const bw = count > 0 ? plotW / count : plotW;
    const gap = bw > 4 ? Math.min(1, bw * 0.15) : 0;
    const w = Math.max(bw - gap, 0.5);
    this.xs = barLefts(count, bw, left);
    this.nw = n(w);
    this.nMinusW = n(-w);
    this.nTop = n(top);
    this.nPlotH = n(plotH);
    this.nMark = n(top + plotH + 3);
  }

  /** A bucket's bar from the axis (data y 0) up to `v`; negative values drawn as 0, as on the axis. */
  bar(i: number, v: number): string {
    return `M${this.xs[i] as string} 0h${this.nw}v${dataNumber(Math.max(0, v))}h${this.nMinusW}z`;
  }
}

function barsOf(series: ChartSeries, layout: () => BarLayout): Bars {
  const peaks = series.concurrencyMax;
  let kept = keptBars(peaks);
  if (kept === undefined || !sameValues(kept.peaks, peaks)) {
    kept = drawBars(peaks, layout());
    keepBars(peaks, kept);
  }
  if (kept.throttled === null || !sameValues(kept.throttled.flags, series.throttled)) kept.throttled = drawThrottled(peaks, series.throttled, layout());
  return kept;
}

function drawBars(peaks: readonly (number | null)[], layout: BarLayout): Bars {
  const { nTop, nw, nPlotH, nMinusW, xs } = layout;
  let bars = '';
  let unk = '';
  // A bar's text after its left edge, per concurrency value (the same values recur across buckets).
  const shapes = new Map<number, string>();
  for (let i = 0; i < peaks.length; i++) {
    const v = peaks[i];
    const nx0 = xs[i] as string;
    if (v === null || v === undefined) {
      unk += `M${nx0} ${nTop}h${nw}v${nPlotH}h${nMinusW}z`;
      continue;
    }
    let shape = shapes.get(v);
    if (shape === undefined) {
      shape = ` 0h${nw}v${dataNumber(Math.max(0, v))}h${nMinusW}z`;
      shapes.set(v, shape);
    }
    bars += `M${nx0}${shape}`;
  }
  // Flattened once (V8 flattens a string built by concatenation when it is first read): a kept
  // rope would be walked again by every report that holds it.
  bars.charCodeAt(0);
  unk.charCodeAt(0);
  return { peaks: peaks.slice(), bars, unk, throttled: null };
}

function drawThrottled(peaks: readonly (number | null)[], flags: readonly boolean[], layout: BarLayout): Throttled {
  const { nMark, nw, nMinusW, xs } = layout;
  let thr = '';
  let thrMarks = '';
  for (let i = 0; i < peaks.length; i++) {
    const v = peaks[i];
    if (!flags[i] || v === null || v === undefined) continue;
    thr += layout.bar(i, v);
    thrMarks += `M${xs[i] as string} ${nMark}h${nw}v5h${nMinusW}z`;
  }
  // Throttling can also happen in a bucket whose concurrency is unknown: still mark it.
  for (let i = 0; i < peaks.length; i++) {
    if (flags[i] && peaks[i] === null) thrMarks += `M${xs[i] as string} ${nMark}h${nw}v5h${nMinusW}z`;
  }
  return { flags: flags.slice(), thr, thrMarks };
}

/**
 * Concurrency over the window: peak concurrency per bucket as bars, throttled buckets in a
 * distinct colour (painted over their bar) with a marker under the axis, unknown buckets hatched,
 * and the replayed LMI capacity as a step line. The bars are drawn in concurrency units inside a
 * group whose transform maps them onto the axis: the axis follows the capacity (a knob in the
 * what-if page), the bars' path data does not.
 */
export function concurrencyChartSvg(series: ChartSeries, options: ConcurrencyChartOptions): string {
  // 640 wide with 13 px text: the CSS keeps it at least 520 px wide (scrolling on a phone), so
  // labels never shrink below ~10 px.
  const W = 640;
  const H = 250;
  const left = 52;
  const right = 12;
  const top = 14;
  const bottom = 44;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const count = series.concurrencyMax.length;
  const facts = chartFacts(series);
  const yMax = niceCeil(Math.max(facts.peakConcurrency ?? 0, facts.capacityMax ?? 0, 1));
  const bw = count > 0 ? plotW / count : plotW;
  const y = (v: number): number => top + plotH - (Math.max(0, v) / yMax) * plotH;
  const x = (i: number): number => left + i * bw;
  const base = top + plotH;

  const { bars, unk, throttled } = barsOf(series, () => new BarLayout(count, left, top, plotW, plotH));
  const { thr, thrMarks } = throttled as Throttled;
  // Data y (concurrency) to pixels: y flipped, 0 on the axis; x is in pixels already.
  const toPixels = `matrix(1 0 0 ${String(-plotH / yMax)} 0 ${base})`;

  // The capacity step line in pixels (a stroke under a non-uniform transform would scale with it):
  // one H per run of buckets whose level lands on the same pixel row.
  let cap = '';
  const capacity = series.lmiCapacity;
  const xs = barLefts(count, bw, left);
  const rightEdge = (i: number): string => (i < xs.length ? (xs[i] as string) : n(x(i)));
  let lastLevel = Number.NaN;
  let lastY = '';
  for (let i = 0; i < capacity.length; i++) {
    const v = capacity[i] as number;
    if (i === 0 || !Object.is(v, lastLevel)) {
      const yy = n(y(v));
      lastLevel = v;
      if (i === 0) cap = `M${n(x(0))} ${yy}`;
      else if (yy !== lastY) cap += `H${rightEdge(i)}V${yy}`;
      lastY = yy;
    }
  }
  if (capacity.length > 0) cap += `H${rightEdge(capacity.length)}`;

  // Grid and ticks: the same markup for every chart of a window and axis (kept, see below).
  const grid = gridMarkup(yMax, y, left, W - right);
  const ticks = ticksMarkup(series, count, x, base);

  const id = escapeXml(options.id);
  const title = `Concurrency of ${options.title}`;
  const desc =
    `Peak concurrency per bucket of ${formatPeriod(series.bucketSeconds)} from ${formatTimestamp(series.start)}: ` +
    `peak ${formatCompact(facts.peakConcurrency)}, replayed LMI capacity ${formatCompact(facts.capacityMin)} to ${formatCompact(facts.capacityMax)}, ` +
    `${facts.throttledBuckets} throttled bucket(s), ${facts.unknownBuckets} unknown bucket(s).`;

  return [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="${escapeXml(title)}" aria-describedby="${id}-desc">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(desc)}</desc>`,
    `<defs><pattern id="${id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><line class="c-unk-line" x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.unkLine}" stroke-width="2"/></pattern></defs>`,
    grid,
    unk ? `<path class="c-unk" d="${unk}" fill="url(#${id}-hatch)"/>` : '',
    bars || thr ? `<g transform="${toPixels}">` : '',
    bars ? `<path class="c-bar" d="${bars}" fill="${COLORS.bar}"/>` : '',
    thr ? `<path class="c-thr" d="${thr}" fill="${COLORS.thr}"/>` : '',
    bars || thr ? '</g>' : '',
    thrMarks ? `<path class="c-thr" d="${thrMarks}" fill="${COLORS.thr}"/>` : '',
    cap ? `<path class="c-cap" d="${cap}" fill="none" stroke="${COLORS.cap}" stroke-width="2" stroke-linejoin="round"/>` : '',
    `<line class="c-axis" x1="${left}" x2="${W - right}" y1="${base}" y2="${base}" stroke="${COLORS.axis}" stroke-width="1"/>`,
    ticks,
    `<text class="c-text" x="${left + plotW / 2}" y="${H - 4}" text-anchor="middle" font-size="13" fill="${COLORS.text}">UTC date (bucket start)</text>`,
    `<text class="c-text" x="14" y="${top + plotH / 2}" text-anchor="middle" font-size="13" fill="${COLORS.text}" transform="rotate(-90 14 ${top + plotH / 2})">concurrency</text>`,
    '</svg>',
  ].join('');
}

/** Grid lines and y labels by axis maximum: a page's charts share a few maxima. Bounded, cleared when full. */
const grids = new Map<number, string>();

function gridMarkup(yMax: number, y: (v: number) => number, x1: number, x2: number): string {
  let grid = grids.get(yMax);
  if (grid === undefined) {
    grid = '';
    for (const frac of [0, 0.5, 1]) {
      const v = yMax * frac;
      const yy = n(y(v));
      grid +=
        `<line class="c-grid" x1="${x1}" x2="${x2}" y1="${yy}" y2="${yy}" stroke="${COLORS.grid}" stroke-width="1"/>` +
        `<text class="c-text" x="${x1 - 6}" y="${yy}" dy="4" text-anchor="end" font-size="13" fill="${COLORS.text}">${escapeXml(formatCompact(v))}</text>`;
    }
    if (grids.size >= 256) grids.clear();
    grids.set(yMax, grid);
  }
  return grid;
}

/** x-axis ticks and labels of the last window drawn: every chart of a report has the same. */
let lastTicks = { key: '', markup: '' };

function ticksMarkup(series: ChartSeries, count: number, x: (i: number) => number, base: number): string {
  const key = `${series.start}|${series.bucketSeconds}|${count}`;
  if (lastTicks.key !== key) {
    let markup = '';
    for (const { index, label } of xTicks(series, count)) {
      const xx = n(x(index));
      markup +=
        `<line class="c-axis" x1="${xx}" x2="${xx}" y1="${base}" y2="${base + 12}" stroke="${COLORS.axis}" stroke-width="1"/>` +
        `<text class="c-text" x="${xx}" y="${base + 24}" text-anchor="${index === 0 ? 'start' : 'middle'}" font-size="13" fill="${COLORS.text}">${escapeXml(label)}</text>`;
    }
    lastTicks = { key, markup };
  }
  return lastTicks.markup;
}

/**
 * Headline: monthly cost with standard Lambda today vs the recommended plan, as two horizontal
 * bars with their values.
 */
export function headlineChartSvg(totals: Pick<Totals, 'standardUsd' | 'recommendedUsd'>, id: string): string {
  // Narrow viewBox with labels above the bars, so a phone shows ~11 px text without scrolling.
  const W = 480;
  const rowH = 58;
  const H = 2 * rowH + 4;
  const valueW = 110;
  const barMax = W - valueW;
  const max = Math.max(totals.standardUsd, totals.recommendedUsd, 0) || 1;
  const rows: [string, number, string][] = [
    ['Standard Lambda today', totals.standardUsd, 'c-std'],
    ['With the recommended LMI plan', totals.recommendedUsd, 'c-rec'],
  ];
  const fills: Record<string, string> = { 'c-std': '#8c8c8c', 'c-rec': '#2e8b57' };
  const parts = rows.map(([label, value, cls], k) => {
    const yy = k * rowH;
    const w = Math.max(0, (value / max) * barMax);
    return (
      `<text class="c-text" x="0" y="${yy + 16}" font-size="14" fill="${COLORS.text}">${escapeXml(label)}</text>` +
      `<rect class="${cls}" x="0" y="${yy + 24}" width="${n(w)}" height="26" rx="3" fill="${fills[cls] ?? COLORS.bar}"/>` +
      `<text class="c-text" x="${n(w + 8)}" y="${yy + 43}" font-size="14" font-weight="bold" fill="${COLORS.text}">${escapeXml(formatUsdWhole(value))}/mo</text>`
    );
  });
  const eid = escapeXml(id);
  const title = `Monthly cost: standard ${formatUsdWhole(totals.standardUsd)}, recommended ${formatUsdWhole(totals.recommendedUsd)}`;
  return [
    `<svg class="chart chart-headline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMinYMid meet" role="img" aria-label="${escapeXml(title)}" aria-describedby="${eid}-desc">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc id="${eid}-desc">Bar chart of the monthly cost (730 hours) today and with every migrate recommendation applied.</desc>`,
    ...parts,
    '</svg>',
  ].join('');
}
