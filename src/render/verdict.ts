import type { FunctionReport, Recommendation, ReportModel } from '../report/types.js';
import { VERDICT_LABELS } from '../report/verdicts.js';
import { breakEvenCondition, cpuVCpusUsed, formatVCpus, throttledPhrase } from '../report/wording.js';
import { formatPercent, formatUsd } from './format.js';

/**
 * One story per function, told the same way by every renderer (HTML, Markdown, Slack, email, CLI
 * summary): the verdict, its colour, and one headline that puts the money and the reason for the
 * verdict side by side. A `review` saving is never told without its condition; a `stay` whose LMI
 * is cheaper says why it stays. The rules themselves are in src/model/recommend.ts and defined in
 * src/report/verdicts.ts.
 */

/** One colour per verdict (light theme), the same in the HTML report, the email and the badges. */
export const VERDICT_COLOURS: Record<Recommendation, string> = {
  migrate: '#1e7b46',
  review: '#a15c00',
  stay: '#5f6368',
  'insufficient-data': '#6a4c93',
  ineligible: '#b3261e',
};

/** Slack has no text colour: the same colour as an emoji circle. */
export const VERDICT_EMOJI: Record<Recommendation, string> = {
  migrate: ':large_green_circle:',
  review: ':large_orange_circle:',
  stay: ':white_circle:',
  'insufficient-data': ':large_purple_circle:',
  ineligible: ':red_circle:',
};

/** Thresholds the headlines quote, read from the report's own assumptions (null = not recorded). */
export interface VerdictKnobs {
  minSavingsPct: number | null;
  /** recommend.maxThrottledShare: a replay throttling more is said next to any LMI saving. */
  maxThrottledShare?: number | null;
}

