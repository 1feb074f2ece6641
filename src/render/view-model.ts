import { reconciliationView, type ReconciliationView } from './reconciliation-view.js';
import type {
  CapacityProviderPlan,
  ChartSeries,
  FunctionReport,
  Recommendation,
  ReportModel,
} from '../report/types.js';
import { firstReason, RECOMMENDATIONS } from '../report/types.js';
import { VERDICT_DEFINITIONS, VERDICT_LABELS } from '../report/verdicts.js';
import { breakEvenCondition, cpuVCpusUsed, formatVCpus } from '../report/wording.js';
import { type ChartFacts, chartFacts } from './charts.js';
import {
  formatCompact,
  formatDurationMs,
  formatNumber,
  formatPercent,
  formatPeriod,
  formatRatio,
  formatTimestamp,
  formatUsd,
  formatValue,
} from './format.js';
import {
  type CapacityProviderSnippet,
  PLACEHOLDER_HELP,
  REBIND_NOTE,
  CAPS_NOTE,
  capacityProviderSnippet,
  snippetAccountId,
  snippetPlaceholders,
} from './snippets.js';
import { failedRegions, migrateOpportunities, reviewCandidates, verdictKnobs, verdictStory, type VerdictKnobs } from './verdict.js';

/**
 * ReportModel -> the plain data both templates (Markdown and HTML) read: every figure already
 * formatted, every list sorted, and the split between functions that get a section of their own
 * and those summarised in one table. Pure and deterministic.
 */

/** Presentation choices (not model assumptions): where a large account is cut for readability. */
export const VIEW_LIMITS = {
  /** `stay` / `insufficient-data` / `ineligible` functions cheaper than this go to the summary table. */
  summaryMaxStandardUsd: 10,
  /** At most this many per-function sections; the rest are in the summary table (and report.json). */
  maxDetailed: 150,
  /** Rows of the top-opportunities table (migrate only). */
  topFunctions: 10,
  /** Rows of the review table next to it (each with its condition). */
  topReview: 10,
  /** Throttled buckets listed by time in the Markdown chart text. */
  listedThrottledBuckets: 8,
} as const;

/** The verdicts' names, defined once in src/report/verdicts.ts. */
export const RECOMMENDATION_LABELS: Record<Recommendation, string> = VERDICT_LABELS;

export interface Row {
  label: string;
  value: string;
}

export interface CostLine {
  label: string;
  standard: string;
  lmi: string;
  total: boolean;
}

export interface TagView {
  key: string;
  value: string;
}

export interface FunctionView {
  rank: number;
  anchor: string;
  chartId: string;
  name: string;
  region: string;
  runtime: string;
  architecture: string;
  memory: string;
  tags: TagView[];
  trustGroup: string | null;
  capacityProvider: string | null;
  alreadyOnLmi: boolean;
  recommendation: Recommendation;
  recommendationLabel: string;
  reason: string;
  savings: string;
  /** The verdict's headline (src/render/verdict.ts), coloured as the verdict. */
  verdictText: string;
  standardTotal: string;
  lmiTotal: string;
  costLines: CostLine[];
  usage: Row[];
  lmi: Row[];
  breakEven: Row[];
  reasons: string[];
  risks: string[];
  blockers: string[];
  chart: ChartSeries | null;
  chartFacts: ChartFacts | null;
  chartText: Row[];
}

export interface SummaryRow {
  name: string;
  region: string;
  runtime: string;
  recommendationLabel: string;
  standardTotal: string;
  invocations: string;
  reason: string;
}

export interface UnpricedRow {
  name: string;
  region: string;
  runtime: string;
  recommendationLabel: string;
  invocations: string;
  gbSeconds: string;
  peakConcurrency: string;
  reason: string;
}

export interface PlanView {
  anchor: string;
  name: string;
  region: string;
  architecture: string;
  trustGroup: string | null;
  instanceType: string;
  facts: Row[];
  money: Row[];
  savings: string;
  savingsKind: 'gain' | 'loss' | 'unknown';
  functions: {
    name: string;
    anchor: string | null;
    memory: string;
    ratio: string;
    concurrency: string;
    minEnvironments: string;
    maxEnvironments: string;
  }[];
  snippet: CapacityProviderSnippet;
}

