import type { ChartSeries, FunctionReport, ReportModel } from '../report/types.js';
import { concurrencyChartSvg, headlineChartSvg, type ConcurrencyChartOptions } from './charts.js';
import { formatPeriod } from './format.js';
import { clearSnippetMemo } from './snippets.js';
import { htmlEngine, SUMMARY_ROWS_OMITTED } from './templates.js';
import { buildView } from './view-model.js';

/**
 * Charts of the last two renders, by everything a chart's markup depends on. The what-if page
 * renders the report again on every knob change; most charts come out the same (drawing them
 * was a third of the render at 10,000 functions). concurrencyChartSvg is pure, so a hit gives the
 * same bytes. Two generations bound the memory to two renders' charts. Kept by id, title, bucket
 * and start, with copies of the series compared value by value (joining them into a key string
 * cost more than the comparison).
 */
interface KeptChart {
  concurrencyMax: (number | null)[];
  lmiCapacity: number[];
  throttled: boolean[];
  svg: string;
}
let chartsNow = new Map<string, KeptChart[]>();
let chartsBefore = new Map<string, KeptChart[]>();

function sameValues<T>(kept: readonly T[], now: readonly T[]): boolean {
  if (kept.length !== now.length) return false;
  for (let i = 0; i < now.length; i++) if (!Object.is(kept[i], now[i])) return false;
  return true;
}

function findChart(list: KeptChart[] | undefined, series: ChartSeries): KeptChart | undefined {
  return list?.find(
    (c) => sameValues(c.concurrencyMax, series.concurrencyMax) && sameValues(c.lmiCapacity, series.lmiCapacity) && sameValues(c.throttled, series.throttled),
  );
}

function chartSvg(series: ChartSeries, options: ConcurrencyChartOptions): string {
  const key = `${options.id}\u0000${options.title}\u0000${series.bucketSeconds}\u0000${series.start}`;
  const now = chartsNow.get(key);
  let kept = findChart(now, series) ?? findChart(chartsBefore.get(key), series);
  if (kept === undefined) {
    kept = { concurrencyMax: series.concurrencyMax.slice(), lmiCapacity: series.lmiCapacity.slice(), throttled: series.throttled.slice(), svg: concurrencyChartSvg(series, options) };
  }
  if (now === undefined) chartsNow.set(key, [kept]);
  else if (!now.includes(kept)) now.push(kept);
  return kept.svg;
}

/** Forgets the charts kept from earlier renders (tests compare a cold render with a warm one). */
export function clearRenderMemo(): void {
  chartsNow = new Map();
  chartsBefore = new Map();
  clearSnippetMemo();
}

/**
 * report.html: one self-contained file (inline CSS, inline SVG, no script, no external resource)
 * from templates/report.html.hbs. Every {{ }} is HTML-escaped by Handlebars; the only unescaped
 * values are the SVG charts, built by charts.ts, which escapes every text it puts in them.
 */
export function renderHtml(model: ReportModel): string {
  return render(model, false).html;
}

/**
 * The what-if page's render: report.html as renderHtml writes it but for the rows of the "Other
 * functions" table (its <tbody> holds only its first line break), and the functions of those rows,
 * in order. The page makes the rows of the page of the table it shows (view-model.ts summaryRow)
 * and brings the table's body to them row by row (src/whatif/table-rows.ts writes each with
 * summaryRowHtml, as the CLI does): at 10,000 functions they were most of the markup it diffed.
 */
export function renderHtmlWithoutSummaryRows(model: ReportModel): { html: string; summary: FunctionReport[] } {
  return render(model, true);
}

function render(model: ReportModel, omitSummaryRows: boolean): { html: string; summary: FunctionReport[] } {
  const { hb, template } = htmlEngine();
  const view = buildView(model, { summaryRows: !omitSummaryRows });
  chartsBefore = chartsNow;
  chartsNow = new Map();
  const detailed = view.detailed.map((f) => ({
    ...f,
    chartSvg: f.chart ? new hb.SafeString(chartSvg(f.chart, { id: f.chartId, title: f.name })) : null,
    chartBucket: f.chart ? formatPeriod(f.chart.bucketSeconds) : '',
  }));
  const headlineChart = new hb.SafeString(headlineChartSvg(model.totals, 'chart-headline'));
  const context = omitSummaryRows ? { ...view, detailed, headlineChart, [SUMMARY_ROWS_OMITTED]: true } : { ...view, detailed, headlineChart };
  return { html: template(context), summary: view.summaryFunctions };
}