export function verdictKnobs(model: Pick<ReportModel, 'assumptions'>): VerdictKnobs {
  // Tolerates a partial model (the CLI summary is tested on one): no assumptions = not recorded.
  const knob = (key: string): number | null => {
    const value = (model.assumptions ?? []).find((a) => a.key === key)?.value;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  return { minSavingsPct: knob('recommend.minSavingsPct'), maxThrottledShare: knob('recommend.maxThrottledShare') };
}

export interface VerdictStory {
  recommendation: Recommendation;
  label: string;
  /** Hex colour of the verdict (VERDICT_COLOURS). */
  colour: string;
  /** The sentence shown next to the verdict everywhere. */
  headline: string;
  /** `review` only: the condition under which LMI saves money. */
  condition: string | null;
}

function monthly(usd: number): string {
  return `${formatUsd(usd)} / month`;
}

function shareOfStandard(f: FunctionReport, savingsUsd: number): string | null {
  const standard = f.standard?.totalUsd;
  return standard !== undefined && standard > 0 ? formatPercent(savingsUsd / standard) : null;
}

/** "LMI would save $X / month" / "would cost $X / month more" / "costs the same". */
function lmiWould(savingsUsd: number): string {
  if (formatUsd(savingsUsd) === formatUsd(0)) return 'LMI would cost about the same';
  return savingsUsd > 0 ? `LMI would save ${monthly(savingsUsd)}` : `LMI would cost ${monthly(-savingsUsd)} more`;
}

/**
 * " and would throttle 55.0 % of invocations in the replay (limit 0.1 %)" when the replay throttles
 * more than recommend.maxThrottledShare; "" otherwise or when either figure is not known.
 */
function throttleNote(f: FunctionReport, knobs: VerdictKnobs): string {
  const limit = knobs.maxThrottledShare ?? null;
  const invocations = f.usage?.invocations ?? null;
  const throttled = f.lmi?.throttledInvocations;
  if (limit === null || invocations === null || !(invocations > 0) || throttled === undefined) return '';
  const share = throttled / invocations;
  if (!(share > limit)) return '';
  return ` and would have ${throttledPhrase(share, limit)}`;
}

function cpuFigure(f: FunctionReport): string {
  const used = f.lmi ? cpuVCpusUsed(f.lmi.cpuSecondsPerInvocation, f.usage?.avgDurationMs ?? null) : null;
  const inVCpus = used !== null ? ` (${formatVCpus(used)})` : '';
  switch (f.lmi?.cpuSource) {
    case 'assumed':
      return `the assumed CPU share (${f.lmi.cpuAssumedBy ?? 'lmi.cpuBusyFraction'})${inVCpus}`;
    case 'measured':
      return `the measured CPU${inVCpus}`;
    case 'bound-single-threaded':
      return `the single-threaded CPU bound${inVCpus}`;
    default:
      return `the safe CPU bound${inVCpus}`;
  }
}

/** `review`: what must hold for the saving to be real. */
function reviewCondition(f: FunctionReport, knobs: VerdictKnobs): string {
  const savings = f.savingsUsd;
  if (savings !== null && savings > 0) {
    const risks = f.reviewRisks ?? [];
    const accept = risks.length > 0 ? `only if you accept: ${risks.join(', ')}` : 'only if the risks in the report are accepted';
    return `${accept}${throttleUnlessListed(f, knobs, risks)}`;
  }
  const share = f.lmi?.breakEvenCpuShare ?? null;
  const risks = f.reviewRisks ?? [];
  const accept = risks.length > 0 ? ` and you accept: ${risks.join(', ')}` : '';
  const throttles = throttleUnlessListed(f, knobs, risks);
  return share !== null ? `only if ${breakEvenCondition(share)}${accept}${throttles}` : `only under the conditions in the report${throttles}`;
}

/** The throttle note, unless a review risk already says it (recommend.ts lists it when over the limit). */
function throttleUnlessListed(f: FunctionReport, knobs: VerdictKnobs, risks: readonly string[]): string {
  return risks.some((r) => r.includes('throttled in the replay')) ? '' : throttleNote(f, knobs);
}

function reviewHeadline(f: FunctionReport, condition: string): string {
  const savings = f.savingsUsd;
  if (savings === null) return `Savings unknown; LMI would be cheaper ${condition}`;
  if (savings > 0) return `LMI would save ${monthly(savings)} ${condition}`;
  const atBound = formatUsd(savings) === formatUsd(0) ? 'it costs about the same' : `it costs ${monthly(-savings)} more`;
  return `LMI is cheaper ${condition}; at ${cpuFigure(f)} ${atBound}`;
}

function stayHeadline(f: FunctionReport, knobs: VerdictKnobs): string {
  if (f.alreadyOnLmi) return 'Already on LMI: not re-assessed';
  const savings = f.savingsUsd;
  if (savings === null) return 'Savings unknown';
  if (savings > 0 && formatUsd(savings) !== formatUsd(0)) {
    const share = shareOfStandard(f, savings);
    const floor = knobs.minSavingsPct !== null ? `recommend.minSavingsPct (${knobs.minSavingsPct} %)` : 'recommend.minSavingsPct';
    // Says why it stays right next to the figure: a cheaper LMI is not a reason to move on its own.
    return `LMI would save ${monthly(savings)}${share ? ` (${share})` : ''}${throttleNote(f, knobs)}, too little to move: not more than ${floor}`;
  }
  if (formatUsd(savings) === formatUsd(0)) return 'LMI would cost about the same';
  return `Standard Lambda is cheaper by ${monthly(-savings)}`;
}

/** The throttle note, beside a figure that is an LMI saving only. */
function savingNote(f: FunctionReport, knobs: VerdictKnobs): string {
  const savings = f.savingsUsd;
  return savings !== null && savings > 0 && formatUsd(savings) !== formatUsd(0) ? throttleNote(f, knobs) : '';
}

export function verdictStory(f: FunctionReport, knobs: VerdictKnobs): VerdictStory {
  const r = f.recommendation;
  // One literal for every story (Node 20 spends ~10 us per `{ ...base, headline }` that adds keys:
  // ~0.1 s per render at 10,000 functions).
  const story = (headline: string, condition: string | null): VerdictStory => ({
    recommendation: r,
    label: VERDICT_LABELS[r],
    colour: VERDICT_COLOURS[r],
    headline,
    condition,
  });
  const savings = f.savingsUsd;
  switch (r) {
    case 'migrate': {
      if (savings === null) return story('Savings unknown', null);
      const share = shareOfStandard(f, savings);
      return story(`LMI saves ${monthly(savings)}${share ? ` (${share})` : ''}`, null);
    }
    case 'review': {
      const condition = reviewCondition(f, knobs);
      return story(reviewHeadline(f, condition), condition);
    }
    case 'stay':
      return story(stayHeadline(f, knobs), null);
    case 'insufficient-data':
      return story(
        savings === null ? 'No verdict: cost unknown' : `No verdict on this data; unchecked estimate: ${lmiWould(savings)}${savingNote(f, knobs)}`,
        null,
      );
    case 'ineligible':
      return story(
        savings === null ? 'LMI cannot run it as it is' : `LMI cannot run it as it is; priced as if it could: ${lmiWould(savings)}${savingNote(f, knobs)}`,
        null,
      );
  }
}

/** `migrate` functions with a known positive saving, largest first: the only plain savings ranked. */
export function migrateOpportunities(functions: readonly FunctionReport[]): FunctionReport[] {
  return functions
    .filter((f) => f.recommendation === 'migrate' && f.savingsUsd !== null && f.savingsUsd > 0)
    .sort(bySavingsThenName);
}

/**
 * `review` functions, each told with its condition: those cheaper once a risk is accepted first
 * (largest saving first), then those cheaper only below a CPU share (smallest extra cost first).
 */
export function reviewCandidates(functions: readonly FunctionReport[]): FunctionReport[] {
  return functions.filter((f) => f.recommendation === 'review').sort(bySavingsThenName);
}

function bySavingsThenName(a: FunctionReport, b: FunctionReport): number {
  const sa = a.savingsUsd;
  const sb = b.savingsUsd;
  if (sa === null && sb !== null) return 1;
  if (sb === null && sa !== null) return -1;
  if (sa !== null && sb !== null && sa !== sb) return sb - sa;
  const ka = `${a.region}/${a.name}`;
  const kb = `${b.region}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Regions named by `region-failed` warnings, sorted and unique. */
export function failedRegions(model: Pick<ReportModel, 'warnings'>): string[] {
  const regions = new Set<string>();
  for (const w of model.warnings) {
    if (w.code === 'region-failed' && typeof w.region === 'string' && w.region.length > 0) regions.add(w.region);
  }
  return [...regions].sort();
}
