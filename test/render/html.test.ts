import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearRenderMemo, planBodyHtml, planHeadHtml, renderHtml, renderHtmlWithoutSummaryRows } from '../../src/render/html.js';
import { htmlEngine } from '../../src/render/templates.js';
import { compareBySavings, functionAnchor, idPart } from '../../src/render/view-model.js';
import { HOSTILE_NAME, smallReport } from './fixtures/small-report.js';
import type { CapacityProviderFunction, CapacityProviderPlan, FunctionReport, ReportModel } from '../../src/report/types.js';
import { applyKnobs } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
import { loadSample, type Sample } from '../whatif/sample.js';
import { knobSettings } from '../whatif/settings.js';

// The pieces render() keeps between renders (a plan's head, a plan's commands, a function's
// section) must give the very markup of a render from scratch, whatever came before.

function cold(model: ReportModel): string {
  clearRenderMemo();
  const html = renderHtmlWithoutSummaryRows(model).html;
  clearRenderMemo();
  return html;
}

/** The render of `after` right after one of `before` (its pieces kept) against `after` from scratch. */
function expectKeptIsCold(before: ReportModel, after: ReportModel): void {
  const base = cold(before);
  renderHtmlWithoutSummaryRows(before);
  const kept = renderHtmlWithoutSummaryRows(after).html;
  const fresh = cold(after);
  // The change shows in the markup (else the test would prove nothing).
  expect(fresh).not.toBe(base);
  expect(kept).toBe(fresh);
}

