/**
 * The recommendation rules of docs/model.md "Recommendation" (verdicts: src/report/verdicts.ts), as one pure function. Every outcome
 * carries plain reasons with numbers so a FinOps reader can check the call.
 */
import type { Config } from '../config/schema.js';
import type { LmiResult, Recommendation } from '../report/types.js';
import { breakEvenCondition, cpuVCpusUsed, formatVCpus, shareAgainstLimit, throttledPhrase } from '../report/wording.js';

/** Periods longer than this hide bursts (CloudWatch 1-minute data is the finest Lambda has). */
const FINE_PERIOD_SECONDS = 60;

/**
 * The fields of an LMI result decide reads: build-report hands over a Sizing (size.ts), which
 * gives them without building its result.
 */
export type DecideLmi = Pick<
  LmiResult,
  | 'eligible'
  | 'blockers'
  | 'needsRuntimeUpgrade'
  | 'needsMemoryIncrease'
  | 'memoryMB'
  | 'processMemorySource'
  | 'totalUsd'
  | 'throttledInvocations'
  | 'cpuSource'
  | 'cpuSecondsPerInvocation'
  | 'cpuAssumedBy'
>;

/**
 * What recommend reads, but the break-even figures (read through BreakEvens by decide). `lmi`'s
 * breakEvenCpuShare is not read here: buildReport hands over the sizing's own result.
 */
export interface DecideInput {
  alreadyOnLmi: boolean;
  /** Invocations over the window's known periods; null = unknown in every period. */
  invocations: number | null;
  /** Invocations per 730-h month (extrapolated), for the break-even traffic reason. */
  monthlyInvocations: number | null;
  windowDays: number;
  periodSeconds: number;
  unknownShare: number;
  /** Which required series are unknown, and how much ("series.x unknown in 12.0 % of periods"). */
  unknownDetail?: string;
  /** Why standardUsd is null, each a true, specific reason. */
  standardUnknownReasons?: readonly string[];
  /** Why lmi is null (a sentence). */
  lmiUnknownReason?: string | null;
  runtime: string | null;
  memoryMB: number;
  /** Average duration, to say the CPU figure used in vCPUs next to the break-even; absent = not said. */
  avgDurationMs?: number | null;
  /** Standard monthly total of the function alone (before the free tier); null = unknown. */
  standardUsd: number | null;
  lmi: DecideLmi | null;
  /** Plain-language risks from the LMI sizing, shown with the structured ones. */
  sizingRisks: readonly string[];
  utilization: number | null;
  busyTimePremium: number | null;
  config: Config;
}

export interface RecommendInput extends DecideInput {
  /** With breakEvenCpuShare filled (recommend reads it). */
  lmi: LmiResult | null;
  breakEvenInvocationsPerMonth: number | null;
}

/**
 * The break-even figures, which recommend reads on some paths only: the CPU share when LMI is not
 * cheaper at an unmeasured CPU figure (it decides review or stay), the traffic level in the
 * reasons after the first. Read through here so that a caller may compute them on first read.
 */
export interface BreakEvens {
  /** lmi.breakEvenCpuShare: read only when input.lmi is not null. */
  cpuShare(): number | null;
  /** cpuShare() >= floor, false when it is null (may answer without computing cpuShare). */
  cpuShareAtLeast(floor: number): boolean;
  invocationsPerMonth(): number | null;
}

export interface RecommendOutput {
  recommendation: Recommendation;
  reasons: string[];
  risks: string[];
  /** `review` for a risk only: what must be accepted, in short phrases (empty otherwise). */
  reviewRisks: string[];
}

// One formatter each: toLocaleString builds a new one per call, which dominates a 10,000-function merge.
const USD_FORMAT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Below this many dollars, usd rounds itself (cents far below 2^53); above, Intl does. */
const OWN_ROUNDING_BELOW_USD = 1e11;

/**
 * "$1,234.57", "-$0.50": USD_FORMAT's very text, mostly without Intl (some 1-2 us a call, three
 * calls a function on every what-if update). Intl rounds the shortest decimal that reads back as
 * the double (String(x), e.g. 1.005), half away from zero; toFixed rounds the double's exact value
 * (1.00499999...) the same way. The two differ only when a half cent lies between them, less than
 * 2 ulps of x*100 from x*100: there, the shortest decimal is rounded digit by digit.
 */
