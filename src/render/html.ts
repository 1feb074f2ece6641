import type Handlebars from 'handlebars';
import type { CapacityProviderPlan, ChartSeries, FunctionReport, ReportModel } from '../report/types.js';
import { concurrencyChartSvg, headlineChartSvg, type ConcurrencyChartOptions } from './charts.js';
import { formatPeriod } from './format.js';
import { capacityProviderSnippet, clearSnippetMemo, snippetAccountId, type CapacityProviderSnippet, type FunctionSnippet, type SnippetPlan } from './snippets.js';
import { htmlEngine, SUMMARY_ROWS_OMITTED } from './templates.js';
import { buildView, type FunctionView, type PlanView } from './view-model.js';

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
  /** Names this svg in the keys of the sections that hold it: one serial per chart drawn. */
  serial: number;
}
let chartSerial = 0;
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

function chartSvg(series: ChartSeries, options: ConcurrencyChartOptions): KeptChart {
  const key = `${options.id}\u0000${options.title}\u0000${series.bucketSeconds}\u0000${series.start}`;
  const now = chartsNow.get(key);
  let kept = findChart(now, series) ?? findChart(chartsBefore.get(key), series);
  if (kept === undefined) {
    kept = {
      concurrencyMax: series.concurrencyMax.slice(),
      lmiCapacity: series.lmiCapacity.slice(),
      throttled: series.throttled.slice(),
      svg: concurrencyChartSvg(series, options),
      serial: ++chartSerial,
    };
  }
  if (now === undefined) chartsNow.set(key, [kept]);
  else if (!now.includes(kept)) now.push(kept);
  return kept;
}

/**
 * A part of the report's markup kept between renders: a plan's head, a plan's commands, a
 * function's section but its head line (inside its <article>). The what-if page renders the
 * report again on every knob change, and most of these come out the same (a discount moves a
 * plan's money, not its commands; a verdict threshold moves few sections). Each is the output of
 * its own writer (planHeadHtml, planBodyHtml; templates/partials/html-function.hbs)
 * for a context built here, kept under a key that holds that whole context: a hit is the very
 * markup a render from scratch writes.
 */
interface MarkupPiece {
  readonly html: string;
}

/** Pieces of the last two renders by key: two generations bound the memory to two renders' pieces. */
class PieceCache {
  private now = new Map<string, MarkupPiece>();
  private before = new Map<string, MarkupPiece>();

  /** A new render: what the one before last kept is dropped. */
  turn(): void {
    this.before = this.now;
    this.now = new Map();
  }

  clear(): void {
    this.now = new Map();
    this.before = new Map();
  }

  get(key: string, write: () => string): MarkupPiece {
    let piece = this.now.get(key) ?? this.before.get(key);
    if (piece === undefined) {
      const html = write();
      // Flattened once here (V8 flattens a string built by concatenation on charCodeAt): a kept
      // piece left as a rope was walked again, node by node, by every later report's flattening.
      html.charCodeAt(0);
      piece = { html };
    }
    this.now.set(key, piece);
    return piece;
  }
}

const planHeads = new PieceCache();
const planBodies = new PieceCache();
const sections = new PieceCache();

/** Forgets the charts and pieces kept from earlier renders (tests compare a cold render with a warm one). */
export function clearRenderMemo(): void {
  chartsNow = new Map();
  chartsBefore = new Map();
  planHeads.clear();
  planBodies.clear();
  sections.clear();
  clearSnippetMemo();
}

/** -0, NaN and the infinities, which JSON writes as 0 and null. */
function isOddNumber(v: unknown): boolean {
  return typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0));
}

/** A JSON key in which -0, NaN and the infinities stay apart from 0 and null. */
function exactKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isOddNumber(v) ? { number: Object.is(v, -0) ? '-0' : String(v) } : v));
}

