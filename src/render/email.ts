import { reconciliationDigest } from './reconciliation-view.js';
import type { FunctionReport, ReportModel } from '../report/types.js';
import {
  changeLines,
  formatUsd,
  incompleteText,
  reportDate,
  topOpportunities,
  topReviews,
  yearlyUsd,
  type DigestOptions,
} from './slack.js';
import { failedRegions, reviewCandidates, verdictKnobs, verdictStory } from './verdict.js';

/**
 * Email digest (pure): subject, HTML part with inline CSS only (mail clients drop <style> and
 * external sheets), and a plain-text part with the same facts. Every user-controlled string is
 * HTML-escaped.
 */

export interface EmailDigest {
  subject: string;
  html: string;
  text: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Only http(s) links go into an href: a `javascript:` URL from a bad config must not. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  return /^https?:\/\//i.test(url) ? url : null;
}

const S = {
  body: 'margin:0;padding:16px;background:#f5f6f8;font-family:Arial,Helvetica,sans-serif;color:#1d1d1f;font-size:14px;line-height:1.4',
  card: 'max-width:680px;margin:0 auto;background:#ffffff;border:1px solid #dcdfe4;border-radius:6px;padding:20px',
  h1: 'margin:0 0 12px 0;font-size:20px;font-weight:bold',
  h2: 'margin:20px 0 8px 0;font-size:16px;font-weight:bold',
  warn: 'margin:0 0 12px 0;padding:8px 12px;background:#fff4e5;border:1px solid #f0b400;border-radius:4px',
  table: 'border-collapse:collapse;width:100%',
  th: 'text-align:left;padding:6px 8px;border-bottom:2px solid #dcdfe4;font-size:13px',
  td: 'padding:6px 8px;border-bottom:1px solid #eceef1;font-size:13px',
  num: 'padding:6px 8px;border-bottom:1px solid #eceef1;font-size:13px;text-align:right;white-space:nowrap',
  button: 'display:inline-block;padding:10px 16px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold',
  small: 'color:#5f6368;font-size:12px',
  code: 'font-family:Consolas,Menlo,monospace;font-size:13px',
} as const;

/** A function's row: name, region, and the verdict (its colour) with the report's headline. */
function storyRow(f: FunctionReport, story: ReturnType<typeof verdictStory>): string {
  return `<tr><td style="${S.td}"><span style="${S.code}">${escapeHtml(f.name)}</span></td><td style="${S.td}">${escapeHtml(f.region)}</td><td style="${S.td}"><strong style="color:${story.colour}">${escapeHtml(story.label)}</strong>: <span style="color:${story.colour}">${escapeHtml(story.headline)}</span></td></tr>`;
}

