import { reconciliationDigest } from './reconciliation-view.js';
import type { ChangeSummary, FunctionReport, ReportModel } from '../report/types.js';
import { VERDICT_EMOJI, failedRegions, migrateOpportunities, reviewCandidates, verdictKnobs, verdictStory } from './verdict.js';

/**
 * Slack digest as Block Kit (pure). Also holds the few digest helpers the email digest shares
 * (same facts in both channels). Limits from https://api.slack.com/reference/block-kit/blocks:
 * 50 blocks per message, 3000 characters per section text, 10 fields of 2000 characters,
 * 150 characters per header, 3000 per button URL.
 */

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_TEXT = 3000;
export const SLACK_MAX_FIELD = 2000;
export const SLACK_MAX_HEADER = 150;
export const SLACK_MAX_URL = 3000;

/** Hours in a year: the report's month is 730 h, so a year is 12 of them (8,760 h). */
const MONTHS_PER_YEAR = 12;

export interface DigestOptions {
  /** Link to the full HTML report; no button / link when absent. */
  reportUrl?: string | null;
  /** How many top opportunities to list (default 5). */
  topN?: number;
}

// ---------- shared digest helpers (used by src/render/email.ts too) ----------

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$1,234.56`; null is "unknown", never $0. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unknown';
  // Avoid "-$0.00" for tiny negative rounding noise.
  return usd.format(Math.abs(value) < 0.005 ? 0 : value);
}

/** `+$12.00` / `-$3.50`: for deltas, where the sign is the news. */
export function formatUsdDelta(value: number): string {
  if (Math.abs(value) < 0.005) return formatUsd(0);
  return value > 0 ? `+${formatUsd(value)}` : formatUsd(value);
}

export function yearlyUsd(monthlyUsd: number): number {
  return monthlyUsd * MONTHS_PER_YEAR;
}

/** Functions worth acting on now: `migrate` with a known positive saving, best first. */
export function topOpportunities(model: ReportModel, topN = 5): FunctionReport[] {
  return migrateOpportunities(model.functions).slice(0, topN);
}

/** `review` functions for the digest, each to be told with its condition (never a bare saving). */
export function topReviews(model: ReportModel, topN = 5): FunctionReport[] {
  return reviewCandidates(model.functions).slice(0, topN);
}

/** The sentence of the incomplete-run notice, naming the regions that were not collected. */
export function incompleteText(model: ReportModel): string {
  const regions = failedRegions(model);
  return regions.length > 0 ? `regions not collected: ${regions.join(', ')}` : 'some data is missing (see the warnings)';
}

export function reportDate(model: ReportModel): string {
  return model.run.generatedAt.slice(0, 10);
}

// ---------- Slack escaping ----------

/**
 * Escapes user content (function names, regions, tags) for Slack mrkdwn. Slack decodes only
 * &amp; &lt; &gt; (https://api.slack.com/reference/surfaces/formatting#escaping), so `<!channel>`
 * or `<http://x|y>` in a name cannot ping or link. There is no escape for `*_~`: names go
 * inside inline code (see `code`), where Slack applies no formatting.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code span of user content; a backtick would close the span, so it becomes ˋ. */
export function code(text: string): string {
  const safe = escapeMrkdwn(text).replace(/`/g, 'ˋ').replace(/[\r\n]+/g, ' ');
  return `\`${safe.length > 0 ? safe : ' '}\``;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Joins lines up to `max` characters; what does not fit is counted in a last line, so a long
 * list never breaks the 3000-character limit nor silently drops entries.
 */
export function fitLines(lines: string[], max = SLACK_MAX_TEXT): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const after = lines.length - i - 1;
    // Keep room for the "…and N more" line that would follow if the next line does not fit.
    const reserve = after > 0 ? `\n_…and ${after} more_`.length : 0;
    const sep = out.length > 0 ? 1 : 0;
    if (used + sep + line.length + reserve > max) {
      out.push(`_…and ${lines.length - i} more_`);
      break;
    }
    out.push(line);
    used += sep + line.length;
  }
  return clip(out.join('\n'), max);
}

// ---------- Block Kit ----------

export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: { type: 'button'; text: SlackText; url: string; style?: 'primary' }[] };