/** The key of a plan's commands: JSON as it is when every number is one JSON keeps apart (the common case: no replacer, 5x faster). */
function snippetKey(functions: PlanView['functions'], input: SnippetPlan, accountId: string): string {
  let odd = isOddNumber(input.maxVCpuCount);
  for (const f of input.functionSettings) {
    if (odd) break;
    odd = isOddNumber(f.memoryMB) || isOddNumber(f.memoryGiBPerVCpu) || isOddNumber(f.perEnvironmentConcurrency) || isOddNumber(f.minEnvironments) || isOddNumber(f.maxEnvironments);
  }
  const parts = [functions, input, accountId];
  return odd ? exactKey(parts) : JSON.stringify(parts);
}

/**
 * The context of a function's section (html-function.hbs reads these alone), but its chart. Its
 * rank and verdict are in its head (html-function-head.hbs), not here: they move with other
 * functions' figures, and a section's key holds its whole context.
 */
function sectionContext(f: FunctionView) {
  return {
    name: f.name,
    region: f.region,
    runtime: f.runtime,
    architecture: f.architecture,
    memory: f.memory,
    capacityProvider: f.capacityProvider,
    alreadyOnLmi: f.alreadyOnLmi,
    tags: f.tags,
    reasons: f.reasons,
    risks: f.risks,
    blockers: f.blockers,
    costLines: f.costLines,
    breakEven: f.breakEven,
    usage: f.usage,
    lmi: f.lmi,
    chartBucket: f.chart ? formatPeriod(f.chart.bucketSeconds) : '',
  };
}

/** The context of a function's head (html-function-head.hbs reads these alone). */
function functionHeadContext(f: FunctionView): Pick<FunctionView, 'rank' | 'name' | 'region' | 'recommendation' | 'recommendationLabel' | 'verdictText'> {
  return { rank: f.rank, name: f.name, region: f.region, recommendation: f.recommendation, recommendationLabel: f.recommendationLabel, verdictText: f.verdictText };
}

/** The context of a plan's head (planHeadHtml reads these alone). */
type PlanHeadContext = Pick<PlanView, 'name' | 'savings' | 'region' | 'architecture' | 'instanceType' | 'trustGroup' | 'facts' | 'money'>;

function planHeadContext(p: PlanView): PlanHeadContext {
  return { name: p.name, savings: p.savings, region: p.region, architecture: p.architecture, instanceType: p.instanceType, trustGroup: p.trustGroup, facts: p.facts, money: p.money };
}

/**
 * A plan's head (its name, savings, facts and money tables), every value escaped as {{ }} does
 * (the same escapeExpression), written by hand as summaryRowHtml writes a row: a plan's money
 * moves with most knobs and a change can bring hundreds of new plans (380 on headroom=1.5 at
 * 10,000 functions: 0.4 ms in Node against 1.4 ms with the Handlebars partial it replaces, and
 * less garbage).
 */
export function planHeadHtml(hb: typeof Handlebars, p: PlanHeadContext): string {
  const e = (value: string): string => hb.escapeExpression(value);
  const rows = (list: PlanView['facts']): string => {
    let html = '';
    for (const r of list) html += `<tr><th scope="row">${e(r.label)}</th><td>${e(r.value)}</td></tr>\n`;
    return html;
  };
  return (
    `<header><h3 class="name">${e(p.name)}</h3><span class="headline-savings verdict-migrate">LMI saves ${e(p.savings)} / month</span></header>\n` +
    `<p class="meta">${e(p.region)} · ${e(p.architecture)} · ${e(p.instanceType)}${p.trustGroup ? ` · trust group <code>${e(p.trustGroup)}</code>` : ''}</p>\n` +
    `<div class="grid2">\n<div class="table-wrap"><table class="kv"><tbody>\n${rows(p.facts)}</tbody></table></div>\n` +
    `<div class="table-wrap"><table class="kv"><tbody>\n${rows(p.money)}</tbody></table></div>\n</div>\n`
  );
}

/**
 * A plan's body (its functions' table and the commands that apply it), every value escaped as
 * {{ }} does, written by hand as planHeadHtml: a re-sizing change moves every plan's function
 * settings, so all its bodies (1.5 MB at 10,000 functions) are written again: 4.8 ms in Node
 * against 7.0 ms with the Handlebars partial it replaces (the rest is escaping the commands).
 */