export function renderEmailDigest(model: ReportModel, options: DigestOptions = {}): EmailDigest {
  const t = model.totals;
  const date = reportDate(model);
  const top = topOpportunities(model, options.topN ?? 5);
  const reviews = topReviews(model, options.topN ?? 5);
  const moreReviews = reviewCandidates(model.functions).length - reviews.length;
  const knobs = verdictKnobs(model);
  const story = (f: FunctionReport) => verdictStory(f, knobs);
  const url = safeUrl(options.reportUrl);
  const incomplete = !model.run.complete || failedRegions(model).length > 0;
  const analysed = model.functions.length;

  const subject = `LMI advisor ${date}: ${formatUsd(t.savingsUsd)}/month savings across ${analysed} functions (account ${model.accountId})${incomplete ? ' [incomplete]' : ''}`;

  const totalsRows: [string, string][] = [
    ['Savings / month', formatUsd(t.savingsUsd)],
    ['Savings / year', formatUsd(yearlyUsd(t.savingsUsd))],
    ['Standard Lambda / month', formatUsd(t.standardUsd)],
    ['Recommended / month', formatUsd(t.recommendedUsd)],
    ['Functions analysed', `${analysed} (${t.counts.migrate} migrate, ${t.counts.review} review, ${t.counts.stay} stay)`],
    ['Warnings', String(model.warnings.length)],
  ];
  const changes = model.changes ? changeLines(model.changes, (key) => key) : null;
  const bill = reconciliationDigest(model);

  const html = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    `</title></head><body style="${S.body}"><div style="${S.card}">`,
    `<h1 style="${S.h1}">LMI advisor: account ${escapeHtml(model.accountId)}, ${escapeHtml(date)}</h1>`,
    incomplete
      ? `<p style="${S.warn}"><strong>Incomplete run:</strong> ${escapeHtml(incompleteText(model))}; figures cover only what was collected.</p>`
      : '',
    ...(bill ? bill.lines.map((l, i) => `<p${i === 0 && bill.warning ? ` style="${S.warn}"` : ''}>${escapeHtml(l)}</p>`) : []),
    `<table style="${S.table}" role="presentation">`,
    ...totalsRows.map(([k, v]) => `<tr><td style="${S.td}">${escapeHtml(k)}</td><td style="${S.num}">${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<h2 style="${S.h2}">Top opportunities (migrate)</h2>`,
    top.length === 0
      ? '<p>None tonight.</p>'
      : [
          `<table style="${S.table}"><tr><th style="${S.th}">Function</th><th style="${S.th}">Region</th><th style="${S.th}">Verdict</th></tr>`,
          ...top.map((f) => storyRow(f, story(f))),
          '</table>',
        ].join(''),
    reviews.length === 0
      ? ''
      : [
          `<h2 style="${S.h2}">Review: cheaper only under a condition, not in the savings</h2>`,
          `<table style="${S.table}"><tr><th style="${S.th}">Function</th><th style="${S.th}">Region</th><th style="${S.th}">Verdict</th></tr>`,
          ...reviews.map((f) => storyRow(f, story(f))),
          '</table>',
          moreReviews > 0 ? `<p style="${S.small}">And ${moreReviews} more in the report.</p>` : '',
        ].join(''),
    `<h2 style="${S.h2}">What changed since last run</h2>`,
    changes
      ? `<ul>${changes.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
      : '<p>First run: no previous report to compare with.</p>',
    url ? `<p style="margin:20px 0"><a href="${escapeHtml(url)}" style="${S.button}">Open the full report</a></p>` : '',
    `<p style="${S.small}">Prices: ${escapeHtml(model.prices.source)} as of ${escapeHtml(model.prices.asOf)}. Money per month of 730 h. ${escapeHtml(model.run.tool)} ${escapeHtml(model.run.version)}</p>`,
    '</div></body></html>',
  ].join('');

  const text = [
    `LMI advisor: account ${model.accountId}, ${date}`,
    incomplete ? `\nINCOMPLETE RUN: ${incompleteText(model)}; figures cover only what was collected.` : '',
    ...(bill ? ['', ...bill.lines.map((l, i) => (i === 0 && bill.warning ? `WARNING ${l}` : l))] : []),
    '',
    ...totalsRows.map(([k, v]) => `${k}: ${v}`),
    '',
    'Top opportunities (migrate):',
    ...(top.length === 0 ? ['  none tonight'] : top.map((f) => `  - ${f.name} (${f.region}): ${story(f).label}: ${story(f).headline}`)),
    '',
    ...(reviews.length === 0
      ? []
      : [
          'Review: cheaper only under a condition, not in the savings:',
          ...reviews.map((f) => `  - ${f.name} (${f.region}): ${story(f).label}: ${story(f).headline}`),
          ...(moreReviews > 0 ? [`  and ${moreReviews} more in the report`] : []),
          '',
        ]),
    'What changed since last run:',
    ...(changes ? changes.map((l) => `  - ${l}`) : ['  first run: no previous report to compare with']),
    '',
    url ? `Full report: ${url}` : '',
    `Prices: ${model.prices.source} as of ${model.prices.asOf}. Money per month of 730 h.`,
  ]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');

  return { subject, html, text };
}