export interface ReportView {
  title: string;
  accountId: string;
  complete: boolean;
  generatedAt: string;
  tool: string;
  version: string;
  window: { start: string; end: string; days: string; resolution: string; coarse: boolean };
  prices: { source: string; asOf: string; regions: string; missingRegions: string; hasMissing: boolean; bundledWarning: boolean };
  headline: {
    standardMonth: string;
    standardYear: string;
    recommendedMonth: string;
    recommendedYear: string;
    savingsMonth: string;
    savingsYear: string;
    savingsPct: string;
    savingsKind: 'gain' | 'loss' | 'unknown';
    freeTierCredit: string;
    groupUntaggedExtra: string | null;
    unpricedFunctions: number;
    functionCount: number;
    counts: { recommendation: Recommendation; label: string; count: number }[];
  };
  topPlans: { name: string; anchor: string; region: string; functions: number; standard: string; lmi: string; savings: string }[];
  /** `migrate` only: the only plain savings ranked. */
  topFunctions: { rank: number; name: string; anchor: string | null; region: string; recommendationLabel: string; recommendation: Recommendation; savings: string; reason: string }[];
  /** `review`, each with the condition its saving needs (never a bare figure). */
  topReview: { rank: number; name: string; anchor: string | null; region: string; verdictText: string }[];
  /** More review functions than topReview shows. */
  moreReview: number;
  /** The verdict legend: the definitions of src/report/verdicts.ts. */
  verdicts: { recommendation: Recommendation; label: string; definition: string }[];
  /** Regions whose collection failed (region-failed warnings). */
  failedRegions: string;
  plans: PlanView[];
  placeholderHelp: { placeholder: string; meaning: string }[];
  rebindNote: string;
  capsNote: string;
  detailed: FunctionView[];
  /** The rows of the "Other functions" table; empty when built with `{ summaryRows: false }`. */
  summary: SummaryRow[];
  /** The functions of that table, in its order (summaryRow makes the row of one). */
  summaryFunctions: FunctionReport[];
  summaryNote: string;
  /** Functions whose cost is unknown (reason per row): one compact table with their usage. */
  unpriced: UnpricedRow[];
  assumptions: { key: string; value: string; default: string; changed: boolean; description: string }[];
  dataGaps: string[];
  unknownPeriodFunctions: { name: string; region: string; unknownPeriods: string; share: string }[];
  warnings: { code: string; message: string; where: string }[];
  changes: {
    previousGeneratedAt: string;
    newFunctions: string[];
    removedFunctions: string[];
    changedRecommendations: { name: string; from: string; to: string }[];
    savingsDelta: string;
  } | null;
  reproduce: { command: string; snapshot: string | null; config: string | null };
  /** The Reconciliation section (issue 11); null without --reconcile. */
  reconciliation: ReconciliationView | null;
}

const INIT_NOTE =
  'INIT (cold start) time is billed on standard Lambda since 2025-08-01 but is not part of the CloudWatch ' +
  'Duration metric, so the standard-Lambda cost here is a floor: functions with frequent cold starts cost more ' +
  'than shown, and their savings on LMI (no cold starts on the request path) are understated.';

function kindOf(value: number | null): 'gain' | 'loss' | 'unknown' {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  return value >= 0 ? 'gain' : 'loss';
}

function runtimeLabel(runtime: string | null): string {
  return runtime ?? 'unknown (container image)';
}

