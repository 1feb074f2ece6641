/**
 * Billed vs modelled standard Lambda, per region x architecture and (with resource-level data)
 * per function, over the whole UTC days both sides cover. Pure: no I/O, no clock.
 * Modelled dollars are list prices (first duration tier) after pricing.lambdaDiscount, compared
 * with the bill's UnblendedCost; NetUnblendedCost is shown next to it (Savings Plans, discounts).
 * Method and limits: docs/reconciliation.md.
 */
import type { Config } from '../config/schema.js';
import { HOURS_PER_MONTH } from '../model/month.js';
import type { LambdaRegionPrices, PriceBook } from '../prices/types.js';
import type {
  Reconciliation,
  ReconFigure,
  ReconFunctionRow,
  ReconInsightsInit,
  ReconLmiRow,
  ReconQuantities,
  ReconReason,
  ReconRegionRow,
  ReconUnknownUsageType,
  ReportWarning,
} from '../report/types.js';
import type { Architecture, SnapshotWindow } from '../source/profile.js';
import { type FunctionDays, wholeDays } from './daily-usage.js';
import { type BilledData, type BilledLine, capacityProviderName, CE_USD_PER_REQUEST, LMI_INSTANCE_TAG, type LmiProviderMetrics, type LmiProviderMetricsRead } from './types.js';
import { parseUsageType, type ParsedUsageType, type UsageTypeTable } from './usage-types.js';

/** Relative gap under which two quantities agree (metrics and the bill round differently). */
export const AGREE_SHARE = 0.01;
/** NetUnblendedCost this far below UnblendedCost means a Savings Plan or discount applied. */
const DISCOUNT_SHARE = 0.005;

/** What the model predicts per day for a function already on LMI (run as if it were a candidate). */
export interface LmiPrediction {
  region: string;
  name: string;
  capacityProviderArn: string;
  /** Management fee + LMI requests per day, USD (the parts billed under the Lambda service). */
  lambdaBilledUsdPerDay: number;
  /** EC2 instance cost per day, USD (billed under EC2). */
  instancesUsdPerDay: number;
  /** Instance-hours per day the model runs (the fee's billed quantity is the same unit). */
  instanceHoursPerDay: number;
  /** vCPUs the model allocates to execution environments on average (CloudWatch vCPUAllocated). */
  vCpuAllocatedAvg: number;
  /** The instance type the model sized for (instance-hours of different types do not compare 1:1). */
  instanceType?: string | null;
}

export interface ReconcileInput {
  window: SnapshotWindow;
  functions: readonly FunctionDays[];
  billed: BilledData;
  priceBook: PriceBook;
  config: Config;
  table: UsageTypeTable;
  lmiPredictions?: readonly LmiPrediction[];
  /** CloudWatch's capacity-provider metrics (live runs only; absent offline or when not read). */
  lmiMetrics?: LmiProviderMetricsRead;
}

export interface ReconcileOutput {
  reconciliation: Reconciliation;
  warnings: ReportWarning[];
}

interface Sums {
  requests: number;
  durationGbSeconds: number;
  pcGbSeconds: number;
  usd: number;
  netUsd: number | null;
  lines: number;
}

const emptySums = (): Sums => ({ requests: 0, durationGbSeconds: 0, pcGbSeconds: 0, usd: 0, netUsd: 0, lines: 0 });

interface Modelled {
  requests: number;
  durationGbSeconds: number;
  onDemandGbSeconds: number;
  pcDurationGbSeconds: number;
  pcGbSeconds: number;
  storageGbSeconds: number;
  unknownDays: number;
}

const emptyModelled = (): Modelled => ({
  requests: 0,
  durationGbSeconds: 0,
  onDemandGbSeconds: 0,
  pcDurationGbSeconds: 0,
  pcGbSeconds: 0,
  storageGbSeconds: 0,
  unknownDays: 0,
});

function addModelled(into: Modelled, m: Modelled): void {
  into.requests += m.requests;
  into.durationGbSeconds += m.durationGbSeconds;
  into.onDemandGbSeconds += m.onDemandGbSeconds;
  into.pcDurationGbSeconds += m.pcDurationGbSeconds;
  into.pcGbSeconds += m.pcGbSeconds;
  into.storageGbSeconds += m.storageGbSeconds;
  into.unknownDays += m.unknownDays;
}

