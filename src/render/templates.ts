import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { SummaryRow } from './view-model.js';

/**
 * Loads and compiles the report templates of <package root>/templates, once per process.
 * Two Handlebars instances: HTML keeps Handlebars' escaping of every {{ }}; Markdown compiles with
 * `noEscape` (HTML entities are wrong in Markdown) and every account string goes through the
 * explicit `md` / `code` / `codeblock` helpers below.
 */

type Template = Handlebars.TemplateDelegate;

/** Folder holding package.json named lmi-advisor, walking up from this file (src/ or dist/src/). */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
        if (parsed.name === 'lmi-advisor') return dir;
      } catch {
        // Not our package.json (or unreadable): keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`render: no lmi-advisor package.json above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

export function templatesDir(): string {
  return join(packageRoot(), 'templates');
}

function readTemplate(name: string): string {
  return readFileSync(join(templatesDir(), name), 'utf8');
}

/** Characters Markdown (CommonMark/GFM) gives a meaning to inline, plus the table's `|`. */
const MD_SPECIAL = /[\\`*[\]<>|~&#!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/**
 * Escapes an account string for inline Markdown and table cells: backslash before every character
 * with an inline meaning (`_` only at a word edge: GFM never emphasises intraword underscores) (so `<img ...>` shows as text, `**x**` is not bold, `|` does not split a
 * cell), and newlines flattened to spaces.
 */
export function escapeMarkdown(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(/\r\n|\r|\n/g, ' ').replace(MD_SPECIAL, (c) => `\\${c}`);
}

/** Inline code span that survives backticks inside and pipes in a table cell. */
export function markdownCode(value: unknown): string {
  const text = (value === null || value === undefined ? '' : String(value)).replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Fenced code block whose fence is longer than any backtick run in the content. */
export function markdownCodeBlock(lang: unknown, value: unknown): string {
  const text = (value === null || value === undefined ? '' : String(value)).replace(/\s+$/, '');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${typeof lang === 'string' ? lang : ''}\n${text}\n${fence}`;
}

/** Splits text into plain parts and `code` spans (single backticks, one line). */
function splitCode(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    if (m.index > last) parts.push({ code: false, text: text.slice(last, m.index) });
    parts.push({ code: true, text: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ code: false, text: text.slice(last) });
  return parts;
}

/** Markdown for prose that may hold `code` spans (reasons, descriptions): escaped, spans kept. */
export function markdownRich(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return splitCode(text)
    .map((p) => (p.code ? markdownCode(p.text) : escapeMarkdown(p.text)))
    .join('');
}

/** HTML for the same prose: everything escaped first, then `code` spans become <code>. */
export function htmlRich(hb: typeof Handlebars, value: unknown): Handlebars.SafeString {
  const text = value === null || value === undefined ? '' : String(value);
  const html = splitCode(text)
    .map((p) => (p.code ? `<code>${hb.escapeExpression(p.text)}</code>` : hb.escapeExpression(p.text)))
    .join('');
  return new hb.SafeString(html);
}

/**
 * One row of the "Other functions" table (without the line break that follows it), every value
 * escaped as {{ }} does (the same escapeExpression and rich). The CLI's table (summaryRowsHtml)
 * and the what-if page's keyed rows (src/whatif/table-rows.ts) are both written by it.
 */
export function summaryRowHtml(hb: typeof Handlebars, r: SummaryRow): string {
  const e = (value: string): string => hb.escapeExpression(value);
  return (
    `<tr><td class="name">${e(r.name)}</td><td class="nowrap">${e(r.region)}</td><td>${e(r.runtime)}</td><td>${e(r.recommendationLabel)}</td>` +
    `<td class="num">${e(r.standardTotal)}</td><td class="num">${e(r.invocations)}</td><td>${htmlRich(hb, r.reason).toString()}</td></tr>`
  );
}

/**
 * The row summaryRowHtml writes, as the what-if page's table step compares rows (RowSource in
 * src/whatif/table-rows.ts): the text of each of its text nodes (what the parser makes of the
 * escaped values: the values themselves), in document order, and its shape, a short code of the
 * rest of its markup (which cells are empty, where the reason's `code` spans are): two rows have
 * the same shape exactly when their markup has the same tags around the same text nodes (a test
 * holds this against the shapes read from the markup), without writing the markup of every row.
 * Values with a character the parser changes (CR, NUL) give a shape starting with `!` (never
 * rewritten in place).
 */
export function summaryRowTexts(r: SummaryRow): { shape: string; texts: string[] } {
  const texts: string[] = [];
  let empty = 0;
  const cells = [r.name, r.region, r.runtime, r.recommendationLabel, r.standardTotal, r.invocations];
  for (let k = 0; k < cells.length; k++) {
    const value = cells[k] as string;
    if (value.length === 0) empty |= 1 << k;
    else texts.push(value);
  }
  let parts = '';
  if (r.reason.indexOf('`') === -1) {
    if (r.reason.length > 0) {
      texts.push(r.reason);
      parts = 'p';
    }
  } else {
    for (const part of splitCode(r.reason)) {
      texts.push(part.text);
      parts += part.code ? 'c' : 'p';
    }
  }
  let odd = false;
  for (const text of texts) if (text.indexOf('\r') !== -1 || text.indexOf('\0') !== -1) odd = true;
  return { shape: `${odd ? '!' : ''}${empty}${parts}`, texts };
}

/**
 * Set in the template's context (true) by the what-if page's render (renderHtmlWithoutSummaryRows):
 * the "Other functions" table is written with an empty body, which the page fills row by row.
 */
export const SUMMARY_ROWS_OMITTED = 'summaryRowsOmitted';

/**
 * The rows of the "Other functions" table, each on its line. Written here rather than by
 * {{#each}}: at 10,000 functions the table has ~9,800 rows, rendered again on every what-if change.
 */
export function summaryRowsHtml(hb: typeof Handlebars, rows: unknown): Handlebars.SafeString {
  let html = '';
  for (const r of (Array.isArray(rows) ? rows : []) as SummaryRow[]) html += `${summaryRowHtml(hb, r)}\n`;
  return new hb.SafeString(html);
}

function registerCommonHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b);
  hb.registerHelper('plural', (count: unknown, singular: unknown, pluralForm: unknown) =>
    count === 1 ? String(singular) : String(pluralForm),
  );
}