/** Savings desc, unknown last; ties by standard cost desc, then region and name (stable). */
export function compareBySavings(a: FunctionReport, b: FunctionReport): number {
  const sa = a.savingsUsd;
  const sb = b.savingsUsd;
  if (sa === null && sb !== null) return 1;
  if (sb === null && sa !== null) return -1;
  if (sa !== null && sb !== null && sa !== sb) return sb - sa;
  const ca = a.standard?.totalUsd ?? -1;
  const cb = b.standard?.totalUsd ?? -1;
  if (ca !== cb) return cb - ca;
  return a.region < b.region ? -1 : a.region > b.region ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Cost unknown (no prices, PC unreadable, a series unknown throughout) and nothing recommended: a section of "unknown" cells
 * says less than one row of its usage in the unknown-cost table.
 */
export function isUnpriced(f: FunctionReport): boolean {
  return f.standard === null && f.recommendation !== 'migrate' && f.recommendation !== 'review';
}

/**
 * A function with nothing to act on: idle, or stay / insufficient-data / ineligible at a small,
 * known cost and no stated risk. Unknown cost is never "small".
 */
export function isRoutine(f: FunctionReport): boolean {
  if (f.usage.invocations === 0 && f.standard !== null) return true;
  if (f.recommendation === 'migrate' || f.recommendation === 'review') return false;
  if (f.standard === null) return false;
  return f.standard.totalUsd < VIEW_LIMITS.summaryMaxStandardUsd && f.risks.length === 0;
}

function costLines(f: FunctionReport): CostLine[] {
  const s = f.standard;
  const l = f.lmi;
  const std = (v: number | undefined): string => (s ? formatUsd(v ?? null) : 'unknown');
  const lmi = (v: number | undefined): string => (l ? formatUsd(v ?? null) : 'unknown');
  const na = 'n/a';
  const instances = l?.instanceType
    ? `EC2 instances (${formatNumber(l.instanceHours)} h of ${l.instanceType})`
    : 'EC2 instances';
  // PC-duration on its own line when the report has it (older reports fold it into the PC line).
  const pcDuration = s?.provisionedDurationUsd;
  const noPc = s !== null && s.provisionedConcurrencyUsd === 0 && (f.provisionedConcurrency ?? 0) === 0;
  const pcLines: CostLine[] = noPc
    ? [{ label: 'Provisioned concurrency', standard: std(0), lmi: na, total: false }]
    : s && pcDuration === undefined
      ? [{ label: 'Provisioned concurrency (incl. its duration)', standard: std(s.provisionedConcurrencyUsd), lmi: na, total: false }]
      : [
          {
            label: 'Provisioned concurrency (configured)',
            standard: s && pcDuration !== undefined ? std(s.provisionedConcurrencyUsd - pcDuration) : std(undefined),
            lmi: na,
            total: false,
          },
          { label: 'Duration on provisioned concurrency', standard: std(pcDuration), lmi: na, total: false },
        ];
  return [
    { label: 'Requests', standard: std(s?.requestsUsd), lmi: lmi(l?.requestsUsd), total: false },
    { label: 'Duration (on demand)', standard: std(s?.durationUsd), lmi: na, total: false },
    ...pcLines,
    { label: 'Ephemeral storage above 512 MB', standard: std(s?.ephemeralStorageUsd), lmi: na, total: false },
    { label: instances, standard: na, lmi: lmi(l?.ec2Usd), total: false },
    { label: 'LMI management fee', standard: na, lmi: lmi(l?.managementFeeUsd), total: false },
    { label: 'Total per month', standard: std(s?.totalUsd), lmi: lmi(l?.totalUsd), total: true },
  ];
}

function usageRows(f: FunctionReport, windowDays: string): Row[] {
  const u = f.usage;
  const rows: Row[] = [
    { label: `Invocations (${windowDays} days)`, value: formatNumber(u.invocations) },
    { label: 'Billed GB-seconds', value: formatNumber(u.gbSeconds) },
    { label: 'Average duration', value: formatDurationMs(u.avgDurationMs) },
    { label: 'Peak concurrency', value: formatNumber(u.peakConcurrency, u.peakConcurrency !== null && u.peakConcurrency < 10 ? 1 : 0) },
    { label: 'Average concurrency', value: formatNumber(u.avgConcurrency, 1) },
    { label: 'Utilization (average / peak)', value: formatPercent(u.utilization) },
  ];
  if (u.unknownPeriods > 0) rows.push({ label: 'Unknown periods', value: formatNumber(u.unknownPeriods) });
  if (f.provisionedConcurrency === null) rows.push({ label: 'Provisioned concurrency', value: 'unknown' });
  else if (f.provisionedConcurrency > 0) rows.push({ label: 'Provisioned concurrency', value: formatNumber(f.provisionedConcurrency) });
  return rows;
}

function lmiRows(f: FunctionReport): Row[] {
  const l = f.lmi;
  if (!l) return [];
  const cpuSource: Record<string, string> = {
    measured: 'measured (Lambda Insights)',
    bound: 'safe upper bound (duration x vCPU share)',
    'bound-single-threaded': 'bound (single-threaded assumption, lmi.cpuBound)',
    assumed: `assumed (${l.cpuAssumedBy ?? 'lmi.cpuBusyFraction'})`,
  };
  const memory =
    l.memoryMB !== f.memoryMB ? `${formatNumber(l.memoryMB)} MB (raised from ${formatNumber(f.memoryMB)} MB)` : `${formatNumber(l.memoryMB)} MB`;
  const rows: Row[] = [
    { label: 'Instance type', value: l.instanceType ?? 'unknown' },
    { label: 'Function memory on LMI', value: memory },
    { label: 'Memory per vCPU', value: `${formatNumber(l.memoryGiBPerVCpu)} GiB (${formatNumber(l.vCpusPerEnvironment, 2)} vCPU per environment)` },
    { label: 'Concurrency per environment', value: `${formatNumber(l.perEnvironmentConcurrency)} (limited by ${l.concurrencyLimitedBy})` },
    { label: 'Execution environments min / avg / max', value: `${formatNumber(l.minEnvironments)} / ${formatNumber(l.avgEnvironments, 1)} / ${formatNumber(l.maxEnvironments)}` },
    { label: 'Instances avg / peak', value: `${formatNumber(l.avgInstances, 1)} / ${formatNumber(l.peakInstances)}` },
    { label: 'Instance-hours per month', value: formatNumber(l.instanceHours) },
    { label: 'Throttled invocations in the replay', value: formatNumber(l.throttledInvocations) },
    { label: 'CPU per invocation', value: `${l.cpuSecondsPerInvocation === null ? 'unknown (no known duration)' : `${formatNumber(l.cpuSecondsPerInvocation * 1000, 1)} ms`}, ${cpuSource[l.cpuSource] ?? l.cpuSource}` },
  ];
  if (l.processMemorySource) rows.push({ label: 'Python process memory', value: l.processMemorySource });
  return rows;
}

/** "the sizing used 1.70 vCPUs", next to the break-even in its unit; null when unknown. */
function usedVCpus(f: FunctionReport): string | null {
  const used = f.lmi ? cpuVCpusUsed(f.lmi.cpuSecondsPerInvocation, f.usage.avgDurationMs) : null;
  return used === null ? null : `the sizing used ${formatVCpus(used)}`;
}

/**
 * The break-even is the top of the priced CPU grid (1 vCPU or the figure used, whichever is more)
 * when LMI is cheaper even there: then it is a floor, not a threshold (src/model/break-even.ts).
 */
function breakEvenAtTop(f: FunctionReport, share: number): boolean {
  const used = f.lmi ? cpuVCpusUsed(f.lmi.cpuSecondsPerInvocation, f.usage.avgDurationMs) : null;
  return f.savingsUsd !== null && f.savingsUsd > 0 && share >= Math.max(1, used ?? 1) - 1e-9;
}

function breakEvenRows(f: FunctionReport): Row[] {
  const rows: Row[] = [];
  const share = f.lmi?.breakEvenCpuShare ?? null;
  rows.push({
    label: 'Break-even CPU share',
    value:
      f.lmi === null
        ? 'unknown'
        : share === null
          ? 'none: LMI is not cheaper even at 1 % CPU'
          : breakEvenAtTop(f, share)
            ? `LMI is cheaper at every CPU figure priced, up to ${formatVCpus(share)} busy on average${usedVCpus(f) ? ` (${usedVCpus(f)})` : ''}`
            : `LMI is cheaper if ${breakEvenCondition(share, usedVCpus(f))}`,
  });
  rows.push({
    label: 'Break-even traffic',
    value:
      f.breakEvenInvocationsPerMonth !== null
        ? `${formatCompact(f.breakEvenInvocationsPerMonth)} invocations per month (same traffic shape)`
        : f.savingsUsd === null
          ? 'unknown'
          : f.savingsUsd > 0
            ? 'none: LMI is cheaper at any traffic from 0.01x to 100x today\'s'
            : 'none: LMI is not cheaper at any traffic from 0.01x to 100x today\'s',
  });
  rows.push({ label: 'Busy-time premium (standard per busy GB-hour / LMI per GB-hour)', value: formatRatio(f.busyTimePremium) });
  return rows;
}

function bucketTime(series: ChartSeries, index: number): string {
  const start = Date.parse(series.start);
  if (Number.isNaN(start)) return `bucket ${index + 1}`;
  return formatTimestamp(new Date(start + index * series.bucketSeconds * 1000).toISOString());
}

function chartTextRows(series: ChartSeries, facts: ChartFacts): Row[] {
  // Only the buckets listed are written out (a throttled window has hundreds).
  const listed: string[] = [];
  let throttled = 0;
  series.throttled.forEach((t, i) => {
    if (!t) return;
    throttled++;
    if (listed.length < VIEW_LIMITS.listedThrottledBuckets) listed.push(bucketTime(series, i));
  });
  const more = throttled - listed.length;
  return [
    { label: 'Buckets', value: `${facts.buckets} of ${formatPeriod(series.bucketSeconds)} from ${formatTimestamp(series.start)}` },
    { label: 'Peak concurrency (max per bucket)', value: formatNumber(facts.peakConcurrency) },
    {
      label: 'Replayed LMI capacity',
      value:
        facts.capacityMin === null
          ? 'not modelled'
          : `${formatNumber(facts.capacityMin)} to ${formatNumber(facts.capacityMax)} concurrent requests`,
    },
    {
      label: 'Throttled buckets',
      value: facts.throttledBuckets === 0 ? 'none' : `${facts.throttledBuckets}: ${listed.join(', ')}${more > 0 ? `, and ${more} more` : ''}`,
    },
    { label: 'Unknown buckets', value: facts.unknownBuckets === 0 ? 'none' : String(facts.unknownBuckets) },
  ];
}

function planOf(model: ReportModel): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of model.capacityProviders) {
    for (const name of p.functions) map.set(`${p.region}\u0000${name}`, p.name);
  }
  return map;
}