function addLine(into: Sums, parsed: ParsedUsageType, line: BilledLine): void {
  into.lines++;
  into.usd += line.unblendedUsd;
  into.netUsd = into.netUsd === null || line.netUnblendedUsd === null ? null : into.netUsd + line.netUnblendedUsd;
  if (parsed.kind === 'requests') into.requests += line.quantity;
  else if (parsed.kind === 'duration' || parsed.kind === 'pcDuration') into.durationGbSeconds += line.quantity;
  else if (parsed.kind === 'pc') into.pcGbSeconds += line.quantity;
}

function addSums(into: Sums, s: Sums): void {
  into.requests += s.requests;
  into.durationGbSeconds += s.durationGbSeconds;
  into.pcGbSeconds += s.pcGbSeconds;
  into.usd += s.usd;
  into.netUsd = into.netUsd === null || s.netUsd === null ? null : into.netUsd + s.netUsd;
  into.lines += s.lines;
}

/**
 * Modelled dollars at list prices (https://aws.amazon.com/lambda/pricing/): requests x request
 * price; on-demand GB-s at the first duration tier, PC and PC-duration at their prices, all three
 * after pricing.lambdaDiscount (a Savings Plan covers duration and PC only); storage undiscounted.
 */
function modelledUsd(m: Modelled, prices: LambdaRegionPrices | undefined, arch: Architecture, discount: number): number | null {
  if (!prices) return null;
  const firstTier = prices.durationTiers[arch][0]?.usdPerGbSecond;
  if (firstTier === undefined) return null;
  return (
    m.requests * prices.requestUsd[arch] +
    (m.onDemandGbSeconds * firstTier +
      m.pcGbSeconds * prices.provisionedConcurrencyUsdPerGbSecond[arch] +
      m.pcDurationGbSeconds * prices.provisionedDurationUsdPerGbSecond[arch]) *
      (1 - discount) +
    m.storageGbSeconds * prices.ephemeralStorageUsdPerGbSecond[arch]
  );
}

export function figure(modelled: number | null, billed: number | null): ReconFigure {
  const deviation = modelled !== null && billed !== null ? modelled - billed : null;
  return {
    modelled,
    billed,
    deviation,
    deviationPct: deviation !== null && billed !== null && billed !== 0 ? (deviation / billed) * 100 : null,
  };
}

function quantities(m: Modelled | null, usd: number | null, b: Sums | null): ReconQuantities {
  return {
    requests: figure(m?.requests ?? null, b ? b.requests : null),
    durationGbSeconds: figure(m?.durationGbSeconds ?? null, b ? b.durationGbSeconds : null),
    pcGbSeconds: figure(m?.pcGbSeconds ?? null, b ? b.pcGbSeconds : null),
    usd: figure(usd, b ? b.usd : null),
    billedNetUsd: b ? b.netUsd : null,
  };
}

const agree = (a: number, b: number) => Math.abs(a - b) <= AGREE_SHARE * Math.max(Math.abs(a), Math.abs(b));

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
const usdText = (n: number) => `${n < 0 ? '-' : ''}$${fmt(Math.abs(n), 2)}`;

/** The reasons a row deviates, from what both sides show. */
function reasonsFor(m: Modelled, b: Sums, modelledDollars: number | null): ReconReason[] {
  const reasons: ReconReason[] = [];
  if (m.unknownDays > 0) {
    reasons.push({ code: 'missing-metrics', message: `${m.unknownDays} function-day(s) had unknown metrics and were left out of the model` });
  }
  const requestsAgree = agree(m.requests, b.requests);
  if (!requestsAgree) {
    reasons.push({
      code: 'requests-differ',
      message: `billed ${fmt(b.requests)} requests, metrics counted ${fmt(m.requests)}`,
    });
  }
  if (requestsAgree && b.durationGbSeconds > m.durationGbSeconds && !agree(m.durationGbSeconds, b.durationGbSeconds)) {
    const extra = b.durationGbSeconds - m.durationGbSeconds;
    reasons.push({
      code: 'init',
      message: `billed ${fmt(extra, 1)} GB-s more duration than Duration + rounding (${fmt((extra / b.durationGbSeconds) * 100, 1)} % of the billed duration): INIT time, billed since 2025-08-01, is not in the Duration metric`,
    });
  }
  if (!agree(m.pcGbSeconds, b.pcGbSeconds)) {
    reasons.push({
      code: 'provisioned-concurrency',
      message: `provisioned concurrency billed ${fmt(b.pcGbSeconds)} GB-s, modelled ${fmt(m.pcGbSeconds)} GB-s (the model holds one PC value for the whole window)`,
    });
  }
  if (b.netUsd !== null && b.usd > 0 && b.netUsd < b.usd * (1 - DISCOUNT_SHARE)) {
    reasons.push({
      code: 'savings-plan',
      message: `NetUnblendedCost ${usdText(b.netUsd)} is ${fmt(((b.usd - b.netUsd) / b.usd) * 100, 1)} % below UnblendedCost ${usdText(b.usd)}: a Savings Plan or discount applies`,
    });
  }
  if (
    modelledDollars !== null &&
    requestsAgree &&
    agree(m.durationGbSeconds, b.durationGbSeconds) &&
    b.usd < modelledDollars * (1 - AGREE_SHARE)
  ) {
    reasons.push({ code: 'free-tier', message: 'usage agrees but the bill is lower: the free tier or credits' });
  }
  return reasons;
}

