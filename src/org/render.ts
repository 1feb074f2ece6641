import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportFile } from '../publish/dir.js';
import { RENDERERS } from '../render/index.js';
import { formatNumber, formatUsd } from '../render/format.js';
import { escapeMarkdown, markdownCode, templatesDir } from '../render/templates.js';
import type { MergeOutput } from './merge.js';
import type { OrgReportModel } from './types.js';
import type { ReportModel } from '../report/types.js';

/**
 * The organization's files: report.json / report.md / report.html for the org (templates
 * org.md.hbs and org.html.hbs), and one set per account (account-<id>.json/.md/.html, the
 * single-account renderers on the account's merged model), so an org of hundreds of accounts
 * keeps one page per account and the org page links to them. Pure apart from reading the
 * templates once.
 */

export const accountFileName = (accountId: string, ext: string) => `account-${accountId}.${ext}`;

const EXT: Record<string, string> = { json: 'json', md: 'md', html: 'html' };

function orgView(org: OrgReportModel, linkExt: string | null) {
  const t = org.totals;
  return {
    tool: org.run.tool,
    version: org.run.version,
    generatedAt: org.run.generatedAt,
    complete: org.run.complete,
    window: org.window ? `${org.window.start} to ${org.window.end}` : 'unknown',
    prices: org.prices ? `${org.prices.source} as of ${org.prices.asOf}` : 'unknown',
    accountCount: org.accounts.length,
    totals: {
      standard: formatUsd(t.standardUsd),
      recommended: formatUsd(t.recommendedUsd),
      savings: formatUsd(t.savingsUsd),
      freeTier: formatUsd(t.freeTierCreditUsd),
      migrate: formatNumber(t.counts.migrate),
      functions: formatNumber(Object.values(t.counts).reduce((s, n) => s + n, 0)),
      // Counted, never summed: a review saving holds only under its condition (account pages).
      review: t.counts.review > 0 ? (t.counts.review === 1 ? '1 function needs' : `${formatNumber(t.counts.review)} functions need`) : null,
      unpriced: t.unpricedFunctions > 0 ? (t.unpricedFunctions === 1 ? '1 function is' : `${formatNumber(t.unpricedFunctions)} functions are`) : null,
    },
    accounts: org.accounts.map((a) => ({
      accountId: a.accountId,
      name: a.name ?? '',
      link: linkExt && a.totals ? accountFileName(a.accountId, linkExt) : null,
      regions: a.regions.join(', '),
      failedRegions: a.failedRegions.join(', '),
      complete: a.complete,
      functions: formatNumber(a.functions),
      migrate: a.totals ? formatNumber(a.totals.counts.migrate) : 'unknown',
      standard: formatUsd(a.totals?.standardUsd ?? null),
      recommended: formatUsd(a.totals?.recommendedUsd ?? null),
      savings: formatUsd(a.totals?.savingsUsd ?? null),
      providers: a.capacityProviders.map((p) => ({
        name: p.name,
        region: p.region,
        instanceType: p.instanceType,
        functions: p.functions.length,
        total: formatUsd(p.totalUsd),
        standard: formatUsd(p.standardTotalUsd),
      })),
    })),
    top: org.topOpportunities.map((o) => ({ ...o, standard: formatUsd(o.standardUsd), lmi: formatUsd(o.lmiUsd), savings: formatUsd(o.savingsUsd) })),
    failures: org.failures.map((f) => ({ account: f.accountId ?? 'organization', region: f.region ?? '', message: f.message })),
    skipped: org.skippedAccounts,
    warnings: org.warnings,
    changes: org.changes
      ? {
          previous: org.changes.previousGeneratedAt,
          delta: formatUsd(org.changes.savingsDeltaUsd),
          newAccounts: org.changes.newAccounts.join(', '),
          removedAccounts: org.changes.removedAccounts.join(', '),
        }
      : null,
  };
}

let md: Handlebars.TemplateDelegate | null = null;
let html: Handlebars.TemplateDelegate | null = null;

function read(name: string): string {
  return readFileSync(join(templatesDir(), name), 'utf8');
}

export function renderOrgMarkdown(org: OrgReportModel, linkExt: string | null = 'md'): string {
  if (!md) {
    const hb = Handlebars.create();
    hb.registerHelper('md', (v: unknown) => escapeMarkdown(v));
    hb.registerHelper('code', (v: unknown) => markdownCode(v));
    md = hb.compile(read('org.md.hbs'), { noEscape: true, strict: false });
  }
  return `${md(orgView(org, linkExt)).replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export function renderOrgHtml(org: OrgReportModel, linkExt: string | null = 'html'): string {
  if (!html) {
    const hb = Handlebars.create();
    hb.registerPartial('html-css', read(join('partials', 'html-css.hbs')));
    html = hb.compile(read('org.html.hbs'), { strict: false, preventIndent: true });
  }
  return html(orgView(org, linkExt));
}

export function renderOrgJson(org: OrgReportModel): string {
  return `${JSON.stringify(org, null, 2)}\n`;
}

/** The names of an account's files for `formats`. */
export function accountFileNames(accountId: string, formats: readonly string[]): string[] {
  return formats.filter((f) => RENDERERS[f] && EXT[f]).map((f) => accountFileName(accountId, EXT[f]!));
}

/** One account's files (the single-account renderers on its merged model). */
export function accountFiles(account: ReportModel, formats: readonly string[] = Object.keys(RENDERERS)): ReportFile[] {
  const files: ReportFile[] = [];
  for (const format of formats) {
    const renderer = RENDERERS[format];
    if (!renderer || !EXT[format]) continue;
    files.push({ name: accountFileName(account.accountId, EXT[format]!), content: renderer.render(account) });
  }
  return files;
}

/** The organization's own files (report.json/.md/.html), each account linked to its files. */
export function orgFiles(merged: OrgReportModel, formats: readonly string[] = Object.keys(RENDERERS)): ReportFile[] {
  const files: ReportFile[] = [];
  const accounts = merged.accounts.map((a) => ({ ...a, ...(a.totals ? { files: accountFileNames(a.accountId, formats) } : {}) }));
  const org = { ...merged, accounts };
  if (formats.includes('json')) files.push({ name: 'report.json', content: renderOrgJson(org) });
  if (formats.includes('md')) files.push({ name: 'report.md', content: renderOrgMarkdown(org, 'md') });
  if (formats.includes('html')) files.push({ name: 'report.html', content: renderOrgHtml(org, 'html') });
  return files;
}

/** Every file of an org run for `formats` (keys of RENDERERS: json, md, html), all in memory. */
export function orgReportFiles(merged: MergeOutput, formats: readonly string[] = Object.keys(RENDERERS)): ReportFile[] {
  return [...orgFiles(merged.org, formats), ...merged.accounts.flatMap((a) => accountFiles(a, formats))];
}
