/**
 * Interleaved A/B of two what-if pages' updates: `npx tsx bench/whatif-ab.ts A.html B.html [rounds]`.
 * The comparable measure on a noisy machine: both pages (say one written by main's
 * `bench/whatif.ts --from`, one by a branch's) are open in one headless Chromium and every knob
 * change of bench/whatif.ts's sequence is applied to one page and then the other, the order
 * alternating, so both meet the same load. Round 1 starts from the run's values; later rounds
 * start from lmi.discount 0.1 and so meet values seen before. Prints per change each page's
 * in-page time and parts (the panel's data-update-ms and data-update-parts), the main thread's
 * CPU time (CDP ThreadTime, the frame after the update included), the wall time from the change
 * to that frame, and the sums. `--scroll <selector>`: each page is first scrolled so that element
 * is at the top (e.g. `--scroll '#others tbody'`: the reader at the "Other functions" table, where
 * the layout after an update is the largest).
 */
import { pathToFileURL } from 'node:url';
import { knobsToHash, type KnobValues } from '../src/whatif/knobs.js';
import { findChromium, launchChromium } from '../test/helpers/browser.js';
const argv = process.argv.slice(2);
const scrollAt = argv.indexOf('--scroll');
const scrollTo = scrollAt >= 0 ? (argv.splice(scrollAt, 2)[1] ?? null) : null;
const [aPath, bPath, roundsArg] = argv as [string?, string?, string?];
const rounds = Number(roundsArg ?? 2);
if (aPath === undefined || bPath === undefined || !(Number.isInteger(rounds) && rounds > 0)) {
  console.error('usage: npx tsx bench/whatif-ab.ts <A.html> <B.html> [rounds=2]');
  process.exit(2);
}
const executable = findChromium();
if (executable === null) {
  console.error('no Chromium on CHROMIUM_PATH / PATH: nothing measured');
  process.exit(2);
}
const browser = await launchChromium(executable);
const open = async (path: string) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(path).href, { timeout: 900_000 });
  await page.locator('#whatif[data-ready="true"]').waitFor({ timeout: 900_000 });
  if (scrollTo !== null) {
    await page.evaluate((selector) => {
      const target = document.querySelector(selector);
      if (target === null) throw new Error(`--scroll: no ${selector} in the page`);
      target.scrollIntoView({ block: 'start' });
    }, scrollTo);
  }
  return page;
};
const pages = { A: await open(aPath), B: await open(bPath) };
type P = typeof pages.A;
const sessions = new Map<P, Awaited<ReturnType<ReturnType<P['context']>['newCDPSession']>>>();
for (const page of Object.values(pages)) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
  sessions.set(page, cdp);
}
/** CPU seconds of the page's main thread so far (CDP Performance metric ThreadTime). */
async function threadTime(page: P): Promise<number> {
  const { metrics } = (await sessions.get(page)!.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
}
async function apply(page: P, values: KnobValues): Promise<{ ms: number; cpuMs: number; wallMs: number; parts: Record<string, number> }> {
  const before = await page.locator('#whatif').getAttribute('data-update-ms');
  await page.bringToFront();
  const cpu0 = await threadTime(page);
  const t0 = performance.now();
  await page.evaluate((h) => { location.hash = h; }, Object.keys(values).length ? '#' + knobsToHash(values) : '#');
  await page.waitForFunction((b) => { const p = document.querySelector<HTMLElement>('#whatif'); return p?.dataset.updateMs !== b && p?.dataset.pending === undefined; }, before, { timeout: 900_000 });
  // The frame after the update too (style, layout, paint of what changed).
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const wallMs = performance.now() - t0;
  const cpuMs = ((await threadTime(page)) - cpu0) * 1000;
  const ms = Number(await page.locator('#whatif').getAttribute('data-update-ms'));
  const raw = (await page.locator('#whatif').getAttribute('data-update-parts')) ?? '';
  const parts = Object.fromEntries(raw.split(', ').map((x) => { const i = x.lastIndexOf(' '); return [x.slice(0, i), Number(x.slice(i + 1))]; }));
  return { ms, cpuMs, wallMs, parts };
}
const steps: KnobValues[] = [{ 'lmi.discount': 0.3 }, { 'lmi.headroom': 1.5 }, { 'lmi.discount': 0.2 }, { 'lmi.cpuBusyFraction': 0.5 }, { 'lmi.discount': 0.3 }, { 'recommend.minSavingsPct': 20 }];
const sums = { A: { total: 0, model: 0, dom: 0, cpu: 0, wall: 0 }, B: { total: 0, model: 0, dom: 0, cpu: 0, wall: 0 } };
let k = 0;
for (let r = 0; r < rounds; r++) {
  let values: KnobValues = r === 0 ? {} : { 'lmi.discount': 0.1 };
  for (const s of steps) {
    values = { ...values, ...s };
    const order = (k++ % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as ('A' | 'B')[];
    const got: Record<string, { ms: number; cpuMs: number; wallMs: number; parts: Record<string, number> }> = {};
    for (const side of order) got[side] = await apply(pages[side], values);
    const line: string[] = [];
    for (const side of ['A', 'B'] as const) {
      const { ms, cpuMs, wallMs, parts } = got[side]!;
      sums[side].cpu += cpuMs;
      sums[side].wall += wallMs;
      const model = parts.model ?? 0;
      sums[side].total += ms; sums[side].model += model; sums[side].dom += ms - model;
      const keep = ['model', 'render', 'rowsHtml', 'scan', 'parse', 'patch', 'rows', 'writes', 'rowsMoved', 'rowsPatched', 'rowsParsed'];
      line.push(`${side} ${Math.round(ms)} (${keep.filter((x) => x in parts).map((x) => `${x} ${parts[x]}`).join(', ')}; non-model ${Math.round(ms - model)}; main-thread CPU ${Math.round(cpuMs)}; wall ${Math.round(wallMs)})`);
    }
    console.log(`${JSON.stringify(s)} [${order.join('')}]: ${line.join(' | ')}`);
  }
}
for (const side of ['A', 'B'] as const) console.log(`${side}: total ${Math.round(sums[side].total)} ms (main-thread CPU ${Math.round(sums[side].cpu)} ms, wall ${Math.round(sums[side].wall)} ms), model ${sums[side].model} ms, non-model ${Math.round(sums[side].dom)} ms over ${k} updates`);
await browser.close();