export function usd(x: number): string {
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  if (!(abs < OWN_ROUNDING_BELOW_USD)) return `${sign}$${USD_FORMAT.format(abs)}`;
  const cents = abs * 100;
  const fromHalf = Math.abs(cents - Math.floor(cents) - 0.5);
  return `${sign}$${fromHalf > cents * 1e-14 ? grouped(abs.toFixed(2)) : shortestRounded(abs)}`;
}

/** "1234567.89" with a comma every three digits of the whole part. */
function grouped(fixed: string): string {
  let whole = fixed.length - 3;
  if (whole <= 3) return fixed;
  let out = fixed.slice(whole);
  while (whole > 3) {
    out = `,${fixed.slice(whole - 3, whole)}${out}`;
    whole -= 3;
  }
  return fixed.slice(0, whole) + out;
}

/** 0 <= x < OWN_ROUNDING_BELOW_USD as Intl writes it: String(x) rounded to cents, half away from zero. */
function shortestRounded(x: number): string {
  const s = String(x);
  // Exponent notation below 1e-6 only: rounds to 0.
  if (s.includes('e')) return '0.00';
  const dot = s.indexOf('.');
  if (dot < 0) return grouped(`${s}.00`);
  let whole = Number(s.slice(0, dot));
  const digits = s.length - dot - 1;
  let cents = (s.charCodeAt(dot + 1) - 48) * 10 + (digits > 1 ? s.charCodeAt(dot + 2) - 48 : 0);
  // A third digit of 5 or more rounds up (a 5 alone is the tie, away from zero).
  if (digits > 2 && s.charCodeAt(dot + 3) >= 53) cents++;
  if (cents === 100) {
    whole++;
    cents = 0;
  }
  return grouped(`${whole}.${cents < 10 ? '0' : ''}${cents}`);
}

export function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/**
 * n rounded to a whole number, grouped by three as COUNT_FORMAT writes it (`toLocaleString('en-US')`
 * of a whole number too): for a whole number from 0 (not -0) to 2^53, String() gives its every
 * digit, grouped here without Intl (some 1-2 us a call); others go to Intl.
 */
export function count(n: number): string {
  const whole = Math.round(n);
  if ((whole > 0 && whole <= Number.MAX_SAFE_INTEGER) || Object.is(whole, 0)) {
    const digits = String(whole);
    let end = digits.length;
    if (end <= 3) return digits;
    let out = digits.slice(end - 3);
    end -= 3;
    while (end > 3) {
      out = `${digits.slice(end - 3, end)},${out}`;
      end -= 3;
    }
    return `${digits.slice(0, end)},${out}`;
  }
  return COUNT_FORMAT.format(whole);
}

/** Reasons that make the data too thin to recommend anything (null: none; no empty array per function). */
function dataReasons(input: DecideInput): string[] | null {
  const { config } = input;
  let reasons: string[] | null = null;
  if (input.invocations === null) {
    (reasons ??= []).push('Invocations are unknown: series.invocations is null in every period of the window.');
  } else if (input.invocations < config.recommend.minInvocations) {
    (reasons ??= []).push(
      `Only ${count(input.invocations)} invocations in the window (recommend.minInvocations is ${count(config.recommend.minInvocations)}).`,
    );
  }
  if (input.windowDays < config.recommend.minWindowDays) {
    (reasons ??= []).push(
      `The window covers ${input.windowDays.toFixed(1)} days (recommend.minWindowDays is ${config.recommend.minWindowDays}).`,
    );
  }
  if (input.unknownShare > config.recommend.maxUnknownShare) {
    (reasons ??= []).push(
      `${pct(input.unknownShare)} of the window's periods have unknown metrics${input.unknownDetail ? ` (${input.unknownDetail})` : ''}, more than recommend.maxUnknownShare (${pct(config.recommend.maxUnknownShare)}).`,
    );
  }
  return reasons;
}

/** A risk that turns a cheaper LMI into `review`: the full sentence and the phrase shown next to the figure. */
interface BlockingRisk {
  long: string;
  /** Says what must be accepted, e.g. "96.6 % of invocations throttled in the replay (limit 0.1 %)". */
  short: string;
}