describe('renderHtml with the pieces kept from earlier renders', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await loadSample();
  });

  it('renders, over random knob sequences, the very markup of a render from scratch', () => {
    // Prepare: the sample has plans and function sections to keep
    expect(sample.base.capacityProviders.length).toBeGreaterThan(0);
    clearRenderMemo();

    // Act / Assess
    fc.assert(
      fc.property(fc.array(knobSettings(sample.unmeasured), { minLength: 2, maxLength: 5 }), (sequence) => {
        clearRenderMemo();
        for (const values of sequence) {
          const model = whatIfReport(sample.data, applyKnobs(sample.data.config, values), { lazy: true });
          const kept = renderHtmlWithoutSummaryRows(model);
          const keptWhole = renderHtml(model);
          clearRenderMemo();
          expect(kept.html).toBe(renderHtmlWithoutSummaryRows(model).html);
          expect(keptWhole).toBe(renderHtml(model));
          // Back to what the page keeps: the render before and this one.
          renderHtmlWithoutSummaryRows(model);
        }
      }),
      { numRuns: 12 },
    );
  });

  describe('a change to any one input of a piece gives its new markup', () => {
    let base: ReportModel;
    beforeAll(() => {
      base = structuredClone(sample.base);
    });

    /** `base` with the first plan changed. */
    function withPlan(change: (p: CapacityProviderPlan) => void): ReportModel {
      const model = structuredClone(base);
      change(model.capacityProviders[0] as CapacityProviderPlan);
      return model;
    }

    /** `base` with the function of the first section changed. */
    function withFirstSection(change: (f: FunctionReport) => void): ReportModel {
      const model = structuredClone(base);
      const first = [...model.functions].sort(compareBySavings)[0] as FunctionReport;
      change(first);
      return model;
    }

    const setting = (p: CapacityProviderPlan): CapacityProviderFunction => p.functionSettings[0] as CapacityProviderFunction;

    // A plan's head.
    it.each([
      ['name', (p: CapacityProviderPlan) => (p.name = `${p.name}-x`)],
      ['region', (p: CapacityProviderPlan) => (p.region = 'eu-west-3')],
      ['architecture', (p: CapacityProviderPlan) => (p.architecture = p.architecture === 'arm64' ? 'x86_64' : 'arm64')],
      ['instanceType', (p: CapacityProviderPlan) => (p.instanceType = 'm7g.2xlarge')],
      ['trustGroup', (p: CapacityProviderPlan) => (p.trustGroup = p.trustGroup === 'tg-x' ? null : 'tg-x')],
      ['memoryGiBPerVCpu', (p: CapacityProviderPlan) => (p.memoryGiBPerVCpu += 2)],
      ['avgInstances', (p: CapacityProviderPlan) => (p.avgInstances += 1.5)],
      ['peakInstances', (p: CapacityProviderPlan) => (p.peakInstances += 3)],
      ['instanceHours', (p: CapacityProviderPlan) => (p.instanceHours += 11)],
      ['ec2Usd', (p: CapacityProviderPlan) => (p.ec2Usd += 1.23)],
      ['managementFeeUsd', (p: CapacityProviderPlan) => (p.managementFeeUsd += 1.23)],
      ['requestsUsd', (p: CapacityProviderPlan) => (p.requestsUsd += 1.23)],
      ['totalUsd', (p: CapacityProviderPlan) => (p.totalUsd += 1.23)],
      ['standardTotalUsd', (p: CapacityProviderPlan) => (p.standardTotalUsd += 1.23)],
      ['dedicatedTotalUsd', (p: CapacityProviderPlan) => (p.dedicatedTotalUsd += 1.23)],
    ])('plan %s', (_field, change) => {
      expectKeptIsCold(base, withPlan(change));
    });

    // A plan's commands (the head is the same for these).
    it.each([
      ['maxVCpuCount', (p: CapacityProviderPlan) => (p.maxVCpuCount += 8)],
      ['maxVCpuCount -0', (p: CapacityProviderPlan) => (p.maxVCpuCount = -0)],
      ['function memoryMB', (p: CapacityProviderPlan) => (setting(p).memoryMB += 512)],
      ['function memoryGiBPerVCpu', (p: CapacityProviderPlan) => (setting(p).memoryGiBPerVCpu = 4.0000001)],
      ['function perEnvironmentConcurrency', (p: CapacityProviderPlan) => (setting(p).perEnvironmentConcurrency += 7)],
      ['function minEnvironments', (p: CapacityProviderPlan) => (setting(p).minEnvironments += 1)],
      ['function maxEnvironments', (p: CapacityProviderPlan) => (setting(p).maxEnvironments += 5)],
      ['function name', (p: CapacityProviderPlan) => (setting(p).name += '-y')],
    ])('plan %s', (_field, change) => {
      expectKeptIsCold(base, withPlan(change));
    });

    it('a cap of -0 after 0 (JSON writes both as 0; the YAML block does not)', () => {
      expectKeptIsCold(withPlan((p) => (p.maxVCpuCount = 0)), withPlan((p) => (p.maxVCpuCount = -0)));
    });

    it('the account id (in the commands)', () => {
      expectKeptIsCold(base, { ...structuredClone(base), accountId: base.accountId === '999999999999' ? '111111111111' : '999999999999' });
    });

    it("the anchor of a plan function's section (the plan the same, the function without a section)", () => {
      // Prepare: a plan function with a section (its row links to it)
      const model = structuredClone(base);
      const plans = model.capacityProviders;
      const html = cold(base);
      const linked = plans.flatMap((p) => p.functionSettings.map((s) => ({ p, s }))).find(({ s }) => html.includes(`">${s.name}</a></td><td class="num">`));
      expect(linked).toBeDefined();
      const { p, s } = linked as { p: CapacityProviderPlan; s: CapacityProviderFunction };
      const target = model.functions.find((f) => f.name === s.name && f.region === p.region) as FunctionReport;
      // A small stay with no risk: summarised in the table, no section, so no anchor.
      target.recommendation = 'stay';
      target.risks = [];
      if (target.standard) target.standard.totalUsd = 1;
      if (target.usage.invocations === 0) target.usage.invocations = 1;

      // Act / Assess
      expectKeptIsCold(base, model);
    });

    // A function's section.
    it.each([
      ['rank (another order)', (f: FunctionReport) => (f.savingsUsd = -1e9)],
      ['name', (f: FunctionReport) => (f.name = `${f.name}-z`)],
      ['runtime', (f: FunctionReport) => (f.runtime = f.runtime === 'python3.13' ? 'nodejs22.x' : 'python3.13')],
      ['memoryMB', (f: FunctionReport) => (f.memoryMB += 64)],
      ['tags', (f: FunctionReport) => (f.tags = { ...f.tags, added: 'yes' })],
      ['reasons', (f: FunctionReport) => (f.reasons = [...f.reasons, 'one more `reason`'])],
      ['risks', (f: FunctionReport) => (f.risks = [...f.risks, 'a new risk'])],
      ['recommendation', (f: FunctionReport) => (f.recommendation = f.recommendation === 'review' ? 'stay' : 'review')],
      ['standard cost', (f: FunctionReport) => f.standard && (f.standard.durationUsd += 0.5)],
      ['LMI cost', (f: FunctionReport) => f.lmi && (f.lmi.ec2Usd += 0.5)],
      ['LMI blockers', (f: FunctionReport) => f.lmi && (f.lmi.blockers = [...f.lmi.blockers, 'blocked'])],
      ['usage', (f: FunctionReport) => (f.usage.invocations = (f.usage.invocations ?? 0) + 1000)],
      ['break-even traffic', (f: FunctionReport) => (f.breakEvenInvocationsPerMonth = (f.breakEvenInvocationsPerMonth ?? 0) * 3 + 12345)],
      ['busy-time premium', (f: FunctionReport) => (f.busyTimePremium = (f.busyTimePremium ?? 1) + 0.5)],
      ['chart concurrency', (f: FunctionReport) => f.chart && (f.chart.concurrencyMax[0] = (f.chart.concurrencyMax[0] ?? 0) + 50)],
      ['chart capacity', (f: FunctionReport) => f.chart && (f.chart.lmiCapacity[0] = (f.chart.lmiCapacity[0] ?? 0) + 50)],
      ['chart throttling', (f: FunctionReport) => f.chart && (f.chart.throttled[0] = !f.chart.throttled[0])],
      ['chart bucket', (f: FunctionReport) => f.chart && (f.chart.bucketSeconds *= 2)],
    ])('function %s', (_field, change) => {
      expectKeptIsCold(base, withFirstSection(change));
    });
  });
});