/**
 * A plan's view. Its snippet is written when first read: the what-if page's render keeps the
 * markup of a plan's commands while their inputs are the same (src/render/html.ts), and writing
 * every plan's snippets on each change was a fifth of its render.
 */
function planView(p: CapacityProviderPlan, anchor: string, accountId: string, anchors: Map<string, string>): PlanView {
  const savings = p.standardTotalUsd - p.totalUsd;
  let snippet: CapacityProviderSnippet | undefined;
  const view: Omit<PlanView, 'snippet'> = {
    anchor,
    name: p.name,
    region: p.region,
    architecture: p.architecture,
    trustGroup: p.trustGroup,
    instanceType: p.instanceType,
    facts: [
      { label: 'Region', value: p.region },
      { label: 'Architecture', value: p.architecture },
      { label: 'Instance type', value: p.instanceType },
      { label: 'Memory per vCPU', value: `${formatNumber(p.memoryGiBPerVCpu)} GiB` },
      { label: 'Instances avg / peak', value: `${formatNumber(p.avgInstances, 1)} / ${formatNumber(p.peakInstances)}` },
      { label: 'Instance-hours per month', value: formatNumber(p.instanceHours) },
      { label: 'MaxVCpuCount', value: formatNumber(p.maxVCpuCount) },
    ],
    money: [
      { label: 'EC2 instances', value: formatUsd(p.ec2Usd) },
      { label: 'Management fee', value: formatUsd(p.managementFeeUsd) },
      { label: 'Requests', value: formatUsd(p.requestsUsd) },
      { label: 'Total on LMI per month', value: formatUsd(p.totalUsd) },
      { label: 'Same functions on standard Lambda', value: formatUsd(p.standardTotalUsd) },
      { label: 'Each function on a provider of its own', value: formatUsd(p.dedicatedTotalUsd) },
    ],
    savings: formatUsd(savings),
    savingsKind: kindOf(savings),
    functions: p.functionSettings.map((s) => ({
      name: s.name,
      anchor: anchors.get(`${p.region}\u0000${s.name}`) ?? null,
      memory: `${formatNumber(s.memoryMB)} MB`,
      ratio: `${formatNumber(s.memoryGiBPerVCpu)} GiB`,
      concurrency: formatNumber(s.perEnvironmentConcurrency),
      minEnvironments: formatNumber(s.minEnvironments),
      maxEnvironments: formatNumber(s.maxEnvironments),
    })),
  };
  return Object.defineProperty(view, 'snippet', {
    enumerable: true,
    get: (): CapacityProviderSnippet => (snippet ??= capacityProviderSnippet(p, accountId)),
  }) as PlanView;
}