function registerPartials(hb: typeof Handlebars, prefix: string): void {
  const dir = join(templatesDir(), 'partials');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).sort()) {
    if (!file.startsWith(prefix) || !file.endsWith('.hbs')) continue;
    hb.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(join(dir, file), 'utf8'));
  }
}

let htmlCache: { hb: typeof Handlebars; template: Template } | null = null;
let mdCache: Template | null = null;

export function htmlEngine(): { hb: typeof Handlebars; template: Template } {
  if (htmlCache) return htmlCache;
  const hb = Handlebars.create();
  registerCommonHelpers(hb);
  hb.registerHelper('rich', (value: unknown) => htmlRich(hb, value));
  hb.registerHelper('summaryRows', (rows: unknown, options?: Handlebars.HelperOptions) =>
    (options?.data as { root?: Record<string, unknown> } | undefined)?.root?.[SUMMARY_ROWS_OMITTED] === true ? new hb.SafeString('') : summaryRowsHtml(hb, rows),
  );
  registerPartials(hb, 'html-');
  const template = hb.compile(readTemplate('report.html.hbs'), { strict: false, preventIndent: true });
  htmlCache = { hb, template };
  return htmlCache;
}

export function markdownTemplate(): Template {
  if (mdCache) return mdCache;
  const hb = Handlebars.create();
  registerCommonHelpers(hb);
  hb.registerHelper('md', (value: unknown) => escapeMarkdown(value));
  hb.registerHelper('code', (value: unknown) => markdownCode(value));
  hb.registerHelper('rich', (value: unknown) => markdownRich(value));
  hb.registerHelper('codeblock', (lang: unknown, value: unknown) => markdownCodeBlock(lang, value));
  registerPartials(hb, 'md-');
  mdCache = hb.compile(readTemplate('report.md.hbs'), { noEscape: true, preventIndent: true });
  return mdCache;
}
