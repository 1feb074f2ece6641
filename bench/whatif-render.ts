import { readFile } from 'node:fs/promises';
import { clearRenderMemo, renderHtmlWithoutSummaryRows } from '../src/render/html.js';
import type { ReportModel } from '../src/report/types.js';
import type { WhatIfData } from '../src/whatif/data.js';
import { applyKnobs, knobValues, warmUpSteps, type KnobValues } from '../src/whatif/knobs.js';
import { MarkupTree } from '../src/whatif/markup-diff.js';
import { prepareReplays, whatIfReport } from '../src/whatif/model.js';
import { embeddedData } from '../src/whatif/page.js';
import { WHATIF_STEPS } from './whatif-steps.js';

/**
 * The what-if page's render and scan in Node, without the model's time:
 * `npx tsx bench/whatif-render.ts --from bench/out/whatif-10000.html [--rounds 3] [--check]`.
 * Builds the reports the page builds (its warm-up steps, the run's, then the first six knob
 * changes of bench/whatif-steps.ts, applied cumulatively), then renders them in that order
 * `--rounds` times, each round from empty render caches (clearRenderMemo), and prints per change
 * the CPU ms of renderHtmlWithoutSummaryRows and of the scan of its markup (MarkupTree, as the
 * page's pageTree), medians over the rounds after the first (the first also reads the reports' lazy
 * figures, which is the model's time). `--check`: each kept render is compared with a cold one.
 */

const args = process.argv.slice(2);
const at = (flag: string): string | null => {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? null) : null;
};
const fromPage = at('--from');
if (fromPage === null) throw new Error('bench/whatif-render.ts: --from <page.html> is required');
const rounds = Number(at('--rounds') ?? 3);
const check = args.includes('--check');
const stepCount = Number(at('--steps') ?? 6);

const data: WhatIfData = embeddedData(await readFile(fromPage, 'utf8'));
prepareReplays(data);
const unmeasured = data.functions
  .filter((f) => f.sizing !== null && (f.profile.cpuSecondsPerInvocation === null || f.profile.cpuSecondsPerInvocation === undefined))
  .map((f) => ({ region: f.summary.region, name: f.summary.name }));
const runValues = knobValues(data.config, unmeasured);
const sequence: { label: string; values: KnobValues }[] = [
  ...warmUpSteps(runValues).map((values, i) => ({ label: `warm-up ${i + 1}`, values })),
  { label: 'run', values: runValues },
];
let values: KnobValues = { ...runValues };
for (const [key, value] of WHATIF_STEPS.slice(0, stepCount)) {
  values = { ...values, [key]: value };
  sequence.push({ label: `${key}=${String(value)}`, values });
}
const models: ReportModel[] = sequence.map((s) => whatIfReport(data, applyKnobs(data.config, s.values), { lazy: true }));

/** CPU ms since `from` (this process, GC threads included): steadier than wall time on a shared machine. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};
const renderMs: number[][] = sequence.map(() => []);
const scanMs: number[][] = sequence.map(() => []);
let bytes: number[] = [];
for (let round = 0; round < rounds; round++) {
  clearRenderMemo();
  bytes = [];
  models.forEach((model, k) => {
    let t = process.cpuUsage();
    const { html } = renderHtmlWithoutSummaryRows(model);
    (renderMs[k] as number[]).push(cpuMs(t));
    t = process.cpuUsage();
    new MarkupTree(html, html.indexOf('<div class="page">'));
    (scanMs[k] as number[]).push(cpuMs(t));
    bytes.push(html.length);
    if (check && round === 0) {
      clearRenderMemo();
      const cold = renderHtmlWithoutSummaryRows(model).html;
      if (cold !== html) throw new Error(`bench/whatif-render.ts: the kept render of ${sequence[k]?.label} differs from a cold one`);
      // Back to the kept state the page would have: the renders before, then this one.
      clearRenderMemo();
      for (let j = Math.max(0, k - 1); j <= k; j++) renderHtmlWithoutSummaryRows(models[j] as ReportModel);
    }
  });
}
const median = (xs: number[]): number => {
  const later = xs.length > 1 ? xs.slice(1) : xs;
  const sorted = [...later].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
let total = 0;
sequence.forEach((s, k) => {
  const r = median(renderMs[k] as number[]);
  const sc = median(scanMs[k] as number[]);
  if (k >= 2) total += r + sc;
  console.log(
    `  ${s.label}: render ${r.toFixed(0)} ms (first round ${(renderMs[k]?.[0] ?? 0).toFixed(0)}), scan ${sc.toFixed(0)} ms, ${((bytes[k] ?? 0) / 1e6).toFixed(2)} MB`,
  );
});
console.log(`  changes: render + scan ${total.toFixed(0)} ms over ${sequence.length - 2}${check ? '; every kept render equal to a cold one' : ''}`);
