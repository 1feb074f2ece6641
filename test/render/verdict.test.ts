/**
 * One story per verdict everywhere: each case below is one function put through every renderer
 * (Markdown, HTML, Slack, email, CLI summary). The headline is the same text in all of them, the
 * colour is the verdict's own, a `review` saving never appears without its condition and never
 * in a ranking of plain savings, and a `stay` whose LMI is cheaper says why it stays.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/cli/summary.js';
import { renderEmailDigest } from '../../src/render/email.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderSlackDigest, type SlackBlock } from '../../src/render/slack.js';
import { escapeMarkdown, templatesDir } from '../../src/render/templates.js';
import { VERDICT_COLOURS, VERDICT_EMOJI, verdictKnobs, verdictStory } from '../../src/render/verdict.js';
import type { FunctionReport, Recommendation, ReportModel } from '../../src/report/types.js';
import { RECOMMENDATIONS } from '../../src/report/types.js';
import { VERDICT_DEFINITIONS, VERDICT_LABELS } from '../../src/report/verdicts.js';
import { smallReport } from './fixtures/small-report.js';

interface Case {
  name: string;
  recommendation: Recommendation;
  /** Standard and LMI monthly totals of the function. */
  standardUsd: number;
  lmiUsd: number;
  patch?: (f: FunctionReport) => void;
  headline: string;
  /** Listed in the digests' and CLI's migrate ranking / review list. */
  ranked: 'migrate' | 'review' | null;
}

const CASES: Case[] = [
  {
    name: 'migrate-saves',
    recommendation: 'migrate',
    standardUsd: 1000,
    lmiUsd: 400,
    headline: 'LMI saves $600.00 / month (60.0 %)',
    ranked: 'migrate',
  },
  {
    name: 'review-throttles',
    recommendation: 'review',
    standardUsd: 1500,
    lmiUsd: 790.1,
    patch: (f) => {
      f.reviewRisks = ['96.6 % of invocations throttled in the replay (limit 0.1 %)'];
    },
    headline: 'LMI would save $709.90 / month only if you accept: 96.6 % of invocations throttled in the replay (limit 0.1 %)',
    ranked: 'review',
  },
  {
    name: 'review-memory',
    recommendation: 'review',
    standardUsd: 1102.3,
    lmiUsd: 729.99,
    patch: (f) => {
      f.reviewRisks = ['memory raised from 1024 MB to 2048 MB'];
    },
    headline: 'LMI would save $372.31 / month only if you accept: memory raised from 1024 MB to 2048 MB',
    ranked: 'review',
  },
  {
    name: 'review-cpu-share',
    recommendation: 'review',
    standardUsd: 460.57,
    lmiUsd: 1030.64,
    patch: (f) => {
      f.reviewRisks = [];
      if (f.lmi) f.lmi.breakEvenCpuShare = 0.331;
    },
    headline:
      'LMI is cheaper only if CPU work is under 33.1 % of the duration (0.33 vCPU busy on average); at the safe CPU bound (0.64 vCPU) it costs $570.07 / month more',
    ranked: 'review',
  },
  {
    // catalog-search: a break-even above one vCPU never reads as "CPU work under 101.9 % of the duration".
    name: 'review-cpu-above-one-vcpu',
    recommendation: 'review',
    standardUsd: 1000,
    lmiUsd: 4117.19,
    patch: (f) => {
      f.reviewRisks = [];
      f.usage.avgDurationMs = 100;
      if (f.lmi) Object.assign(f.lmi, { breakEvenCpuShare: 1.019, cpuSecondsPerInvocation: 0.17 });
    },
    headline:
      'LMI is cheaper only if the function keeps under 1.02 vCPUs busy on average while it runs; at the safe CPU bound (1.70 vCPUs) it costs $3,117.19 / month more',
    ranked: 'review',
  },
  {
    name: 'stay-saves-too-little',
    recommendation: 'stay',
    standardUsd: 5616.59,
    lmiUsd: 5167.62,
    headline: 'LMI would save $448.97 / month (8.0 %), too little to move: not more than recommend.minSavingsPct (10 %)',
    ranked: null,
  },
  {
    // payments-authorizer: a saving too small to move, whose replay throttles far over the limit.
    name: 'stay-saves-too-little-throttles',
    recommendation: 'stay',
    standardUsd: 18330,
    lmiUsd: 17798.43,
    patch: (f) => {
      if (f.lmi) f.lmi.throttledInvocations = 665_500_000; // 55 % of 1,210,000,000
    },
    headline:
      'LMI would save $531.57 / month (2.9 %) and would have 55.0 % of invocations throttled in the replay (limit 0.1 %), too little to move: not more than recommend.minSavingsPct (10 %)',
    ranked: null,
  },
  {
    name: 'stay-standard-cheaper',
    recommendation: 'stay',
    standardUsd: 213.87,
    lmiUsd: 370.98,
    headline: 'Standard Lambda is cheaper by $157.11 / month',
    ranked: null,
  },
  {
    name: 'stay-already-on-lmi',
    recommendation: 'stay',
    standardUsd: 300,
    lmiUsd: 100,
    patch: (f) => {
      f.alreadyOnLmi = true;
    },
    headline: 'Already on LMI: not re-assessed',
    ranked: null,
  },
  {
    name: 'insufficient-thin',
    recommendation: 'insufficient-data',
    standardUsd: 400,
    lmiUsd: 100,
    headline: 'No verdict on this data; unchecked estimate: LMI would save $300.00 / month',
    ranked: null,
  },
  {
    // partner-sync: 0.1498 % throttled is printed over the 0.1 % limit, never equal to it.
    name: 'insufficient-thin-throttles',
    recommendation: 'insufficient-data',
    standardUsd: 400,
    lmiUsd: 100,
    patch: (f) => {
      if (f.lmi) f.lmi.throttledInvocations = 1_812_580; // 0.1498 % of 1,210,000,000
    },
    headline: 'No verdict on this data; unchecked estimate: LMI would save $300.00 / month and would have 0.15 % of invocations throttled in the replay (limit 0.10 %)',
    ranked: null,
  },
  {
    name: 'ineligible-throttles',
    recommendation: 'ineligible',
    standardUsd: 1000,
    lmiUsd: 400,
    patch: (f) => {
      if (f.lmi) f.lmi.throttledInvocations = 665_500_000;
    },
    headline: 'LMI cannot run it as it is; priced as if it could: LMI would save $600.00 / month and would have 55.0 % of invocations throttled in the replay (limit 0.1 %)',
    ranked: null,
  },
  {
    name: 'ineligible-image',
    recommendation: 'ineligible',
    standardUsd: 908.39,
    lmiUsd: 2694.13,
    headline: 'LMI cannot run it as it is; priced as if it could: LMI would cost $1,785.74 / month more',
    ranked: null,
  },
];