export function planBodyHtml(hb: typeof Handlebars, functions: PlanView['functions'], snippet: Pick<CapacityProviderSnippet, 'createCommand' | 'logicalId' | 'cloudFormation' | 'capacityProviderArn'> & { functions: readonly Pick<FunctionSnippet, 'commands'>[] }): string {
  const e = (value: string): string => hb.escapeExpression(value);
  let html =
    '<h4>Functions on it</h4>\n<div class="table-wrap"><table class="wide">\n' +
    '<thead><tr><th>Function</th><th class="num">Memory</th><th class="num">Memory / vCPU</th><th class="num">Concurrency / environment</th><th class="num">Min env.</th><th class="num">Max env.</th></tr></thead>\n<tbody>\n';
  for (const f of functions) {
    const name = e(f.name);
    html +=
      `<tr><td class="name">${f.anchor ? `<a href="#${e(f.anchor)}">${name}</a>` : name}</td><td class="num">${e(f.memory)}</td><td class="num">${e(f.ratio)}</td>` +
      `<td class="num">${e(f.concurrency)}</td><td class="num">${e(f.minEnvironments)}</td><td class="num">${e(f.maxEnvironments)}</td></tr>\n`;
  }
  html +=
    '</tbody></table></div>\n<h4>Apply it</h4>\n<p>1. Create the capacity provider:</p>\n' +
    `<pre><code>${e(snippet.createCommand)}</code></pre>\n` +
    '<p>2. Attach each function, publish a version (only published versions run on LMI) and set its scaling:</p>\n';
  for (const f of snippet.functions) html += `<pre><code>${e(f.commands)}</code></pre>\n`;
  return (
    html +
    `<p>3. Or declare it in the <code>resources:</code> section of serverless.yml (logical id <code>${e(snippet.logicalId)}</code>):</p>\n` +
    `<pre><code>${e(snippet.cloudFormation)}</code></pre>\n` +
    `<p class="meta">Capacity provider ARN: <code>${e(snippet.capacityProviderArn)}</code></p>\n`
  );
}

/** What a plan's commands are written from (planBodyHtml reads `functions` and the snippet of these). */
function snippetPlan(plan: CapacityProviderPlan): SnippetPlan {
  return {
    name: plan.name,
    region: plan.region,
    architecture: plan.architecture,
    instanceType: plan.instanceType,
    maxVCpuCount: plan.maxVCpuCount,
    functionSettings: plan.functionSettings,
  };
}

interface Pieces {
  hb: typeof Handlebars;
  section: Handlebars.TemplateDelegate;
  sectionHead: Handlebars.TemplateDelegate;
}

const engines = new WeakMap<typeof Handlebars, Pieces>();

/** The pieces' templates, compiled as the report's (the same instance, helpers and options). */
function pieceTemplates(): Pieces & { template: Handlebars.TemplateDelegate } {
  const { hb, template } = htmlEngine();
  let pieces = engines.get(hb);
  if (pieces === undefined) {
    const compile = (name: string): Handlebars.TemplateDelegate => {
      const source: unknown = hb.partials[name];
      if (typeof source !== 'string') throw new Error(`render: no template partials/${name}.hbs`);
      return hb.compile(source, { strict: false, preventIndent: true });
    };
    pieces = { hb, section: compile('html-function'), sectionHead: compile('html-function-head') };
    engines.set(hb, pieces);
  }
  return { ...pieces, template };
}

/**
 * report.html: one self-contained file (inline CSS, inline SVG, no script, no external resource)
 * from templates/report.html.hbs. Every {{ }} is HTML-escaped by Handlebars; the only unescaped
 * values are the SVG charts, built by charts.ts, which escapes every text it puts in them.
 */
export function renderHtml(model: ReportModel): string {
  return render(model, false, undefined).html;
}

/** The plans a what-if render writes: positions [from, to) of the report's capacity providers. */
export interface PlanRange {
  from: number;
  to: number;
}