export interface SlackMessage {
  /** Fallback for notifications and clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

function mrkdwn(text: string, max = SLACK_MAX_TEXT): SlackText {
  return { type: 'mrkdwn', text: clip(text, max) };
}

/** Lines describing the change since the last run (shared by Slack and the email text part). */
export function changeLines(changes: ChangeSummary, name: (key: string) => string): string[] {
  const lines: string[] = [];
  lines.push(`Savings ${formatUsdDelta(changes.savingsDeltaUsd)}/month since ${changes.previousGeneratedAt.slice(0, 10)}`);
  for (const key of changes.newFunctions) lines.push(`New: ${name(key)}`);
  for (const c of changes.changedRecommendations) lines.push(`${name(c.function)}: ${c.from} → ${c.to}`);
  for (const key of changes.removedFunctions) lines.push(`Gone: ${name(key)}`);
  return lines;
}

export function renderSlackDigest(model: ReportModel, options: DigestOptions = {}): SlackMessage {
  const t = model.totals;
  const date = reportDate(model);
  const blocks: SlackBlock[] = [];
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: clip(`LMI advisor: account ${model.accountId}, ${date}`, SLACK_MAX_HEADER), emoji: false },
  });
  if (!model.run.complete || failedRegions(model).length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`:warning: *Incomplete run*: ${escapeMrkdwn(incompleteText(model))}; figures cover only what was collected.`),
    });
  }
  const bill = reconciliationDigest(model);
  if (bill) {
    blocks.push({ type: 'section', text: mrkdwn(fitLines(bill.lines.map((l, i) => (i === 0 && bill.warning ? `:warning: ${escapeMrkdwn(l)}` : escapeMrkdwn(l))), SLACK_MAX_TEXT - 10)) });
  }
  const analysed = model.functions.length;
  blocks.push({
    type: 'section',
    fields: [
      mrkdwn(`*Savings / month*\n${formatUsd(t.savingsUsd)}`, SLACK_MAX_FIELD),
      mrkdwn(`*Savings / year*\n${formatUsd(yearlyUsd(t.savingsUsd))}`, SLACK_MAX_FIELD),
      mrkdwn(`*Standard Lambda / month*\n${formatUsd(t.standardUsd)}`, SLACK_MAX_FIELD),
      mrkdwn(`*Recommended / month*\n${formatUsd(t.recommendedUsd)}`, SLACK_MAX_FIELD),
      mrkdwn(`*Functions analysed*\n${analysed} (${t.counts.migrate} migrate, ${t.counts.review} review, ${t.counts.stay} stay)`, SLACK_MAX_FIELD),
      mrkdwn(`*Warnings*\n${model.warnings.length}`, SLACK_MAX_FIELD),
    ],
  });

  const knobs = verdictKnobs(model);
  // One line per function: the verdict's colour (emoji), its name and the same headline as the report.
  const line = (f: FunctionReport): string => {
    const story = verdictStory(f, knobs);
    return `• ${VERDICT_EMOJI[f.recommendation]} ${code(f.name)} (${escapeMrkdwn(f.region)}): *${story.label}*: ${escapeMrkdwn(story.headline)}`;
  };
  const top = topOpportunities(model, options.topN ?? 5);
  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'section',
    text: mrkdwn(
      top.length === 0
        ? '*Top opportunities (migrate)*\nNone tonight.'
        : `*Top opportunities (migrate)*\n${fitLines(top.map(line), SLACK_MAX_TEXT - 40)}`,
    ),
  });
  const reviews = topReviews(model, options.topN ?? 5);
  if (reviews.length > 0) {
    const more = reviewCandidates(model.functions).length - reviews.length;
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Review: cheaper only under a condition, not in the savings*\n${fitLines(
          [...reviews.map(line), ...(more > 0 ? [`_…and ${more} more in the report_`] : [])],
          SLACK_MAX_TEXT - 70,
        )}`,
      ),
    });
  }

  if (model.changes) {
    const lines = changeLines(model.changes, (key) => code(key));
    blocks.push({
      type: 'section',
      text: mrkdwn(`*What changed since last run*\n${fitLines(lines.map((l) => `• ${l}`), SLACK_MAX_TEXT - 40)}`),
    });
  } else {
    blocks.push({ type: 'context', elements: [mrkdwn('First run: no previous report to compare with.')] });
  }

  if (options.reportUrl && options.reportUrl.length <= SLACK_MAX_URL) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the full report' }, url: options.reportUrl, style: 'primary' }],
    });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Prices: ${escapeMrkdwn(model.prices.source)} as of ${escapeMrkdwn(model.prices.asOf)}. Money per month of 730 h. ${escapeMrkdwn(model.run.tool)} ${escapeMrkdwn(model.run.version)}`)],
  });

  const text = `LMI advisor ${date}: savings ${formatUsd(t.savingsUsd)}/month across ${analysed} functions${model.run.complete ? '' : ' (incomplete run)'}`;
  return { text: escapeMrkdwn(text), blocks: blocks.slice(0, SLACK_MAX_BLOCKS) };
}