function modelFor(c: Case): ReportModel {
  const m = smallReport();
  const template = m.functions.find((f) => f.standard !== null && f.lmi !== null) as FunctionReport;
  const f: FunctionReport = structuredClone(template);
  f.name = c.name;
  f.region = 'us-east-1';
  f.recommendation = c.recommendation;
  f.standard = { requestsUsd: 0, durationUsd: c.standardUsd, provisionedConcurrencyUsd: 0, provisionedDurationUsd: 0, ephemeralStorageUsd: 0, totalUsd: c.standardUsd };
  f.lmi = { ...(f.lmi as NonNullable<FunctionReport['lmi']>), ec2Usd: c.lmiUsd, managementFeeUsd: 0, requestsUsd: 0, totalUsd: c.lmiUsd, cpuSource: 'bound' };
  f.savingsUsd = c.standardUsd - c.lmiUsd;
  f.reviewRisks = [];
  f.risks = ['a stated risk, so the function gets a section of its own'];
  c.patch?.(f);
  m.functions = [f];
  m.capacityProviders = [];
  m.assumptions = [
    ...m.assumptions,
    { key: 'recommend.minSavingsPct', value: 10, default: 10, description: 'Savings floor.' },
    { key: 'recommend.maxThrottledShare', value: 0.001, default: 0.001, description: 'Throttle limit.' },
  ];
  for (const r of RECOMMENDATIONS) m.totals.counts[r] = r === c.recommendation ? 1 : 0;
  return m;
}

function slackText(blocks: SlackBlock[]): string {
  return blocks
    .flatMap((b) => (b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((x) => x.text)] : []))
    .join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

