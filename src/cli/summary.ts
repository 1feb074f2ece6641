import { RECOMMENDATIONS, type FunctionReport, type ReportModel } from '../report/types.js';
import { failedRegions, migrateOpportunities, reviewCandidates, verdictKnobs, verdictStory } from '../render/verdict.js';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });

/** USD with cents, e.g. `$1,234.56`, `-$3.10`. */
export function formatUsd(usd: number): string {
  return money.format(usd);
}

/**
 * The short text the CLI prints after `analyze`: totals per month and year, counts per
 * recommendation, the five biggest opportunities, the warnings count and where the files went.
 */
export function formatSummary(model: ReportModel, files: string[]): string {
  const t = model.totals;
  const lines: string[] = [];
  lines.push(
    `lmi-advisor: ${model.functions.length} functions analysed, account ${model.accountId}, ` +
      `${model.window.start} to ${model.window.end} (${round(model.window.hours)} h)`,
  );
  lines.push('');
  const rows: [string, string][] = [
    ['standard Lambda / month', formatUsd(t.standardUsd)],
    ['recommended plan / month', formatUsd(t.recommendedUsd)],
    ['savings / month', formatUsd(t.savingsUsd)],
    ['savings / year', formatUsd(t.savingsUsd * 12)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value.padStart(valueWidth)}`);
  if (t.freeTierCreditUsd > 0) lines.push(`  (free tier credit ${formatUsd(t.freeTierCreditUsd)} included)`);
  if (t.unpricedFunctions > 0) lines.push(`  ${t.unpricedFunctions} function(s) left out of the totals (cost unknown or already on LMI)`);
  lines.push('');
  lines.push(`recommendations: ${RECOMMENDATIONS.map((r) => `${r} ${t.counts[r] ?? 0}`).join(', ')}`);

  // Only `migrate` savings are ranked as plain figures; `review` is listed apart, with its condition.
  const knobs = verdictKnobs(model);
  const top = migrateOpportunities(model.functions).slice(0, 5);
  if (top.length > 0) {
    lines.push('top opportunities (migrate, function alone, per month):');
    const nameWidth = Math.max(...top.map((f) => `${f.region}/${f.name}`.length));
    const usdWidth = Math.max(...top.map((f) => formatUsd(f.savingsUsd ?? 0).length));
    top.forEach((f, i) => {
      lines.push(`  ${i + 1}. ${`${f.region}/${f.name}`.padEnd(nameWidth)}  ${f.recommendation.padEnd(7)}  ${formatUsd(f.savingsUsd ?? 0).padStart(usdWidth)}`);
    });
  } else {
    lines.push('top opportunities (migrate): none');
  }
  const reviews = reviewCandidates(model.functions);
  if (reviews.length > 0) {
    lines.push('review (cheaper only under a condition, not in the savings):');
    const line = (f: FunctionReport): string => `  - ${f.region}/${f.name}: ${verdictStory(f, knobs).headline}`;
    lines.push(...reviews.slice(0, 5).map(line));
    if (reviews.length > 5) lines.push(`  and ${reviews.length - 5} more in the report`);
  }
  lines.push(`warnings: ${model.warnings.length}${model.warnings.length > 0 ? ' (listed in the report)' : ''}`);
  const failed = failedRegions(model);
  if (!model.run.complete || failed.length > 0) {
    lines.push(
      failed.length > 0
        ? `INCOMPLETE: regions not collected: ${failed.join(', ')}; see the warnings`
        : 'INCOMPLETE: a region, account or API failed while recording; see the warnings',
    );
  }
  lines.push(`prices: ${model.prices.source}, as of ${model.prices.asOf}`);
  const recon = model.reconciliation;
  if (recon) lines.push(`bill: ${recon.headline}; Cost Explorer: ${recon.costExplorer.requests} request(s), ${formatUsd(recon.costExplorer.usd)}`);
  lines.push(files.length > 0 ? `written: ${files.join(', ')}` : 'written: nothing');
  return `${lines.join('\n')}\n`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