/**
 * Lambda Insights INIT over the compared (known) days next to the bill's unexplained duration:
 * INIT GB-s = init ms per invocation x invocations x memory GB / 1000 (INIT is billed at the
 * function's memory, https://aws.amazon.com/lambda/pricing/), against billed minus modelled
 * duration GB-s. null without Insights INIT data.
 */
function insightsInitCheck(f: FunctionDays, m: Modelled, b: Sums): ReconInsightsInit | null {
  if (f.initMsPerInvocation === null) return null;
  const insightsGbSeconds = ((f.initMsPerInvocation * m.requests) / 1000) * (f.memoryMB / 1024);
  const unexplainedGbSeconds = b.durationGbSeconds - m.durationGbSeconds;
  const deviationGbSeconds = insightsGbSeconds - unexplainedGbSeconds;
  return {
    insightsGbSeconds,
    unexplainedGbSeconds,
    deviationGbSeconds,
    deviationPct: unexplainedGbSeconds !== 0 ? (deviationGbSeconds / unexplainedGbSeconds) * 100 : null,
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> region and name. */
export function functionOfArn(resourceId: string): { region: string; name: string } | null {
  const match = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d*:function:([^:]+)(?::.*)?$/.exec(resourceId);
  return match ? { region: match[1] as string, name: match[2] as string } : null;
}

function dayRange(first: string, last: string): string {
  if (first === last) return first;
  if (first.slice(0, 7) === last.slice(0, 7)) return `${first}..${last.slice(8)}`;
  if (first.slice(0, 4) === last.slice(0, 4)) return `${first}..${last.slice(5)}`;
  return `${first}..${last}`;
}

function pctText(pct: number): string {
  return `${fmt(Math.abs(pct), 1)} %`;
}

function unavailable(input: ReconcileInput, reason: string): ReconcileOutput {
  const { billed, config } = input;
  return {
    reconciliation: {
      status: 'unavailable',
      reason,
      level: billed.level,
      firstDay: null,
      lastDay: null,
      headline: `no reconciliation with the bill: ${reason}`,
      maxDeviationPct: config.reconcile.maxDeviationPct,
      costExplorer: { requests: billed.requests, usd: billed.requests * CE_USD_PER_REQUEST },
      totals: null,
      byRegion: [],
      functions: [],
      init: null,
      lmi: [],
      unknownUsageTypes: [],
    },
    warnings: [{ code: 'reconcile-unavailable', message: `Reconciliation with Cost Explorer: ${reason}` }],
  };
}

const key = (...parts: string[]) => parts.join('\u0000');

/** The capacity provider ARN a tag value names: an ARN itself, or a known provider's name in that region. */
function providerOfTag(value: string, region: string, known: ReadonlySet<string>): string {
  if (value.startsWith('arn:')) return value;
  for (const arn of known) {
    const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d*:capacity-provider:(.+)$/.exec(arn);
    if (m && m[1] === region && m[2] === value) return arn;
  }
  return value;
}

type LmiBilled = Map<string, { region: string; provider: string | null; instanceType: string | null; usd: number; feeHours: number }>;

/**
 * LMI actuals per capacity provider: what the model predicts (management fee + LMI requests +
 * EC2 instances, the function sized as if it were a candidate) next to the bill: the Lambda
 * service's LMI lines and the EC2 instance cost tagged `aws:lambda:capacity-provider`. The
 * instances are in both figures only where the bill has them for that provider; elsewhere they
 * are left out of both, and the row says why (never billed as $0).
 */
function lmiRows(
  input: ReconcileInput,
  days: readonly string[],
  lmiBilled: LmiBilled,
  lmiProviderOfFunction: ReadonlyMap<string, string>,
  daySet: ReadonlySet<string>,
): ReconLmiRow[] {
  const predictedLambda = new Map<string, number>();
  const predictedInstances = new Map<string, number>();
  const predictedHours = new Map<string, number>();
  const predictedVCpus = new Map<string, number>();
  const predictedTypes = new Map<string, Set<string>>();
  for (const p of input.lmiPredictions ?? []) {
    const k = key(p.region, p.capacityProviderArn);
    predictedLambda.set(k, (predictedLambda.get(k) ?? 0) + p.lambdaBilledUsdPerDay * days.length);
    predictedInstances.set(k, (predictedInstances.get(k) ?? 0) + p.instancesUsdPerDay * days.length);
    predictedHours.set(k, (predictedHours.get(k) ?? 0) + p.instanceHoursPerDay * days.length);
    predictedVCpus.set(k, (predictedVCpus.get(k) ?? 0) + p.vCpuAllocatedAvg);
    if (p.instanceType) predictedTypes.set(k, (predictedTypes.get(k) ?? new Set()).add(p.instanceType));
  }
  const metricsOf = new Map((input.lmiMetrics?.providers ?? []).map((m) => [key(m.region, m.capacityProviderArn), m]));
  const billedLambda: LmiBilled = new Map();
  for (const row of lmiBilled.values()) {
    const k = key(row.region, row.provider ?? '');
    const into = billedLambda.get(k) ?? { ...row, usd: 0, feeHours: 0 };
    into.usd += row.usd;
    into.feeHours += row.feeHours;
    if (into.instanceType !== row.instanceType) into.instanceType = into.instanceType ?? row.instanceType;
    billedLambda.set(k, into);
  }
  const known = new Set([...lmiProviderOfFunction.values(), ...(input.lmiPredictions ?? []).map((p) => p.capacityProviderArn)]);
  const instances = input.billed.lmiInstances;
  const billedInstances = new Map<string, { region: string; provider: string; usd: number; netUsd: number | null }>();
  for (const line of instances?.status === 'ok' ? instances.lines : []) {
    if (!daySet.has(line.day)) continue;
    const provider = providerOfTag(line.capacityProvider, line.region, known);
    const k = key(line.region, provider);
    const into = billedInstances.get(k) ?? { region: line.region, provider, usd: 0, netUsd: 0 };
    into.usd += line.unblendedUsd;
    into.netUsd = into.netUsd === null || line.netUnblendedUsd === null ? null : into.netUsd + line.netUnblendedUsd;
    billedInstances.set(k, into);
  }
  const whyNoInstances = (): string => {
    if (!instances) return 'not read (the bill was read without them)';
    if (instances.status !== 'ok') return instances.notes.join('; ') || `Cost Explorer ${instances.status}`;
    if (instances.lines.length === 0) return `no EC2 cost tagged ${LMI_INSTANCE_TAG} on these days (the tag may not be activated as a cost allocation tag)`;
    return 'no EC2 cost tagged with this capacity provider on these days';
  };

  const rows: ReconLmiRow[] = [];
  const resourceLevel = input.billed.level === 'resource';
  const keys = [...new Set([...billedLambda.keys(), ...predictedLambda.keys(), ...billedInstances.keys()])].sort();
  for (const k of keys) {
    const [region, providerKey] = k.split('\u0000') as [string, string];
    const provider = providerKey === '' ? null : providerKey;
    // Without resource-level data the Lambda LMI lines have no provider: they are in the region's
    // row (provider null), so a provider's row can only compare its instances.
    const lambdaParts = resourceLevel || provider === null;
    const lambdaBill = billedLambda.get(k);
    const instancesBill = billedInstances.get(k)?.usd ?? null;
    const instancesNet = billedInstances.get(k)?.netUsd ?? null;
    // EC2 Savings Plans and RIs lower NetUnblendedCost, not UnblendedCost: said, not subtracted
    // (the model's side applies lmi.discount).
    const netNote =
      instancesBill !== null && instancesNet !== null && instancesNet < instancesBill * (1 - DISCOUNT_SHARE)
        ? `; the instances' NetUnblendedCost is ${usdText(instancesNet)} (a Savings Plan or discount applies; lmi.discount ${fmt(input.config.lmi.discount * 100, 0)} % in the model)`
        : '';
    const included = instancesBill !== null;
    const hasPrediction = predictedLambda.has(k);
    const comparable = lambdaParts || included;
    const predictedUsd =
      !hasPrediction || !comparable
        ? null
        : (lambdaParts ? predictedLambda.get(k)! : 0) + (included ? predictedInstances.get(k)! : 0);
    const billedUsd = comparable ? (lambdaParts ? (lambdaBill?.usd ?? 0) : 0) + (included ? instancesBill : 0) : null;
    const where = provider ? `capacity provider ${provider}` : `${region} (provider unknown: no resource-level data)`;
    const notIncluded = `EC2 instances not included: ${whyNoInstances()}`;
    const inRegionRow = "without resource-level data the management fee and LMI requests are in the region's row";
    // The instances' EBS volumes (EC2 - Other) are neither predicted nor read: out of both figures.
    const parts = lambdaParts
      ? included
        ? 'EC2 instances + management fee + LMI requests; their EBS volumes are not included'
        : `management fee + LMI requests; ${notIncluded}`
      : included
        ? `EC2 instances only, their EBS volumes not included: ${inRegionRow}`
        : `${inRegionRow}; ${notIncluded}`;
    const billedText =
      billedUsd === null
        ? 'nothing billed to compare'
        : lambdaParts && !lambdaBill && !included
          ? 'no LMI line in the bill on these days'
          : `billed ${usdText(billedUsd)}`;
    const actuals = provider === null ? null : lmiActuals({
      billedHours: lambdaBill && lambdaBill.feeHours > 0 ? lambdaBill.feeHours : null,
      billedType: lambdaBill?.instanceType ?? null,
      predictedTypes: [...(predictedTypes.get(k) ?? [])].sort(),
      predictedHours: predictedHours.get(k) ?? null,
      predictedVCpus: predictedVCpus.get(k) ?? null,
      metrics: metricsOf.get(k) ?? null,
      metricsNote: input.lmiMetrics
        ? (input.lmiMetrics.notes.find((n) => n.startsWith(`${region} ${capacityProviderName(provider)}:`)) ?? 'CloudWatch has no capacity-provider metrics for it on these days')
        : 'CloudWatch capacity-provider metrics not read (none recorded with this bill)',
    });
    rows.push({
      region,
      capacityProvider: provider,
      instanceType: lambdaBill?.instanceType ?? null,
      billedInstanceHours: actuals?.billedInstanceHours ?? null,
      predictedInstanceHours: actuals?.predictedInstanceHours ?? null,
      cloudWatch: actuals?.cloudWatch ?? null,
      predictedUsd,
      billedUsd,
      instancesIncluded: included,
      predictedInstancesUsd: included && hasPrediction ? predictedInstances.get(k)! : null,
      billedInstancesUsd: instancesBill,
      message:
        (predictedUsd !== null
          ? `${where}: predicted ${usdText(predictedUsd)}, ${billedText} (${parts})${netNote}`
          : hasPrediction
            ? `${where}: predicted ${usdText(predictedLambda.get(k)!)} (management fee + LMI requests), nothing billed to compare: ${inRegionRow}; ${notIncluded}`
            : `${where}: ${billedText} (${parts})${netNote}; no prediction for it`) + (actuals ? `. ${actuals.text}` : ''),
    });
  }
  return rows;
}

/**
 * Actual vs model for one provider, beyond dollars: instance-hours (the management fee's billed
 * quantity vs the model's) and vCPUs allocated to execution environments (CloudWatch's
 * vCPUAllocated vs the model's environments x vCPUs), with CloudWatch's CPUUtilization.
 */
function lmiActuals(a: {
  billedHours: number | null;
  billedType: string | null;
  predictedTypes: string[];
  predictedHours: number | null;
  predictedVCpus: number | null;
  metrics: LmiProviderMetrics | null;
  metricsNote: string;
}): { billedInstanceHours: number | null; predictedInstanceHours: number | null; cloudWatch: ReconLmiRow['cloudWatch']; text: string } {
  const hours =
    a.billedHours === null && a.predictedHours === null
      ? null
      : `instance-hours: billed ${a.billedHours === null ? 'unknown (no fee line for this provider)' : `${fmt(a.billedHours, 1)}${a.billedType ? ` (${a.billedType})` : ''}`}, ` +
        `predicted ${a.predictedHours === null ? 'none' : `${fmt(a.predictedHours, 1)}${a.predictedTypes.length > 0 ? ` (${a.predictedTypes.join(', ')})` : ''}`}`;
  const m = a.metrics;
  let cloudWatch: ReconLmiRow['cloudWatch'] = null;
  let cw: string;
  if (m && m.daysWithData > 0) {
    cloudWatch = {
      instanceTypes: m.instanceTypes,
      cpuUtilizationPctByType: m.cpuUtilizationPctByType,
      vCpuAllocatedAvg: m.vCpuAllocatedAvg,
      vCpuAvailableAvg: m.vCpuAvailableAvg,
      predictedVCpuAllocatedAvg: a.predictedVCpus,
    };
    const cpu = Object.entries(m.cpuUtilizationPctByType)
      .map(([t, v]) => `${t} ${v === null ? 'unknown' : `${fmt(v, 1)} %`}`)
      .join(', ');
    cw =
      `CloudWatch: vCPUs allocated ${m.vCpuAllocatedAvg === null ? 'unknown' : fmt(m.vCpuAllocatedAvg, 1)} on average ` +
      `(model ${a.predictedVCpus === null ? 'none' : fmt(a.predictedVCpus, 1)}), available ${m.vCpuAvailableAvg === null ? 'unknown' : fmt(m.vCpuAvailableAvg, 1)}, ` +
      `CPU utilisation ${cpu || 'unknown'} (${m.daysWithData} day(s))`;
  } else {
    cw = a.metricsNote;
  }
  return {
    billedInstanceHours: a.billedHours,
    predictedInstanceHours: a.predictedHours,
    cloudWatch,
    text: [hours, cw].filter((x) => x !== null).join('; '),
  };
}

export function reconcile(input: ReconcileInput): ReconcileOutput {
  const { billed, config, priceBook, table } = input;
  if (billed.status !== 'ok') {
    return unavailable(input, billed.notes.join('; ') || `Cost Explorer ${billed.status}`);
  }
  const days = wholeDays(input.window).filter((d) => d >= billed.startDay && d < billed.endDay);
  if (days.length === 0) {
    return unavailable(input, `no whole UTC day of the window ${input.window.start}..${input.window.end} is in the bill's days ${billed.startDay}..${billed.endDay}`);
  }
  const daySet = new Set(days);
  const discount = config.pricing.lambdaDiscount;
  const resourceLevel = billed.level === 'resource';
  const warnings: ReportWarning[] = [];

  // ---- modelled side: per function over the compared days (resource level: known days only) ----
  const modelledByFunction = new Map<string, { f: FunctionDays; m: Modelled; knownDays: Set<string> }>();
  for (const f of input.functions) {
    if (f.alreadyOnLmi) continue;
    const m = emptyModelled();
    const knownDays = new Set<string>();
    for (const d of f.days) {
      if (!daySet.has(d.day)) continue;
      // Unknown metrics or unknown PC: the day is left out (never read as 0).
      if (d.requests === null || d.onDemandGbSeconds === null || d.pcDurationGbSeconds === null || d.storageGbSeconds === null || d.pcGbSeconds === null) {
        m.unknownDays++;
        continue;
      }
      knownDays.add(d.day);
      m.requests += d.requests;
      m.onDemandGbSeconds += d.onDemandGbSeconds;
      m.pcDurationGbSeconds += d.pcDurationGbSeconds;
      m.durationGbSeconds += d.onDemandGbSeconds + d.pcDurationGbSeconds;
      m.pcGbSeconds += d.pcGbSeconds;
      m.storageGbSeconds += d.storageGbSeconds;
    }
    modelledByFunction.set(key(f.region, f.name), { f, m, knownDays });
  }

  // ---- billed side ----
  const unknown = new Map<string, ReconUnknownUsageType>();
  const billedByRegion = new Map<string, Sums>();
  const billedByFunction = new Map<string, { sums: Sums; architecture: Architecture | null; region: string; name: string }>();
  const lmiBilled: LmiBilled = new Map();
  const lmiProviderOfFunction = new Map<string, string>();
  for (const p of input.lmiPredictions ?? []) lmiProviderOfFunction.set(key(p.region, p.name), p.capacityProviderArn);
  for (const line of billed.lines) {
    if (!daySet.has(line.day)) continue;
    const parsed = parseUsageType(line.usageType, table);
    if (parsed.kind === 'unknown') {
      const u = unknown.get(line.usageType) ?? { usageType: line.usageType, reason: parsed.reason, billedUsd: 0, quantity: 0 };
      u.billedUsd += line.unblendedUsd;
      u.quantity += line.quantity;
      unknown.set(line.usageType, u);
      continue;
    }
    if (parsed.kind === 'freeTier') continue; // price 0: the discount shows in the priced lines.
    const region = parsed.region ?? line.region ?? 'unknown';
    if (parsed.kind === 'lmiFee' || parsed.kind === 'lmiRequests') {
      const fn = line.resourceId ? functionOfArn(line.resourceId) : null;
      const provider = line.resourceId?.includes(':capacity-provider')
        ? line.resourceId
        : fn
          ? (lmiProviderOfFunction.get(key(fn.region, fn.name)) ?? null)
          : null;
      const k = key(region, provider ?? '', parsed.kind === 'lmiFee' ? (parsed.instanceType ?? '') : '');
      const row = lmiBilled.get(k) ?? { region, provider, instanceType: parsed.kind === 'lmiFee' ? (parsed.instanceType ?? null) : null, usd: 0, feeHours: 0 };
      row.usd += line.unblendedUsd;
      // The fee is billed per instance-hour: its quantity is the instance-hours the provider ran.
      if (parsed.kind === 'lmiFee') row.feeHours += line.quantity;
      lmiBilled.set(k, row);
      continue;
    }
    const arch = parsed.architecture ?? 'x86_64';
    if (resourceLevel) {
      const fn = line.resourceId ? functionOfArn(line.resourceId) : null;
      if (!fn) {
        const u = unknown.get(`${line.usageType} ${line.resourceId ?? '(no resource)'}`) ?? {
          usageType: line.usageType,
          reason: `resource "${line.resourceId ?? ''}" is not a Lambda function ARN`,
          billedUsd: 0,
          quantity: 0,
        };
        u.billedUsd += line.unblendedUsd;
        u.quantity += line.quantity;
        unknown.set(`${line.usageType} ${line.resourceId ?? '(no resource)'}`, u);
        continue;
      }
      const mf = modelledByFunction.get(key(fn.region, fn.name));
      // A day the model does not know is left out of both sides.
      if (mf && !mf.knownDays.has(line.day)) continue;
      const k = key(fn.region, fn.name);
      const entry = billedByFunction.get(k) ?? { sums: emptySums(), architecture: arch, region: fn.region, name: fn.name };
      addLine(entry.sums, parsed, line);
      billedByFunction.set(k, entry);
      // Functions outside the analysed set (filters) get their own row, not the region totals.
      if (!mf) continue;
    }
    const rk = key(region, arch);
    const sums = billedByRegion.get(rk) ?? emptySums();
    addLine(sums, parsed, line);
    billedByRegion.set(rk, sums);
  }

  const hoursCompared = days.length * 24;
  const perMonth = HOURS_PER_MONTH / hoursCompared;
  const firstTierOf = (region: string, arch: Architecture): number | null =>
    priceBook.regions[region]?.lambda?.durationTiers[arch][0]?.usdPerGbSecond ?? null;

  // ---- per function (resource level) ----
  const functions: ReconFunctionRow[] = [];
  if (resourceLevel) {
    const keys = new Set([...modelledByFunction.keys(), ...billedByFunction.keys()]);
    for (const k of keys) {
      const mf = modelledByFunction.get(k);
      const bf = billedByFunction.get(k);
      const region = mf?.f.region ?? bf!.region;
      const name = mf?.f.name ?? bf!.name;
      const arch = mf?.f.architecture ?? bf?.architecture ?? null;
      if (mf && !bf && mf.m.requests === 0 && mf.m.pcGbSeconds === 0) continue; // idle, nothing billed
      const prices = priceBook.regions[region]?.lambda;
      const usd = mf && arch ? modelledUsd(mf.m, prices, arch, discount) : null;
      const reasons: ReconReason[] = [];
      if (mf && bf) reasons.push(...reasonsFor(mf.m, bf.sums, usd));
      else if (mf) reasons.push({ code: 'not-billed', message: 'the model has usage but the bill has no line for this function on these days' });
      else reasons.push({ code: 'not-modelled', message: 'billed, but not in the analysed functions (filtered out, deleted or not listed)' });
      const firstTier = arch ? firstTierOf(region, arch) : null;
      const initGbs = mf && bf ? (bf.sums.durationGbSeconds - mf.m.durationGbSeconds) * perMonth : null;
      const insightsInit = mf && bf ? insightsInitCheck(mf.f, mf.m, bf.sums) : null;
      functions.push({
        region,
        name,
        architecture: arch,
        ...quantities(mf?.m ?? null, usd, bf?.sums ?? null),
        initGbSecondsPerMonth: initGbs,
        initUsdPerMonth: initGbs !== null && firstTier !== null ? initGbs * firstTier * (1 - discount) : null,
        insightsInit,
        reasons,
      });
    }
    // Largest absolute $ deviation first, to a tenth of a cent (float noise is not an order).
    const size = (f: ReconFunctionRow) => Math.round(Math.abs(f.usd.deviation ?? f.usd.billed ?? f.usd.modelled ?? 0) * 1000);
    functions.sort(
      (a, b) =>
        size(b) - size(a) ||
        (a.region < b.region ? -1 : a.region > b.region ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  // ---- per region x architecture ----
  const modelledByRegion = new Map<string, Modelled>();
  for (const { f, m } of modelledByFunction.values()) {
    const rk = key(f.region, f.architecture);
    const into = modelledByRegion.get(rk) ?? emptyModelled();
    addModelled(into, m);
    modelledByRegion.set(rk, into);
  }
  const byRegion: ReconRegionRow[] = [];
  const totalM = emptyModelled();
  const totalB = emptySums();
  let totalUsd: number | null = 0;
  for (const rk of [...new Set([...modelledByRegion.keys(), ...billedByRegion.keys()])].sort()) {
    const [region, arch] = rk.split('\u0000') as [string, Architecture];
    const m = modelledByRegion.get(rk) ?? emptyModelled();
    const b = billedByRegion.get(rk) ?? emptySums();
    if (m.requests === 0 && m.pcGbSeconds === 0 && b.lines === 0) continue;
    const usd = modelledUsd(m, priceBook.regions[region]?.lambda, arch, discount);
    const reasons = b.lines === 0
      ? [{ code: 'not-billed' as const, message: 'no bill line for this region and architecture on these days' }]
      : reasonsFor(m, b, usd);
    byRegion.push({ region, architecture: arch, ...quantities(m, usd, b), reasons });
    addModelled(totalM, m);
    addSums(totalB, b);
    totalUsd = totalUsd === null || usd === null ? null : totalUsd + usd;
  }
  const totals = quantities(totalM, totalUsd, totalB);

  // ---- INIT (billed minus modelled duration), per month ----
  let init: Reconciliation['init'] = null;
  const rows: { region: string; architecture: Architecture | null; durationGbSeconds: ReconFigure }[] = resourceLevel ? functions : byRegion;
  let initGbs = 0;
  let initUsd = 0;
  let any = false;
  for (const r of rows) {
    if (r.durationGbSeconds.deviation === null || r.architecture === null) continue;
    const extra = -r.durationGbSeconds.deviation * perMonth;
    const tier = firstTierOf(r.region, r.architecture);
    any = true;
    initGbs += extra;
    if (tier !== null) initUsd += extra * tier * (1 - discount);
  }
  if (any) init = { gbSecondsPerMonth: initGbs, usdPerMonth: initUsd };

  // ---- LMI actuals: Lambda lines (fee, requests) + the EC2 instances, per capacity provider ----
  const lmi = lmiRows(input, days, lmiBilled, lmiProviderOfFunction, daySet);

  // ---- headline and warnings ----
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const span = dayRange(first, last);
  const max = config.reconcile.maxDeviationPct;
  const pct = totals.usd.deviationPct;
  let headline: string;
  if (pct === null) {
    headline = totals.usd.billed === 0
      ? `the bill shows no standard Lambda cost for ${span}`
      : `modelled standard cost for ${span} cannot be compared with the bill (prices missing)`;
  } else {
    const side = Math.abs(pct) <= max ? `within ${pctText(pct)} of` : `${pctText(pct)} ${pct < 0 ? 'below' : 'above'}`;
    headline = `modelled standard cost for ${span} is ${side} the bill (${usdText(totals.usd.modelled!)} modelled, ${usdText(totals.usd.billed!)} billed)`;
  }
  if (pct !== null && Math.abs(pct) > max) {
    warnings.push({
      code: 'reconcile-deviation',
      message: `The model is ${pctText(pct)} ${pct < 0 ? 'below' : 'above'} the bill for ${span} (more than reconcile.maxDeviationPct ${max} %): see the Reconciliation section.`,
    });
  }
  const unknownList = [...unknown.values()].sort((a, b) => (a.usageType < b.usageType ? -1 : a.usageType > b.usageType ? 1 : 0));
  if (unknownList.length > 0) {
    warnings.push({
      code: 'unknown-usage-type',
      message: `${unknownList.length} Lambda usage type(s) in the bill are not understood and are left out of the comparison: ${unknownList.map((u) => u.usageType).join(', ')} (${usdText(unknownList.reduce((s, u) => s + u.billedUsd, 0))}).`,
    });
  }

  return {
    reconciliation: {
      status: 'ok',
      reason: billed.notes.length > 0 ? billed.notes.join('; ') : null,
      level: billed.level,
      firstDay: first,
      lastDay: last,
      headline,
      maxDeviationPct: max,
      costExplorer: { requests: billed.requests, usd: billed.requests * CE_USD_PER_REQUEST },
      totals,
      byRegion,
      functions,
      init,
      lmi,
      unknownUsageTypes: unknownList,
    },
    warnings,
  };
}