/** Every id of a page, and every reference to one (links, ARIA, SVG url()), as the browser reads them (entities decoded). */
function idsAndReferences(html: string): { ids: string[]; refs: string[] } {
  const decode = (s: string): string =>
    s.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (_e, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x60': '`', '#x3D': '=' })[n] ?? '');
  const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => decode(m[1] as string));
  const refs = [
    ...[...html.matchAll(/\shref="#([^"]*)"/g)].map((m) => decode(m[1] as string)),
    ...[...html.matchAll(/\saria-(?:describedby|labelledby)="([^"]*)"/g)].flatMap((m) => decode(m[1] as string).split(/\s+/)),
    ...[...html.matchAll(/url\(#([^)]*)\)/g)].map((m) => decode(m[1] as string)),
  ];
  return { ids, refs };
}

function expectLinksResolve(html: string): void {
  const { ids, refs } = idsAndReferences(html);
  // Unique, and without what ends an id reference or a url(): whitespace, quotes, parentheses.
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^[^\s"'()]+$/);
  const known = new Set(ids);
  expect(refs.filter((r) => !known.has(r))).toEqual([]);
}

describe('the ids of plans and function sections', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await loadSample();
  });

  it('are named after the plan or function (not its rank), and every link, ARIA and chart reference resolves', () => {
    fc.assert(
      fc.property(fc.array(knobSettings(sample.unmeasured), { minLength: 2, maxLength: 3 }), (sequence) => {
        /** Per function with a section: its id. */
        const seen = new Map<string, string>();
        for (const values of sequence) {
          const model = whatIfReport(sample.data, applyKnobs(sample.data.config, values), { lazy: true });
          const html = renderHtml(model);
          expectLinksResolve(html);
          const sections = [...html.matchAll(/<article class="fn [a-z]+" id="([^"]*)">\n<header><h3 class="name">\d+\. ([^<]*) <span class="muted region">([^<]*)<\/span>/g)];
          expect(sections.length).toBeGreaterThan(0);
          for (const [, id, name, region] of sections) {
            expect(id).toBe(functionAnchor(region as string, name as string));
            // The same function, the same id, at whatever rank.
            const key = `${region}\u0000${name}`;
            expect(seen.get(key) ?? id).toBe(id);
            seen.set(key, id as string);
          }
          const plans = [...html.matchAll(/<article class="plan" id="([^"]*)">/g)].map((m) => m[1]);
          expect(plans).toEqual(model.capacityProviders.map((p) => `cp-${idPart(p.name)}`));
        }
      }),
      { numRuns: 6 },
    );
  });

  it('stay unique and valid for hostile names and one name in two regions', () => {
    // Prepare: the hand-made report (HTML in a name), its first section's function copied to another region
    const model = smallReport();
    const first = [...model.functions].sort(compareBySavings)[0] as FunctionReport;
    model.functions.push({ ...structuredClone(first), region: first.region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1' });

    // Act
    const html = renderHtml(model);

    // Assess
    expectLinksResolve(html);
    expect(html).toContain(`id="${functionAnchor(first.region, first.name)}"`);
    expect(html).toContain(`id="${functionAnchor(first.region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1', first.name)}"`);
    expect(html).toContain(`id="${functionAnchor('us-east-1', HOSTILE_NAME)}"`);
  });

  it('idPart never gives two texts one id part, and keeps to [A-Za-z0-9_.-]', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(idPart(a)).toMatch(/^[A-Za-z0-9_.-]*$/);
        if (a !== b) expect(idPart(a)).not.toBe(idPart(b));
        expect(functionAnchor(a, b)).toBe(functionAnchor(a, b));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.tuple(fc.string(), fc.string()), fc.tuple(fc.string(), fc.string()), ([r1, n1], [r2, n2]) => {
        if (r1 !== r2 || n1 !== n2) expect(functionAnchor(r1, n1)).not.toBe(functionAnchor(r2, n2));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('planHeadHtml', () => {
  // The Handlebars partial (templates/partials/html-plan-head.hbs) it replaced, as the oracle.
  const PARTIAL =
    '<header><h3 class="name">{{name}}</h3><span class="headline-savings verdict-migrate">LMI saves {{savings}} / month</span></header>\n' +
    '<p class="meta">{{region}} · {{architecture}} · {{instanceType}}{{#if trustGroup}} · trust group <code>{{trustGroup}}</code>{{/if}}</p>\n' +
    '<div class="grid2">\n<div class="table-wrap"><table class="kv"><tbody>\n{{#each facts}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>\n{{/each}}\n</tbody></table></div>\n' +
    '<div class="table-wrap"><table class="kv"><tbody>\n{{#each money}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>\n{{/each}}\n</tbody></table></div>\n</div>\n';

  it('writes what the Handlebars partial wrote, escapes and all', () => {
    const { hb } = htmlEngine();
    const partial = hb.compile(PARTIAL, { strict: false, preventIndent: true });
    const text = fc.string({ unit: fc.constantFrom('a', '<', '>', '&', '"', "'", '`', '=', ' ', '·', '\n', '$', '1') });
    const rows = fc.array(fc.record({ label: text, value: text }), { maxLength: 8 });
    fc.assert(
      fc.property(
        fc.record({ name: text, savings: text, region: text, architecture: text, instanceType: text, trustGroup: fc.option(text), facts: rows, money: rows }),
        (p) => {
          expect(planHeadHtml(hb, p)).toBe(partial(p));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('planBodyHtml', () => {
  // The Handlebars partial (templates/partials/html-plan-body.hbs) it replaced, as the oracle.
  const PARTIAL = "<h4>Functions on it</h4>\n<div class=\"table-wrap\"><table class=\"wide\">\n<thead><tr><th>Function</th><th class=\"num\">Memory</th><th class=\"num\">Memory / vCPU</th><th class=\"num\">Concurrency / environment</th><th class=\"num\">Min env.</th><th class=\"num\">Max env.</th></tr></thead>\n<tbody>\n{{#each functions}}\n<tr><td class=\"name\">{{#if anchor}}<a href=\"#{{anchor}}\">{{name}}</a>{{else}}{{name}}{{/if}}</td><td class=\"num\">{{memory}}</td><td class=\"num\">{{ratio}}</td><td class=\"num\">{{concurrency}}</td><td class=\"num\">{{minEnvironments}}</td><td class=\"num\">{{maxEnvironments}}</td></tr>\n{{/each}}\n</tbody></table></div>\n<h4>Apply it</h4>\n<p>1. Create the capacity provider:</p>\n<pre><code>{{snippet.createCommand}}</code></pre>\n<p>2. Attach each function, publish a version (only published versions run on LMI) and set its scaling:</p>\n{{#each snippet.functions}}\n<pre><code>{{commands}}</code></pre>\n{{/each}}\n<p>3. Or declare it in the <code>resources:</code> section of serverless.yml (logical id <code>{{snippet.logicalId}}</code>):</p>\n<pre><code>{{snippet.cloudFormation}}</code></pre>\n<p class=\"meta\">Capacity provider ARN: <code>{{snippet.capacityProviderArn}}</code></p>\n";

  it('writes what the Handlebars partial wrote, escapes and all', () => {
    const { hb } = htmlEngine();
    const partial = hb.compile(PARTIAL, { strict: false, preventIndent: true });
    const text = fc.string({ unit: fc.constantFrom('a', '<', '>', '&', '"', "'", '`', '=', ' ', '#', '\n', '$', '1') });
    const fn = fc.record({ name: text, anchor: fc.option(text), memory: text, ratio: text, concurrency: text, minEnvironments: text, maxEnvironments: text });
    const snippet = fc.record({ createCommand: text, functions: fc.array(fc.record({ commands: text }), { maxLength: 5 }), logicalId: text, cloudFormation: text, capacityProviderArn: text });
    fc.assert(
      fc.property(fc.array(fn, { maxLength: 6 }), snippet, (functions, s) => {
        expect(planBodyHtml(hb, functions, s)).toBe(partial({ functions, snippet: s }));
      }),
      { numRuns: 2000 },
    );
  });
});