describe('one story per verdict, in every renderer', () => {
  for (const c of CASES) {
    it(`${c.name}: same headline, colour and ranking in Markdown, HTML, Slack, email and the CLI summary`, () => {
      // Prepare
      const model = modelFor(c);
      const f = model.functions[0] as FunctionReport;

      // Act
      const story = verdictStory(f, verdictKnobs(model));
      const md = renderMarkdown(model);
      const html = renderHtml(model);
      const slack = slackText(renderSlackDigest(model).blocks);
      const email = renderEmailDigest(model);
      const cli = formatSummary(model, []);

      // Assess: the wording
      expect(story.headline).toBe(c.headline);
      expect(story.label).toBe(VERDICT_LABELS[c.recommendation]);
      expect(md).toContain(`**${story.label}**: ${escapeMarkdown(c.headline)}.`);
      // Assess: the colour is the verdict's, in the HTML section and the email
      expect(html).toContain(`<span class="headline-verdict verdict-${c.recommendation}">${escapeHtml(c.headline)}</span>`);
      expect(story.colour).toBe(VERDICT_COLOURS[c.recommendation]);

      // Assess: rankings hold migrate savings only; review is listed apart with its condition
      const slackLine = `${VERDICT_EMOJI[c.recommendation]} \`${c.name}\` (us-east-1): *${story.label}*: ${c.headline}`;
      const emailLine = `  - ${c.name} (us-east-1): ${story.label}: ${c.headline}`;
      const emailCell = `<strong style="color:${VERDICT_COLOURS[c.recommendation]}">${story.label}</strong>: <span style="color:${VERDICT_COLOURS[c.recommendation]}">${escapeHtml(c.headline)}</span>`;
      if (c.ranked === 'migrate') {
        expect(slack).toContain(`*Top opportunities (migrate)*\n• ${slackLine}`);
        expect(email.text).toContain(`Top opportunities (migrate):\n${emailLine}`);
        expect(email.html).toContain(emailCell);
        expect(cli).toMatch(new RegExp(`1\\. us-east-1/${c.name} +migrate +\\$600\\.00`));
      } else if (c.ranked === 'review') {
        expect(slack).toContain('*Top opportunities (migrate)*\nNone tonight.');
        expect(slack).toContain(`*Review: cheaper only under a condition, not in the savings*\n• ${slackLine}`);
        expect(email.text).toContain(`Review: cheaper only under a condition, not in the savings:\n${emailLine}`);
        expect(email.html).toContain(emailCell);
        expect(cli).toContain(`review (cheaper only under a condition, not in the savings):\n  - us-east-1/${c.name}: ${c.headline}\n`);
        expect(cli).toContain('top opportunities (migrate): none');
        // The review row of the report's ranking carries the condition too, in the review colour.
        expect(html).toContain(`<td class="verdict-review" data-label="If LMI">${escapeHtml(c.headline)}</td>`);
        expect(md).toContain(`| ${escapeMarkdown(c.headline)} |`);
      } else {
        // Neither a plain saving nor a condition-less mention anywhere in the digests.
        for (const text of [slack, email.text, email.html, cli]) expect(text).not.toContain(c.name);
      }
      // Never a bare "saves $X" next to a review.
      if (c.recommendation === 'review') {
        for (const text of [md, html, slack, email.text, cli]) expect(text).not.toMatch(new RegExp(`${c.name}[^\\n]*\\bsaves \\$`));
      }
    });
  }

  it('the HTML colours are the ones the email and the CSS use, per verdict', () => {
    const css = readFileSync(join(templatesDir(), 'partials', 'html-css.hbs'), 'utf8');
    const light = css.slice(0, css.indexOf('@media'));
    for (const r of RECOMMENDATIONS) {
      expect(light).toContain(`--b-${r}: ${VERDICT_COLOURS[r]};`);
      expect(css).toContain(`.verdict-${r} { color: var(--b-${r}); }`);
    }
  });

  it('the report carries the verdict legend, word for word the definitions', () => {
    const model = modelFor(CASES[0] as Case);
    const md = renderMarkdown(model);
    const html = renderHtml(model);
    for (const r of RECOMMENDATIONS) {
      expect(md).toContain(`- **${VERDICT_LABELS[r]}** (\`${r}\`): `);
      // Definitions hold `code` spans: compare the text around them.
      for (const part of VERDICT_DEFINITIONS[r].split(/`[^`]+`/)) {
        expect(md).toContain(escapeMarkdown(part));
        expect(html).toContain(part.replace(/&/g, '&amp;').replace(/'/g, '&#x27;'));
      }
    }
  });
});