/** One row of the "Other functions" table. */
export function summaryRow(f: FunctionReport): SummaryRow {
  return {
    name: f.name,
    region: f.region,
    runtime: runtimeLabel(f.runtime),
    recommendationLabel: RECOMMENDATION_LABELS[f.recommendation],
    standardTotal: formatUsd(f.standard?.totalUsd ?? null),
    invocations: formatNumber(f.usage.invocations),
    reason: firstReason(f),
  };
}

/**
 * `summaryRows: false` leaves `summary` empty: the what-if page makes the rows of the page of the
 * table it shows only (summaryRow over summaryFunctions), not the ~9,800 of a 10,000-function account.
 */
export interface BuildViewOptions {
  summaryRows?: boolean;
}

/**
 * Text as a part of an element id and URL fragment: [A-Za-z0-9_-] as they are, any other UTF-16
 * unit as `.` and its 4 hex digits (so two texts never give one id, and the id holds no space,
 * quote or parenthesis: it goes in href="#..." and in SVG url(#...)).
 */
export function idPart(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95) out += text[i];
    else out += `.${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/**
 * A function section's id, from its region and name (the report's key of a function): the same
 * for the same function in every report, whatever its rank, so a link into a report (or a what-if
 * change, which moves ranks) keeps pointing at it. The region part holds no `/`.
 */
export function functionAnchor(region: string, name: string): string {
  return `fn-${idPart(region)}/${idPart(name)}`;
}

/** `id`, or if a report already used it (it should not: names are unique), `id` and a number. */
function uniqueId(id: string, taken: Set<string>): string {
  let out = id;
  for (let k = 2; taken.has(out); k++) out = `${id}~${k}`;
  taken.add(out);
  return out;
}

export function buildView(model: ReportModel, options: BuildViewOptions = {}): ReportView {
  const knobs: VerdictKnobs = verdictKnobs(model);
  const failed = failedRegions(model);
  const days = formatNumber(model.window.hours / 24, model.window.hours % 24 === 0 ? 0 : 1);
  const sorted = [...model.functions].sort(compareBySavings);
  const detailedFns: FunctionReport[] = [];
  const summaryFns: FunctionReport[] = [];
  const unpricedFns: FunctionReport[] = [];
  for (const f of sorted) {
    if (isUnpriced(f)) unpricedFns.push(f);
    else if (!isRoutine(f) && detailedFns.length < VIEW_LIMITS.maxDetailed) detailedFns.push(f);
    else summaryFns.push(f);
  }
  // Unknown invocations (null) sort after every known count.
  unpricedFns.sort((a, b) => (b.usage.invocations ?? -1) - (a.usage.invocations ?? -1) || compareBySavings(a, b));
  const plans = planOf(model);
  const anchors = new Map<string, string>();
  const taken = new Set<string>();
  for (const f of detailedFns) anchors.set(`${f.region}\u0000${f.name}`, uniqueId(functionAnchor(f.region, f.name), taken));

  const detailed: FunctionView[] = detailedFns.map((f, i) => {
    const facts = f.chart ? chartFacts(f.chart) : null;
    const anchor = anchors.get(`${f.region}\u0000${f.name}`) as string;
    return {
      rank: i + 1,
      anchor,
      chartId: `chart-${anchor}`,
      name: f.name,
      region: f.region,
      runtime: runtimeLabel(f.runtime),
      architecture: f.architecture,
      memory: `${formatNumber(f.memoryMB)} MB`,
      tags: Object.keys(f.tags)
        .sort()
        .map((key) => ({ key, value: f.tags[key] ?? '' })),
      trustGroup: f.trustGroup,
      capacityProvider: plans.get(`${f.region}\u0000${f.name}`) ?? null,
      alreadyOnLmi: f.alreadyOnLmi,
      recommendation: f.recommendation,
      recommendationLabel: RECOMMENDATION_LABELS[f.recommendation],
      reason: firstReason(f),
      savings: formatUsd(f.savingsUsd),
      verdictText: verdictStory(f, knobs).headline,
      standardTotal: formatUsd(f.standard?.totalUsd ?? null),
      lmiTotal: formatUsd(f.lmi?.totalUsd ?? null),
      costLines: costLines(f),
      usage: usageRows(f, days),
      lmi: lmiRows(f),
      breakEven: breakEvenRows(f),
      reasons: f.reasons,
      risks: f.risks,
      blockers: f.lmi?.blockers ?? [],
      chart: f.chart,
      chartFacts: facts,
      chartText: f.chart && facts ? chartTextRows(f.chart, facts) : [],
    };
  });

  const summary: SummaryRow[] = options.summaryRows === false ? [] : summaryFns.map(summaryRow);
  const cut = sorted.filter((f) => !isRoutine(f) && !isUnpriced(f)).length - detailedFns.length;
  const unpriced: UnpricedRow[] = unpricedFns.map((f) => ({
    name: f.name,
    region: f.region,
    runtime: runtimeLabel(f.runtime),
    recommendationLabel: RECOMMENDATION_LABELS[f.recommendation],
    invocations: formatNumber(f.usage.invocations),
    gbSeconds: formatNumber(f.usage.gbSeconds),
    peakConcurrency: formatNumber(f.usage.peakConcurrency),
    reason: firstReason(f),
  }));

  const accountId = snippetAccountId(model);
  const planViews = model.capacityProviders.map((p) => planView(p, uniqueId(`cp-${idPart(p.name)}`, taken), accountId, anchors));
  // Every snippet has the placeholders of its account id.
  const placeholders = planViews.length > 0 ? snippetPlaceholders(accountId) : [];

  const t = model.totals;
  const savingsPct = t.standardUsd > 0 ? t.savingsUsd / t.standardUsd : null;
  const topFunctions = migrateOpportunities(sorted)
    .slice(0, VIEW_LIMITS.topFunctions)
    .map((f, i) => ({
      rank: i + 1,
      name: f.name,
      anchor: anchors.get(`${f.region}\u0000${f.name}`) ?? null,
      region: f.region,
      recommendation: f.recommendation,
      recommendationLabel: RECOMMENDATION_LABELS[f.recommendation],
      savings: formatUsd(f.savingsUsd),
      reason: firstReason(f),
    }));
  const reviews = reviewCandidates(sorted);
  const topReview = reviews.slice(0, VIEW_LIMITS.topReview).map((f, i) => ({
    rank: i + 1,
    name: f.name,
    anchor: anchors.get(`${f.region}\u0000${f.name}`) ?? null,
    region: f.region,
    verdictText: verdictStory(f, knobs).headline,
  }));
  const topPlans = planViews
    .map((p, i) => ({ p, plan: model.capacityProviders[i] as CapacityProviderPlan }))
    .sort((a, b) => b.plan.standardTotalUsd - b.plan.totalUsd - (a.plan.standardTotalUsd - a.plan.totalUsd) || (a.p.name < b.p.name ? -1 : 1))
    .map(({ p, plan }) => ({
      name: p.name,
      anchor: p.anchor,
      region: p.region,
      functions: plan.functions.length,
      standard: formatUsd(plan.standardTotalUsd),
      lmi: formatUsd(plan.totalUsd),
      savings: p.savings,
    }));

  const dataGaps: string[] = [INIT_NOTE];
  if (!model.run.complete) dataGaps.unshift('This run is INCOMPLETE: a region, an API call or the run itself failed. Do not treat the totals as the whole account.');
  if (failed.length > 0) dataGaps.splice(model.run.complete ? 0 : 1, 0, `Regions not collected (their functions are missing): ${failed.join(', ')}.`);
  if (model.prices.missingRegions.length > 0) {
    dataGaps.push(`No prices for ${model.prices.missingRegions.join(', ')}: functions there have unknown cost and are left out of the totals.`);
  }
  if (t.unpricedFunctions > 0) {
    const what = t.unpricedFunctions === 1 ? '1 function is' : `${t.unpricedFunctions} functions are`;
    dataGaps.push(`${what} left out of the money totals (cost unknown, or already on LMI).`);
  }
  if (model.window.periodSeconds > 60) {
    dataGaps.push(`Data resolution is ${formatPeriod(model.window.periodSeconds)}: bursts shorter than that are averaged away, so throttling estimates are weaker.`);
  }
  if (model.prices.source === 'bundled') dataGaps.push(`Prices come from the bundled price snapshot of ${model.prices.asOf}, not from the live Price List API.`);
  const unknownPeriodFunctions = [...model.functions]
    .filter((f) => (f.usage.unknownPeriods ?? 0) > 0)
    .sort((a, b) => (b.usage.unknownPeriods ?? 0) - (a.usage.unknownPeriods ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => {
      const periods = Math.round((model.window.hours * 3600) / model.window.periodSeconds);
      return {
        name: f.name,
        region: f.region,
        unknownPeriods: formatNumber(f.usage.unknownPeriods),
        share: periods > 0 ? formatPercent((f.usage.unknownPeriods ?? 0) / periods) : 'unknown',
      };
    });

  const assumptions = model.assumptions.map((a) => ({
    key: a.key,
    value: formatValue(a.value),
    default: formatValue(a.default),
    changed: JSON.stringify(a.value) !== JSON.stringify(a.default),
    description: a.description,
  }));

  const warnings = model.warnings
    .filter((w) => w.code !== 'init-not-in-duration')
    .map((w) => ({
      code: w.code,
      message: w.message,
      where: [w.region, w.function].filter((x): x is string => typeof x === 'string' && x.length > 0).join(' / '),
    }));

  const changes = model.changes
    ? {
        previousGeneratedAt: formatTimestamp(model.changes.previousGeneratedAt),
        newFunctions: model.changes.newFunctions,
        removedFunctions: model.changes.removedFunctions,
        changedRecommendations: model.changes.changedRecommendations.map((c) => ({
          name: c.function,
          from: RECOMMENDATION_LABELS[c.from],
          to: RECOMMENDATION_LABELS[c.to],
        })),
        savingsDelta: formatUsd(model.changes.savingsDeltaUsd),
      }
    : null;

  return {
    title: `LMI advisor report, account ${model.accountId}`,
    accountId: model.accountId,
    complete: model.run.complete,
    generatedAt: formatTimestamp(model.run.generatedAt),
    tool: model.run.tool,
    version: model.run.version,
    window: {
      start: formatTimestamp(model.window.start),
      end: formatTimestamp(model.window.end),
      days,
      resolution: formatPeriod(model.window.periodSeconds),
      coarse: model.window.periodSeconds > 60,
    },
    prices: {
      source: model.prices.source,
      asOf: model.prices.asOf,
      regions: model.prices.regions.length > 0 ? model.prices.regions.join(', ') : '(none)',
      missingRegions: model.prices.missingRegions.join(', '),
      hasMissing: model.prices.missingRegions.length > 0,
      bundledWarning: model.prices.source === 'bundled',
    },
    headline: {
      standardMonth: formatUsd(t.standardUsd),
      standardYear: formatUsd(t.standardUsd * 12),
      recommendedMonth: formatUsd(t.recommendedUsd),
      recommendedYear: formatUsd(t.recommendedUsd * 12),
      savingsMonth: formatUsd(t.savingsUsd),
      savingsYear: formatUsd(t.savingsUsd * 12),
      savingsPct: formatPercent(savingsPct),
      savingsKind: kindOf(t.savingsUsd),
      freeTierCredit: formatUsd(t.freeTierCreditUsd),
      // Only a real saving is worth a sentence: grouping that saves nothing is not news.
      groupUntaggedExtra:
        t.groupUntaggedExtraSavingsUsd !== null && t.groupUntaggedExtraSavingsUsd >= 0.005 ? formatUsd(t.groupUntaggedExtraSavingsUsd) : null,
      unpricedFunctions: t.unpricedFunctions,
      functionCount: model.functions.length,
      counts: RECOMMENDATIONS.map((r) => ({ recommendation: r, label: RECOMMENDATION_LABELS[r], count: t.counts[r] ?? 0 })),
    },
    topPlans,
    topFunctions,
    topReview,
    moreReview: reviews.length - topReview.length,
    verdicts: RECOMMENDATIONS.map((r) => ({ recommendation: r, label: VERDICT_LABELS[r], definition: VERDICT_DEFINITIONS[r] })),
    failedRegions: failed.join(', '),
    plans: planViews,
    placeholderHelp: PLACEHOLDER_HELP.filter((h) => placeholders.includes(h.placeholder)),
    rebindNote: REBIND_NOTE,
    capsNote: CAPS_NOTE,
    detailed,
    summary,
    summaryFunctions: summaryFns,
    unpriced,
    summaryNote:
      cut > 0
        ? `${cut} more function(s) with something to say did not get a section of their own (limit ${VIEW_LIMITS.maxDetailed}); they are in this table and in report.json.`
        : `Idle functions, and stay / insufficient-data / ineligible functions under ${formatUsd(VIEW_LIMITS.summaryMaxStandardUsd)} per month with no risk, are summarised here.`,
    assumptions,
    dataGaps,
    unknownPeriodFunctions,
    warnings,
    changes,
    reproduce: { command: model.run.command, snapshot: model.run.snapshot ?? null, config: model.run.config ?? null },
    reconciliation: reconciliationView(model),
  };
}
