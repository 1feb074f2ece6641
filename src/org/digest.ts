import { escapeHtml, type EmailDigest } from '../render/email.js';
import {
  code,
  escapeMrkdwn,
  fitLines,
  formatUsd,
  formatUsdDelta,
  SLACK_MAX_HEADER,
  SLACK_MAX_TEXT,
  SLACK_MAX_URL,
  yearlyUsd,
  type SlackBlock,
  type SlackMessage,
} from '../render/slack.js';
import type { OrgReportModel } from './types.js';

/**
 * The organization's Slack and email digests (pure): org totals, the accounts with the most
 * savings, the top opportunities across accounts, what was not read, the change since the last
 * run and a link to the org page. Every account string is escaped for its medium.
 */

export interface OrgDigestOptions {
  reportUrl?: string | null;
  topN?: number;
}

function accountLabel(a: { accountId: string; name: string | null }): string {
  return a.name ? `${a.accountId} (${a.name})` : a.accountId;
}

function topAccounts(org: OrgReportModel, n: number) {
  return org.accounts
    .filter((a) => a.totals !== null)
    .sort((x, y) => y.totals!.savingsUsd - x.totals!.savingsUsd || (x.accountId < y.accountId ? -1 : 1))
    .slice(0, n);
}

export function renderOrgSlackDigest(org: OrgReportModel, options: OrgDigestOptions = {}): SlackMessage {
  const t = org.totals;
  const date = org.run.generatedAt.slice(0, 10);
  const n = options.topN ?? 5;
  const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: text.slice(0, SLACK_MAX_TEXT) });
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `LMI advisor: ${org.accounts.length} accounts, ${date}`.slice(0, SLACK_MAX_HEADER), emoji: false } },
  ];
  if (!org.run.complete) {
    blocks.push({ type: 'section', text: mrkdwn(`:warning: *Incomplete run*: ${org.failures.length} account(s) or region(s) not read; totals cover only what was read.`) });
  }
  blocks.push({
    type: 'section',
    fields: [
      mrkdwn(`*Savings / month*\n${formatUsd(t.savingsUsd)}`),
      mrkdwn(`*Savings / year*\n${formatUsd(yearlyUsd(t.savingsUsd))}`),
      mrkdwn(`*Standard Lambda / month*\n${formatUsd(t.standardUsd)}`),
      mrkdwn(`*Recommended / month*\n${formatUsd(t.recommendedUsd)}`),
    ],
  });
  const accounts = topAccounts(org, n);
  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'section',
    text: mrkdwn(`*Accounts with the most savings*\n${fitLines(accounts.map((a) => `• ${escapeMrkdwn(accountLabel(a))}: ${formatUsd(a.totals!.savingsUsd)}/month, ${a.totals!.counts.migrate} to migrate`), SLACK_MAX_TEXT - 40) || 'None.'}`),
  });
  const top = org.topOpportunities.slice(0, n);
  blocks.push({
    type: 'section',
    text: mrkdwn(top.length === 0 ? '*Top opportunities*\nNone tonight.' : `*Top opportunities*\n${fitLines(top.map((o) => `• ${code(o.name)} (${escapeMrkdwn(o.accountId)} ${escapeMrkdwn(o.region)}): saves ${formatUsd(o.savingsUsd)}/month`), SLACK_MAX_TEXT - 30)}`),
  });
  if (org.failures.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(`*Not read*\n${fitLines(org.failures.map((f) => `• ${escapeMrkdwn(`${f.accountId ?? 'organization'}${f.region ? ` ${f.region}` : ''}: ${f.message}`)}`), SLACK_MAX_TEXT - 20)}`) });
  }
  if (org.changes) {
    blocks.push({ type: 'context', elements: [mrkdwn(`Savings ${formatUsdDelta(org.changes.savingsDeltaUsd)}/month since ${escapeMrkdwn(org.changes.previousGeneratedAt.slice(0, 10))}${org.changes.newAccounts.length ? `; new accounts: ${org.changes.newAccounts.length}` : ''}`)] });
  }
  if (options.reportUrl && options.reportUrl.length <= SLACK_MAX_URL) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the organization report' }, url: options.reportUrl, style: 'primary' }] });
  }
  return { text: `LMI advisor ${date}: ${formatUsd(t.savingsUsd)}/month savings across ${org.accounts.length} accounts${org.run.complete ? '' : ' (incomplete)'}`, blocks };
}