/** Risks that turn a cheaper LMI into `review` (the list in src/report/verdicts.ts); `long` only when `full` ('' otherwise: only the reasons read it). */
function structuredRisks(input: DecideInput, lmi: DecideLmi, full: boolean): BlockingRisk[] {
  const { config } = input;
  const risks: BlockingRisk[] = [];
  const throttledShare = input.invocations != null && input.invocations > 0 ? lmi.throttledInvocations / input.invocations : 0;
  if (throttledShare > config.recommend.maxThrottledShare) {
    const shown = full ? shareAgainstLimit(throttledShare, config.recommend.maxThrottledShare) : { share: '', limit: '' };
    risks.push({
      long: !full ? '' : `The replay throttles about ${count(lmi.throttledInvocations)} invocations (${shown.share}) while LMI scales out; the limit is ${shown.limit} (recommend.maxThrottledShare).`,
      short: throttledPhrase(throttledShare, config.recommend.maxThrottledShare),
    });
  }
  if (lmi.needsRuntimeUpgrade) {
    risks.push({
      long: !full ? '' : `Runtime ${input.runtime ?? '(none)'} must be upgraded to one LMI supports.`,
      short: `runtime ${input.runtime ?? '(none)'} upgraded to one LMI supports`,
    });
  }
  if (lmi.needsMemoryIncrease) {
    risks.push({
      long: !full ? '' : `Memory must rise from ${input.memoryMB} MB to ${lmi.memoryMB} MB (LMI minimum 2048 MB).`,
      short: `memory raised from ${input.memoryMB} MB to ${lmi.memoryMB} MB`,
    });
  }
  if (lmi.processMemorySource === 'configured') {
    risks.push({
      long: 'Python runs one process per concurrent request; per-process memory was taken from the configured memory, not measured (enable Lambda Insights to measure it).',
      short: 'Python per-process memory not measured',
    });
  }
  if (input.periodSeconds > FINE_PERIOD_SECONDS) {
    risks.push({
      long: !full ? '' : `Metrics are ${input.periodSeconds}-second periods: bursts shorter than a period are not seen, so the throttling estimate is weaker.`,
      short: `bursts under ${input.periodSeconds} s unseen (coarse metrics)`,
    });
  }
  return risks;
}

function cpuNote(lmi: DecideLmi): string {
  const perInv =
    lmi.cpuSecondsPerInvocation === null
      ? 'CPU-s per invocation unknown: no known duration'
      : `${lmi.cpuSecondsPerInvocation.toFixed(4)} CPU-s per invocation`;
  switch (lmi.cpuSource) {
    case 'measured':
      return `CPU measured by Lambda Insights (${perInv}).`;
    case 'assumed':
      return `CPU from ${lmi.cpuAssumedBy ?? 'lmi.cpuBusyFraction'}, not measured (${perInv}).`;
    case 'bound-single-threaded':
      return `CPU not measured: sized at the single-threaded bound of 1 vCPU (lmi.cpuBound = single-threaded, an assumption: native thread pools use more) (${perInv}).`;
    default:
      return `CPU not measured: sized at the safe bound (${perInv}).`;
  }
}

/** "the safe bound assumes 1.70 vCPUs": the CPU figure used, in the break-even's unit; null when unknown. */
function cpuUsedNote(input: DecideInput, lmi: DecideLmi): string | null {
  const used = cpuVCpusUsed(lmi.cpuSecondsPerInvocation, input.avgDurationMs ?? null);
  if (used === null) return null;
  switch (lmi.cpuSource) {
    case 'measured':
      return `measured: ${formatVCpus(used)}`;
    case 'assumed':
      return `${lmi.cpuAssumedBy ?? 'lmi.cpuBusyFraction'} assumes ${formatVCpus(used)}`;
    case 'bound-single-threaded':
      return `the single-threaded bound assumes ${formatVCpus(used)}`;
    default:
      return `the safe bound assumes ${formatVCpus(used)}`;
  }
}

function contextReasons(input: DecideInput, breakEvens: BreakEvens): string[] {
  const reasons: string[] = [];
  if (input.monthlyInvocations != null) {
    const breakEven = breakEvens.invocationsPerMonth();
    if (breakEven != null) {
      reasons.push(`LMI alone breaks even at about ${count(breakEven)} invocations per month (now ${count(input.monthlyInvocations)}).`);
    }
  }
  if (input.utilization != null) {
    const premium =
      input.busyTimePremium != null
        ? `; standard Lambda charges ${input.busyTimePremium.toFixed(1)}x per busy GB-hour what LMI charges per provisioned GB-hour`
        : '';
    reasons.push(`Average concurrency is ${pct(input.utilization)} of peak${premium}.`);
  }
  return reasons;
}

/** "LMI $x/month vs standard Lambda $y/month". */
function compareOf(lmi: DecideLmi, standardUsd: number): string {
  return `LMI ${usd(lmi.totalUsd)}/month vs standard Lambda ${usd(standardUsd)}/month`;
}