/**
 * The what-if page's render: report.html as renderHtml writes it but for the rows of the "Other
 * functions" table (its <tbody> holds only its first line break), and the functions of those rows,
 * in order. The page makes the rows of the page of the table it shows (view-model.ts summaryRow)
 * and brings the table's body to them row by row (src/whatif/table-rows.ts writes each with
 * summaryRowHtml, as the CLI does): at 10,000 functions they were most of the markup it diffed.
 * Of the capacity-provider plans, only those in `plans` (default: all), each as the CLI writes
 * it: the page shows a page of them (a knob can bring hundreds). `planAnchors` are every plan's
 * id, in order, so a link to a plan not written can find its page.
 */
export function renderHtmlWithoutSummaryRows(model: ReportModel, plans?: PlanRange): { html: string; summary: FunctionReport[]; planAnchors: string[] } {
  return render(model, true, plans);
}

function render(model: ReportModel, omitSummaryRows: boolean, planRange: PlanRange | undefined): { html: string; summary: FunctionReport[]; planAnchors: string[] } {
  const { hb, template, section, sectionHead } = pieceTemplates();
  const view = buildView(model, { summaryRows: !omitSummaryRows });
  chartsBefore = chartsNow;
  chartsNow = new Map();
  planHeads.turn();
  planBodies.turn();
  sections.turn();
  const accountId = snippetAccountId(model);
  const from = Math.max(0, planRange?.from ?? 0);
  const to = Math.min(view.plans.length, planRange?.to ?? view.plans.length);
  // Only the plans written: their snippets and pieces are most of a plan's cost.
  const plans = view.plans.slice(from, Math.max(from, to)).map((p, k) => {
    const i = from + k;
    const headContext = planHeadContext(p);
    // Strings (and null) alone: plain JSON is exact.
    const headPiece = planHeads.get(JSON.stringify(headContext), () => planHeadHtml(hb, headContext));
    const input = snippetPlan(model.capacityProviders[i] as CapacityProviderPlan);
    const bodyPiece = planBodies.get(snippetKey(p.functions, input, accountId), () => planBodyHtml(hb, p.functions, capacityProviderSnippet(input, accountId)));
    // Not a spread of the view: that would write its snippet (a getter).
    return { anchor: p.anchor, headPiece, bodyPiece };
  });
  const detailed = view.detailed.map((f) => {
    const chart = f.chart ? chartSvg(f.chart, { id: f.chartId, title: f.name }) : null;
    const context = sectionContext(f);
    // Every field a string or boolean (plain JSON is exact); the chart by its serial.
    const key = `${chart?.serial ?? 0}\u0000${JSON.stringify(context)}`;
    const piece = sections.get(key, () => section({ ...context, chartSvg: chart ? new hb.SafeString(chart.svg) : null }));
    // The head is a line, written every time (not kept, not a piece).
    return { recommendation: f.recommendation, anchor: f.anchor, headPiece: { html: sectionHead(functionHeadContext(f)) }, piece };
  });
  const headlineChart = new hb.SafeString(headlineChartSvg(model.totals, 'chart-headline'));
  const context = omitSummaryRows ? { ...view, plans, detailed, headlineChart, [SUMMARY_ROWS_OMITTED]: true } : { ...view, plans, detailed, headlineChart };
  return { html: template(context, { helpers: pieceHelpers(hb) }), summary: view.summaryFunctions, planAnchors: view.plans.map((p) => p.anchor) };
}

const helpersOf = new WeakMap<typeof Handlebars, Record<string, Handlebars.HelperDelegate>>();

/** {{planHead this}}, {{planBody this}}, {{functionHead this}}, {{functionSection this}}: the pieces render() put in the context. */
function pieceHelpers(hb: typeof Handlebars): Record<string, Handlebars.HelperDelegate> {
  let helpers = helpersOf.get(hb);
  if (helpers === undefined) {
    const piece = (name: string, field: string) => (context: unknown): Handlebars.SafeString => {
      const found = (context as Record<string, MarkupPiece | undefined> | null)?.[field];
      if (found === undefined) throw new Error(`render: {{${name}}} without its markup`);
      return new hb.SafeString(found.html);
    };
    helpers = { planHead: piece('planHead', 'headPiece'), planBody: piece('planBody', 'bodyPiece'), functionHead: piece('functionHead', 'headPiece'), functionSection: piece('functionSection', 'piece') };
    helpersOf.set(hb, helpers);
  }
  return helpers;
}