export function renderOrgEmailDigest(org: OrgReportModel, options: OrgDigestOptions = {}): EmailDigest {
  const t = org.totals;
  const date = org.run.generatedAt.slice(0, 10);
  const n = options.topN ?? 5;
  const url = options.reportUrl && /^https?:\/\//i.test(options.reportUrl) ? options.reportUrl : null;
  const subject = `LMI advisor ${date}: ${formatUsd(t.savingsUsd)}/month savings across ${org.accounts.length} accounts${org.run.complete ? '' : ' [incomplete]'}`;
  const accounts = topAccounts(org, n);
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td style="padding:4px 8px;border-bottom:1px solid #eceef1">${c}</td>`).join('')}</tr>`;
  const html = [
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px">`,
    `<h1 style="font-size:20px">LMI advisor: ${org.accounts.length} accounts, ${escapeHtml(date)}</h1>`,
    org.run.complete ? '' : `<p style="padding:8px;background:#fff4e5;border:1px solid #f0b400"><strong>Incomplete run:</strong> ${org.failures.length} account(s) or region(s) not read.</p>`,
    `<p>Savings ${escapeHtml(formatUsd(t.savingsUsd))}/month (${escapeHtml(formatUsd(yearlyUsd(t.savingsUsd)))}/year): standard Lambda ${escapeHtml(formatUsd(t.standardUsd))}/month, recommended ${escapeHtml(formatUsd(t.recommendedUsd))}/month.</p>`,
    `<h2 style="font-size:16px">Accounts with the most savings</h2><table style="border-collapse:collapse">`,
    ...accounts.map((a) => row([escapeHtml(accountLabel(a)), escapeHtml(formatUsd(a.totals!.savingsUsd))])),
    `</table><h2 style="font-size:16px">Top opportunities</h2><table style="border-collapse:collapse">`,
    ...org.topOpportunities.slice(0, n).map((o) => row([`<code>${escapeHtml(o.name)}</code>`, escapeHtml(`${o.accountId} ${o.region}`), escapeHtml(formatUsd(o.savingsUsd))])),
    '</table>',
    org.failures.length ? `<h2 style="font-size:16px">Not read</h2><ul>${org.failures.map((f) => `<li>${escapeHtml(`${f.accountId ?? 'organization'}${f.region ? ` ${f.region}` : ''}: ${f.message}`)}</li>`).join('')}</ul>` : '',
    url ? `<p><a href="${escapeHtml(url)}">Open the organization report</a></p>` : '',
    '</body></html>',
  ].join('');
  const text = [
    subject,
    '',
    `Standard Lambda ${formatUsd(t.standardUsd)}/month, recommended ${formatUsd(t.recommendedUsd)}/month.`,
    '',
    'Accounts with the most savings:',
    ...accounts.map((a) => `- ${accountLabel(a)}: ${formatUsd(a.totals!.savingsUsd)}/month`),
    '',
    'Top opportunities:',
    ...org.topOpportunities.slice(0, n).map((o) => `- ${o.name} (${o.accountId} ${o.region}): ${formatUsd(o.savingsUsd)}/month`),
    ...(org.failures.length ? ['', 'Not read:', ...org.failures.map((f) => `- ${f.accountId ?? 'organization'}${f.region ? ` ${f.region}` : ''}: ${f.message}`)] : []),
    ...(url ? ['', url] : []),
  ].join('\n');
  return { subject, html, text };
}
