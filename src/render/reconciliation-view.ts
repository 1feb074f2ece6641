/**
 * The Reconciliation section's view (templates/partials/md-reconciliation.hbs and
 * html-reconciliation.hbs): the bill next to the model, formatted. Pure.
 */
import type { ReconFigure, ReconQuantities, ReportModel } from '../report/types.js';
import { formatNumber, formatUsd } from './format.js';

/** Functions shown in the section (largest $ deviation first); report.json holds all. */
export const RECON_MAX_FUNCTIONS = 10;

export interface ReconRowView {
  label: string;
  modelled: string;
  billed: string;
  deviation: string;
  pct: string;
}

export interface ReconciliationView {
  headline: string;
  ok: boolean;
  reason: string | null;
  level: string;
  overMax: boolean;
  maxDeviationPct: string;
  costExplorer: string;
  lmi: { message: string }[];
  totals: ReconRowView[];
  billedNet: string | null;
  regions: { region: string; architecture: string; modelled: string; billed: string; deviation: string; pct: string; reasons: string }[];
  functions: { name: string; region: string; modelled: string; billed: string; deviation: string; pct: string; init: string; reasons: string }[];
  /** Functions with a Lambda Insights INIT comparison (all of them, not only the largest). */
  insightsInit: { name: string; region: string; insights: string; unexplained: string; deviation: string; pct: string }[];
  functionsMore: number;
  init: string | null;
  unknownUsageTypes: { usageType: string; reason: string; billed: string; quantity: string }[];
}

function pct(f: ReconFigure): string {
  if (f.deviationPct === null) return 'unknown';
  const text = formatNumber(f.deviationPct, 1);
  return `${f.deviationPct > 0 && text !== '0.0' ? '+' : ''}${text} %`;
}

function row(label: string, f: ReconFigure, usd: boolean): ReconRowView {
  const fmt = (v: number | null) => (usd ? formatUsd(v) : formatNumber(v));
  return { label, modelled: fmt(f.modelled), billed: fmt(f.billed), deviation: fmt(f.deviation), pct: pct(f) };
}

function totalsRows(q: ReconQuantities): ReconRowView[] {
  return [
    row('Requests', q.requests, false),
    row('Duration GB-s (on demand + on PC)', q.durationGbSeconds, false),
    row('Provisioned concurrency GB-s', q.pcGbSeconds, false),
    row('Cost (list price vs UnblendedCost)', q.usd, true),
  ];
}

export function reconciliationView(model: ReportModel): ReconciliationView | null {
  const r = model.reconciliation;
  if (!r) return null;
  const overMax = r.totals?.usd.deviationPct != null && Math.abs(r.totals.usd.deviationPct) > r.maxDeviationPct;
  return {
    headline: r.headline,
    ok: r.status === 'ok',
    reason: r.reason,
    level:
      r.level === 'resource'
        ? 'per function (Cost Explorer resource-level data)'
        : r.level === 'region'
          ? 'per region and architecture (resource-level data not available)'
          : 'none',
    overMax,
    maxDeviationPct: `${formatNumber(r.maxDeviationPct, 1)} %`,
    costExplorer: `${formatNumber(r.costExplorer.requests)} Cost Explorer request(s), ${formatUsd(r.costExplorer.usd)}`,
    lmi: r.lmi.map((l) => ({ message: l.message })),
    totals: r.totals ? totalsRows(r.totals) : [],
    billedNet: r.totals && r.totals.billedNetUsd !== null ? formatUsd(r.totals.billedNetUsd) : null,
    regions: r.byRegion.map((b) => ({
      region: b.region,
      architecture: b.architecture,
      modelled: formatUsd(b.usd.modelled),
      billed: formatUsd(b.usd.billed),
      deviation: formatUsd(b.usd.deviation),
      pct: pct(b.usd),
      reasons: b.reasons.map((x) => x.message).join('; ') || '-',
    })),
    functions: r.functions.slice(0, RECON_MAX_FUNCTIONS).map((f) => ({
      name: f.name,
      region: f.region,
      modelled: formatUsd(f.usd.modelled),
      billed: formatUsd(f.usd.billed),
      deviation: formatUsd(f.usd.deviation),
      pct: pct(f.usd),
      init:
        f.initGbSecondsPerMonth === null
          ? 'unknown'
          : `${formatNumber(f.initGbSecondsPerMonth)} GB-s (${formatUsd(f.initUsdPerMonth)})`,
      reasons: f.reasons.map((x) => x.message).join('; ') || '-',
    })),
    insightsInit: r.functions.flatMap((f) =>
      f.insightsInit
        ? [
            {
              name: f.name,
              region: f.region,
              insights: `${formatNumber(f.insightsInit.insightsGbSeconds, 1)} GB-s`,
              unexplained: `${formatNumber(f.insightsInit.unexplainedGbSeconds, 1)} GB-s`,
              deviation: `${formatNumber(f.insightsInit.deviationGbSeconds, 1)} GB-s`,
              pct: f.insightsInit.deviationPct === null ? 'unknown' : `${f.insightsInit.deviationPct > 0 ? '+' : ''}${formatNumber(f.insightsInit.deviationPct, 1)} %`,
            },
          ]
        : [],
    ),
    functionsMore: Math.max(0, r.functions.length - RECON_MAX_FUNCTIONS),
    init: r.init ? `${formatNumber(r.init.gbSecondsPerMonth)} GB-s (${formatUsd(r.init.usdPerMonth)}) per month` : null,
    unknownUsageTypes: r.unknownUsageTypes.map((u) => ({
      usageType: u.usageType,
      reason: u.reason,
      billed: formatUsd(u.billedUsd),
      quantity: formatNumber(u.quantity),
    })),
  };
}

/**
 * The digests' line about the bill (Slack, email): the headline, flagged when the model is beyond
 * reconcile.maxDeviationPct or nothing could be compared; LMI actuals follow. null without --reconcile.
 */
export function reconciliationDigest(model: ReportModel): { warning: boolean; lines: string[] } | null {
  const r = model.reconciliation;
  if (!r) return null;
  const beyond = r.totals?.usd.deviationPct != null && Math.abs(r.totals.usd.deviationPct) > r.maxDeviationPct;
  const warning = beyond || r.status !== 'ok';
  const head = beyond
    ? `Bill check: ${r.headline} (beyond reconcile.maxDeviationPct ${formatNumber(r.maxDeviationPct, 1)} %)`
    : `Bill check: ${r.headline}`;
  return { warning, lines: [head, ...r.lmi.map((l) => `LMI actuals: ${l.message}`)] };
}
