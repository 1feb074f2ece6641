import type { ReportModel } from '../report/types.js';
import { concurrencyChartSvg, headlineChartSvg } from './charts.js';
import { formatPeriod } from './format.js';
import { htmlEngine } from './templates.js';
import { buildView } from './view-model.js';

/**
 * report.html: one self-contained file (inline CSS, inline SVG, no script, no external resource)
 * from templates/report.html.hbs. Every {{ }} is HTML-escaped by Handlebars; the only unescaped
 * values are the SVG charts, built by charts.ts, which escapes every text it puts in them.
 */
export function renderHtml(model: ReportModel): string {
  const { hb, template } = htmlEngine();
  const view = buildView(model);
  const detailed = view.detailed.map((f) => ({
    ...f,
    chartSvg: f.chart ? new hb.SafeString(concurrencyChartSvg(f.chart, { id: f.chartId, title: f.name })) : null,
    chartBucket: f.chart ? formatPeriod(f.chart.bucketSeconds) : '',
  }));
  const headlineChart = new hb.SafeString(headlineChartSvg(model.totals, 'chart-headline'));
  return template({ ...view, detailed, headlineChart });
}