/**
 * recommend's outcome with the reasons built on first read (the what-if page shows most
 * functions' first reason only, and most functions none). The verdict and the risks are decided
 * at once; the reasons are the same rules run again (decide), which take the same branch (the
 * break-even figures are the same on every read): the first alone, or all of them.
 */
export class Decision implements RecommendOutput {
  /** null: none built yet (decide's 'verdict'); else the first alone while #input is set, or all of them. */
  #reasons: string[] | null;
  /** Until the reasons are complete: what decide reads to complete them. */
  #input: DecideInput | null;
  #breakEvens: BreakEvens | null;

  constructor(
    readonly recommendation: Recommendation,
    reasons: string[] | null,
    readonly risks: string[],
    readonly reviewRisks: string[],
    /** null: `reasons` is complete. */
    input: DecideInput | null,
    breakEvens: BreakEvens | null,
  ) {
    this.#reasons = reasons;
    this.#input = input;
    this.#breakEvens = breakEvens;
  }

  /** reasons[0] ('' if none), without building the others. */
  get firstReason(): string {
    let reasons = this.#reasons;
    if (reasons === null) {
      const first = decide(this.#input as DecideInput, this.#breakEvens as BreakEvens, false);
      reasons = this.#reasons = first.#reasons as string[];
      if (first.#input === null) {
        this.#input = null;
        this.#breakEvens = null;
      }
    }
    return reasons[0] ?? '';
  }

  get reasons(): string[] {
    if (this.#input !== null) {
      this.#reasons = decide(this.#input, this.#breakEvens as BreakEvens, true).#reasons;
      this.#input = null;
      this.#breakEvens = null;
    }
    return this.#reasons as string[];
  }
}

/**
 * Order of the rules: already on LMI -> stay; unknown money or thin data -> insufficient-data;
 * blockers -> ineligible; then the money: migrate / review / stay.
 */
export function recommend(input: RecommendInput): RecommendOutput {
  const cpuShare = (): number | null => input.lmi?.breakEvenCpuShare ?? null;
  const decision = decide(
    input,
    {
      cpuShare,
      cpuShareAtLeast: (floor) => {
        const share = cpuShare();
        return share != null && share >= floor;
      },
      invocationsPerMonth: () => input.breakEvenInvocationsPerMonth,
    },
    true,
  );
  return { recommendation: decision.recommendation, reasons: decision.reasons, risks: decision.risks, reviewRisks: decision.reviewRisks };
}

/**
 * The rules (recommend), with the break-even figures read through `breakEvens` where a rule or a
 * reason needs them. `built` true: every reason at once; false: of the reasons, only the first is
 * built where the others cost something; 'verdict': no reason is built where one costs something
 * (the verdict, the risks and the review phrases alone). The Decision builds the rest when
 * `firstReason` or `reasons` is read.
 */
export function decide(input: DecideInput, breakEvens: BreakEvens, built: boolean | 'verdict'): Decision {
  const { config } = input;
  const full = built === true;
  /** Not even the first reason (built === 'verdict'). */
  const none = built === 'verdict';
  if (input.alreadyOnLmi) {
    return new Decision('stay', ['Already runs on Lambda Managed Instances (a capacity provider is set); not re-assessed.'], [], [], null, null);
  }
  let thin = dataReasons(input);
  if (input.standardUsd == null) {
    const why = input.standardUnknownReasons ?? [];
    (thin ??= []).unshift(
      why.length > 0
        ? `Standard Lambda cost is unknown: ${why.join('; ')}.`
        : 'Standard Lambda cost is unknown (no prices for the region, provisioned concurrency unreadable, or no known data).',
    );
  }
  if (thin !== null && thin.length > 0) {
    if (!input.lmi && input.lmiUnknownReason) thin.push(input.lmiUnknownReason);
    return new Decision('insufficient-data', thin, [], [], null, null);
  }
  const standardUsd = input.standardUsd as number;

  const lmi = input.lmi;
  if (!lmi) {
    return new Decision(
      'insufficient-data',
      [input.lmiUnknownReason ?? "LMI could not be sized: no instance price for the function's architecture in its region."],
      [],
      [],
      null,
      null,
    );
  }
  // Not built: the reasons after the first (the Decision builds them when read).
  const pending = full ? null : input;
  // Shown risks are the sizing's own notes (they already cover throttles, runtime, memory,
  // Python); the structured checks below decide `review` and are named in the reasons. A copy,
  // but for a verdict alone (the what-if page, 10,000 per update): the sizing's own array, read
  // only as every report's risks are.
  const risks = none ? (input.sizingRisks as string[]) : input.sizingRisks.slice();
  const savingsUsd = standardUsd - lmi.totalUsd;
  const savingsPct = standardUsd > 0 ? (savingsUsd / standardUsd) * 100 : savingsUsd > 0 ? Infinity : 0;
  if (!lmi.eligible || lmi.blockers.length > 0) {
    if (none) return new Decision('ineligible', null, risks, NO_REVIEW_RISKS as string[], input, breakEvens);
    const reasons = lmi.blockers.map((b) => `Blocks LMI: ${b}`);
    if (full || reasons.length === 0) reasons.push(`Priced anyway, as if it could run: ${compareOf(lmi, standardUsd)}.`);
    return new Decision('ineligible', reasons, risks, [], full || lmi.blockers.length === 0 ? null : pending, breakEvens);
  }

  if (savingsUsd > 0 && savingsPct > config.recommend.minSavingsPct) {
    const reasons = none
      ? null
      : [
          `${compareOf(lmi, standardUsd)}: saves ${usd(savingsUsd)} (${savingsPct.toFixed(1)} %), more than recommend.minSavingsPct (${config.recommend.minSavingsPct} %).`,
        ];
    if (full) (reasons as string[]).push(cpuNote(lmi), ...contextReasons(input, breakEvens));
    // Only the structured risks decide: other sizing notes are shown but informational. Built
    // only on the paths that read them (most functions of a large account take neither).
    const blocking = structuredRisks(input, lmi, full);
    if (blocking.length > 0) {
      if (full) for (const r of blocking) (reasons as string[]).push(`Review first: ${r.long}`);
      return new Decision('review', reasons, risks, blocking.map((r) => r.short), pending, breakEvens);
    }
    return new Decision('migrate', reasons, risks, none ? (NO_REVIEW_RISKS as string[]) : [], pending, breakEvens);
  }

  // The break-even CPU share is read only where LMI loses at an unmeasured CPU figure (both rules below).
  const loses = savingsUsd <= 0 && lmi.cpuSource !== 'measured';
  // Not cheaper at the CPU figure used, but would be at a lower (unmeasured) CPU share.
  if (loses && breakEvens.cpuShareAtLeast(config.recommend.reviewCpuShare)) {
    const blocking = structuredRisks(input, lmi, full);
    const reasons = none ? null : [`At the CPU figure used, ${compareOf(lmi, standardUsd)}.`];
    if (full && reasons !== null) {
      const breakEven = breakEvens.cpuShare() as number;
      reasons.push(
        `LMI is cheaper only if ${breakEvenCondition(breakEven, cpuUsedNote(input, lmi))}; that break-even is at least recommend.reviewCpuShare (${pct(config.recommend.reviewCpuShare)} of the duration).`,
        cpuNote(lmi),
        ...contextReasons(input, breakEvens),
        // Even at a lower CPU share, these must still be accepted before moving.
        ...blocking.map((r) => `Review first: ${r.long}`),
      );
    }
    return new Decision('review', reasons, risks, blocking.map((r) => r.short), pending, breakEvens);
  }

  if (none) return new Decision('stay', null, risks, NO_REVIEW_RISKS as string[], input, breakEvens);
  const reasons =
    savingsUsd <= 0
      ? [`${compareOf(lmi, standardUsd)}: standard Lambda is cheaper by ${usd(-savingsUsd)}.`]
      : [
          `${compareOf(lmi, standardUsd)}: saves only ${usd(savingsUsd)} (${savingsPct.toFixed(1)} %), not more than recommend.minSavingsPct (${config.recommend.minSavingsPct} %).`,
        ];
  if (full) {
    // Only when LMI loses at the CPU figure used: then the break-even share is below the review floor.
    const breakEven = loses ? breakEvens.cpuShare() : null;
    if (breakEven != null) {
      reasons.push(
        `LMI is cheaper only if ${breakEvenCondition(breakEven, cpuUsedNote(input, lmi))}; that break-even is below recommend.reviewCpuShare (${pct(config.recommend.reviewCpuShare)} of the duration).`,
      );
    }
    reasons.push(cpuNote(lmi), ...contextReasons(input, breakEvens));
  }
  return new Decision('stay', reasons, risks, [], pending, breakEvens);
}

/** The review phrases of a verdict with none, for a verdict alone (decide's 'verdict'; a new array each otherwise): shared, so frozen. */
const NO_REVIEW_RISKS: readonly string[] = Object.freeze([]);
