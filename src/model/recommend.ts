/**
 * The recommendation rules of docs/model.md "Recommendation" (verdicts: src/report/verdicts.ts), as one pure function. Every outcome
 * carries plain reasons with numbers so a FinOps reader can check the call.
 */
import type { Config } from '../config/schema.js';
import type { LmiResult, Recommendation } from '../report/types.js';
import { breakEvenCondition, cpuVCpusUsed, formatVCpus, shareAgainstLimit, throttledPhrase } from '../report/wording.js';

/** Periods longer than this hide bursts (CloudWatch 1-minute data is the finest Lambda has). */
const FINE_PERIOD_SECONDS = 60;

export interface RecommendInput {
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
  /** With breakEvenCpuShare filled. */
  lmi: LmiResult | null;
  /** Plain-language risks from the LMI sizing, shown with the structured ones. */
  sizingRisks: readonly string[];
  breakEvenInvocationsPerMonth: number | null;
  utilization: number | null;
  busyTimePremium: number | null;
  config: Config;
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

export function usd(x: number): string {
  const sign = x < 0 ? '-' : '';
  return `${sign}$${USD_FORMAT.format(Math.abs(x))}`;
}

export function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

function count(n: number): string {
  return COUNT_FORMAT.format(Math.round(n));
}

/** Reasons that make the data too thin to recommend anything. */
function dataReasons(input: RecommendInput): string[] {
  const { config } = input;
  const reasons: string[] = [];
  if (input.invocations === null) {
    reasons.push('Invocations are unknown: series.invocations is null in every period of the window.');
  } else if (input.invocations < config.recommend.minInvocations) {
    reasons.push(
      `Only ${count(input.invocations)} invocations in the window (recommend.minInvocations is ${count(config.recommend.minInvocations)}).`,
    );
  }
  if (input.windowDays < config.recommend.minWindowDays) {
    reasons.push(
      `The window covers ${input.windowDays.toFixed(1)} days (recommend.minWindowDays is ${config.recommend.minWindowDays}).`,
    );
  }
  if (input.unknownShare > config.recommend.maxUnknownShare) {
    reasons.push(
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

/** Risks that turn a cheaper LMI into `review` (the list in src/report/verdicts.ts). */
function structuredRisks(input: RecommendInput, lmi: LmiResult): BlockingRisk[] {
  const { config } = input;
  const risks: BlockingRisk[] = [];
  const throttledShare = input.invocations != null && input.invocations > 0 ? lmi.throttledInvocations / input.invocations : 0;
  if (throttledShare > config.recommend.maxThrottledShare) {
    const shown = shareAgainstLimit(throttledShare, config.recommend.maxThrottledShare);
    risks.push({
      long: `The replay throttles about ${count(lmi.throttledInvocations)} invocations (${shown.share}) while LMI scales out; the limit is ${shown.limit} (recommend.maxThrottledShare).`,
      short: throttledPhrase(throttledShare, config.recommend.maxThrottledShare),
    });
  }
  if (lmi.needsRuntimeUpgrade) {
    risks.push({
      long: `Runtime ${input.runtime ?? '(none)'} must be upgraded to one LMI supports.`,
      short: `runtime ${input.runtime ?? '(none)'} upgraded to one LMI supports`,
    });
  }
  if (lmi.needsMemoryIncrease) {
    risks.push({
      long: `Memory must rise from ${input.memoryMB} MB to ${lmi.memoryMB} MB (LMI minimum 2048 MB).`,
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
      long: `Metrics are ${input.periodSeconds}-second periods: bursts shorter than a period are not seen, so the throttling estimate is weaker.`,
      short: `bursts under ${input.periodSeconds} s unseen (coarse metrics)`,
    });
  }
  return risks;
}

function cpuNote(lmi: LmiResult): string {
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
function cpuUsedNote(input: RecommendInput, lmi: LmiResult): string | null {
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

function contextReasons(input: RecommendInput): string[] {
  const reasons: string[] = [];
  if (input.breakEvenInvocationsPerMonth != null && input.monthlyInvocations != null) {
    reasons.push(
      `LMI alone breaks even at about ${count(input.breakEvenInvocationsPerMonth)} invocations per month (now ${count(input.monthlyInvocations)}).`,
    );
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

/**
 * Order of the rules: already on LMI -> stay; unknown money or thin data -> insufficient-data;
 * blockers -> ineligible; then the money: migrate / review / stay.
 */
export function recommend(input: RecommendInput): RecommendOutput {
  const { config } = input;
  if (input.alreadyOnLmi) {
    return {
      recommendation: 'stay',
      reasons: ['Already runs on Lambda Managed Instances (a capacity provider is set); not re-assessed.'],
      risks: [],
      reviewRisks: [],
    };
  }
  const thin = dataReasons(input);
  if (input.standardUsd == null) {
    const why = input.standardUnknownReasons ?? [];
    thin.unshift(
      why.length > 0
        ? `Standard Lambda cost is unknown: ${why.join('; ')}.`
        : 'Standard Lambda cost is unknown (no prices for the region, provisioned concurrency unreadable, or no known data).',
    );
  }
  if (thin.length > 0) {
    if (!input.lmi && input.lmiUnknownReason) thin.push(input.lmiUnknownReason);
    return { recommendation: 'insufficient-data', reasons: thin, risks: [], reviewRisks: [] };
  }
  const standardUsd = input.standardUsd as number;

  const lmi = input.lmi;
  if (!lmi) {
    return {
      recommendation: 'insufficient-data',
      reasons: [input.lmiUnknownReason ?? "LMI could not be sized: no instance price for the function's architecture in its region."],
      risks: [],
      reviewRisks: [],
    };
  }
  // Shown risks are the sizing's own notes (they already cover throttles, runtime, memory,
  // Python); the structured checks below decide `review` and are named in the reasons.
  const risks = input.sizingRisks.slice();
  const savingsUsd = standardUsd - lmi.totalUsd;
  const savingsPct = standardUsd > 0 ? (savingsUsd / standardUsd) * 100 : savingsUsd > 0 ? Infinity : 0;
  const compare = `LMI ${usd(lmi.totalUsd)}/month vs standard Lambda ${usd(standardUsd)}/month`;
  if (!lmi.eligible || lmi.blockers.length > 0) {
    return {
      recommendation: 'ineligible',
      reasons: [...lmi.blockers.map((b) => `Blocks LMI: ${b}`), `Priced anyway, as if it could run: ${compare}.`],
      risks,
      reviewRisks: [],
    };
  }
  const context = contextReasons(input);

  if (savingsUsd > 0 && savingsPct > config.recommend.minSavingsPct) {
    const reasons = [
      `${compare}: saves ${usd(savingsUsd)} (${savingsPct.toFixed(1)} %), more than recommend.minSavingsPct (${config.recommend.minSavingsPct} %).`,
      cpuNote(lmi),
      ...context,
    ];
    // Only the structured risks decide: other sizing notes are shown but informational. Built
    // only on the paths that read them (most functions of a large account take neither).
    const blocking = structuredRisks(input, lmi);
    if (blocking.length > 0) {
      return {
        recommendation: 'review',
        reasons: [...reasons, ...blocking.map((r) => `Review first: ${r.long}`)],
        risks,
        reviewRisks: blocking.map((r) => r.short),
      };
    }
    return { recommendation: 'migrate', reasons, risks, reviewRisks: [] };
  }

  const breakEven = lmi.breakEvenCpuShare;
  // Not cheaper at the CPU figure used, but would be at a lower (unmeasured) CPU share.
  if (
    savingsUsd <= 0 &&
    lmi.cpuSource !== 'measured' &&
    breakEven != null &&
    breakEven >= config.recommend.reviewCpuShare
  ) {
    const blocking = structuredRisks(input, lmi);
    return {
      recommendation: 'review',
      reasons: [
        `At the CPU figure used, ${compare}.`,
        `LMI is cheaper only if ${breakEvenCondition(breakEven, cpuUsedNote(input, lmi))}; that break-even is at least recommend.reviewCpuShare (${pct(config.recommend.reviewCpuShare)} of the duration).`,
        cpuNote(lmi),
        ...context,
        // Even at a lower CPU share, these must still be accepted before moving.
        ...blocking.map((r) => `Review first: ${r.long}`),
      ],
      risks,
      reviewRisks: blocking.map((r) => r.short),
    };
  }

  const reasons =
    savingsUsd <= 0
      ? [`${compare}: standard Lambda is cheaper by ${usd(-savingsUsd)}.`]
      : [
          `${compare}: saves only ${usd(savingsUsd)} (${savingsPct.toFixed(1)} %), not more than recommend.minSavingsPct (${config.recommend.minSavingsPct} %).`,
        ];
  // Only when LMI loses at the CPU figure used: then the break-even share is below the review floor.
  if (savingsUsd <= 0 && lmi.cpuSource !== 'measured' && breakEven != null) {
    reasons.push(
      `LMI is cheaper only if ${breakEvenCondition(breakEven, cpuUsedNote(input, lmi))}; that break-even is below recommend.reviewCpuShare (${pct(config.recommend.reviewCpuShare)} of the duration).`,
    );
  }
  reasons.push(cpuNote(lmi), ...context);
  return { recommendation: 'stay', reasons, risks, reviewRisks: [] };
}
