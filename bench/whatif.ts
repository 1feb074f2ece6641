import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderHtml } from '../src/render/html.js';
import type { ReportModel } from '../src/report/types.js';
import type { WhatIfData } from '../src/whatif/data.js';
import { whatIfReport } from '../src/whatif/model.js';
import { packData } from '../src/whatif/pack.js';
import { embeddedData, renderWhatIfHtml, WHATIF_MAX_DATA_BYTES } from '../src/whatif/page.js';
import { findChromium, launchChromium } from '../test/helpers/browser.js';
import { stepsOption } from './measure-tools.js';
import { whatIfBenchAccount } from './whatif-account.js';
import { WHATIF_STEPS } from './whatif-steps.js';

/**
 * Size and speed of the what-if page: `npx tsx bench/whatif.ts 32 1000 10000` (`--size-only`: no browser).
 * For each N: a synthetic account (scripts/sample-generator.ts, 14 days x 60 s, seed 7) through
 * analyze with the what-if collector; the page with the panel forced on (no size limit) is written
 * to bench/out/whatif-<N>.html and opened from file:// in headless Chromium (CHROMIUM_PATH or PATH),
 * then six knob changes are made through the controls (three that re-size every function, the CPU
 * share, which re-sizes the unmeasured ones, a discount seen before, then recommend.minSavingsPct,
 * which re-runs buildReport only). Prints: static page bytes, data bytes (the embedded text, and the
 * gzipped JSON and range-coded arrays it holds), the time the page took to decode its data,
 * page bytes with what-if, whether the default page keeps the panel live (limit
 * WHATIF_MAX_DATA_BYTES), load time to a ready panel, and each update's time as measured in the
 * page, from the reader's input event to the frame that shows the new report drawn, measured in the
 * page (to paint: what a reader waits, as Interaction to Next Paint counts it), and from the
 * harness's key press to the new DOM (wall: adds Playwright's own work on the page, its locator,
 * actionability checks and polling, to the same update), then the page's size after it (elements,
 * capacity-provider plans on show of the report's, function sections: what the update had to bring up to date). The in-page parts (ms): model (sizing +
 * buildReport), render (the HTML string), scan (its element tree, markup-diff.ts), parse (the
 * changed subtrees only), patch (the rest of the DOM update: comparing, moving, inserting), and
 * parsedKB, the markup parsed, writes, the DOM writes (texts, attributes, moves), elements, the changed elements walked; wholeParse / wholePatch appear only when the diff fell back to
 * parsing the whole report; plansShown, the plans rendered (a page of them, PLANS_PAGE_SIZE). The "Other functions" rows are outside that diff (src/whatif/table-rows.ts):
 * rowsHtml (their texts and shapes, summaryRowTexts: markup only for the rows parsed), rows (bringing the table body to them: rowsPlan pairing, rowsParse,
 * rowsPlace ordering), and the counts rowsKept (same markup), rowsPatched (node kept, rowsTexts
 * text nodes rewritten), rowsParsed, rowsMoved, rowsRemoved (rowsRebuilt: the body rebuilt whole).
 * `--from <page.html>`: the data a what-if page embeds (an earlier run's bench/out/whatif-<N>.html)
 * instead of building the account, and the report at the run's values rebuilt from it by the
 * page's model (the page's own figures; the exactness tests hold the two equal): the page is
 * written again with this checkout's script, as bench/out/whatif-<N>-from.html. Minutes less at
 * 10,000 functions.
 * `--profile <prefix>`: a CDP CPU profile of the page over the six knob changes, written to
 * <prefix>.cpuprofile (open it in DevTools, or summarize it); with `--trace`, also a Chromium
 * trace of them (style, layout, paint) to <prefix>.trace.json.
 * `--page <page.html>`: a page already written (by `--from` or a size run) opened as it is: no build, the
 * browser part only.
 * `--steps key=value,...`: other knob changes than the six above, in that order (each applied to
 * the page as it stands, as a reader would: a number box committed with Enter, a checkbox given
 * `true` or `false`), e.g. `--steps lmi.headroom=1.5` for a first change
 * that re-sizes every function before any other change has compiled the patch.
 */

const MB = 1024 * 1024;

async function measure(size: number, outDir: string): Promise<void> {
  const started = performance.now();
  let account: { model: ReportModel; data: WhatIfData };
  if (fromPage === null) account = await whatIfBenchAccount(size, 'bench/whatif.ts');
  else {
    const data = embeddedData(await readFile(fromPage, 'utf8'));
    account = { model: whatIfReport(data, data.config), data };
  }
  const { model, data } = account;
  const n = data.functions.length;
  const analyzeS = (performance.now() - started) / 1000;
  const staticBytes = Buffer.byteLength(renderHtml(model));
  const forced = await renderWhatIfHtml(model, data, Number.POSITIVE_INFINITY);
  const pageBytes = Buffer.byteLength(forced.html);
  const byDefault = await renderWhatIfHtml(model, data);
  const packed = packData(data);
  const jsonGzBytes = gzipSync(packed.json, { level: 9 }).length;
  const path = `${outDir}whatif-${n}${fromPage === null ? '' : '-from'}.html`;
  await writeFile(path, forced.html);
  console.log(
    `N=${n}: ${fromPage === null ? 'analyze+collect' : `read from ${fromPage}`} ${analyzeS.toFixed(1)} s; static page ${(staticBytes / MB).toFixed(2)} MB, ` +
      `what-if data ${(forced.dataBytes / MB).toFixed(2)} MB (text of ${((4 + jsonGzBytes + packed.coded.length) / MB).toFixed(2)} MB: ` +
      `JSON ${(packed.json.length / MB).toFixed(2)} MB, gzip ${(jsonGzBytes / MB).toFixed(2)} MB; range-coded arrays ${(packed.coded.length / MB).toFixed(2)} MB), ` +
      `page with what-if ${(pageBytes / MB).toFixed(2)} MB; ` +
      `default page: panel ${byDefault.live ? 'live' : `read-only (data above ${WHATIF_MAX_DATA_BYTES / MB} MB)`}, ${(Buffer.byteLength(byDefault.html) / MB).toFixed(2)} MB`,
  );

  await browse(path);
}

/** Opens a written what-if page in headless Chromium and makes the knob changes of `steps`. */
async function browse(path: string): Promise<void> {
  const executable = process.argv.includes('--size-only') ? null : findChromium();
  if (executable === null) {
    console.log('  update time not measured (--size-only, or no Chromium on CHROMIUM_PATH / PATH)');
    return;
  }
  const browser = await launchChromium(executable);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const loadStart = performance.now();
    await page.goto(pathToFileURL(path).href, { timeout: 600_000 });
    await page.locator('#whatif[data-ready="true"]').waitFor({ timeout: 600_000 });
    const loadS = (performance.now() - loadStart) / 1000;
    const decodeMs = `${await page.locator('#whatif').getAttribute('data-decode-ms')} ms: ${await page.locator('#whatif').getAttribute('data-decode-parts')}`;
    // The unseen updates at other values the page makes while loading (knobs.ts warmUpSteps).
    const warmUpMs = await page.locator('#whatif').getAttribute('data-warm-up-ms');
    const updates: string[] = [];
    const cdp = profilePrefix === null ? null : await page.context().newCDPSession(page);
    const traceEvents: unknown[] = [];
    if (cdp !== null) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      if (process.argv.includes('--trace')) {
        cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => traceEvents.push(...e.value));
        await cdp.send('Tracing.start', {
          traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8'] },
          transferMode: 'ReportEvents',
        } as never);
      }
    }
    for (const [key, value] of steps) {
      const input = page.locator(`input[data-knob="${key}"]`);
      const before = await page.locator('#whatif').getAttribute('data-update-ms');
      await page.evaluate(() => {
        delete document.querySelector<HTMLElement>('#whatif')?.dataset.paintMs;
      });
      const type = await input.getAttribute('type');
      // A value the control already has changes nothing: the page would not update (and the wait below would time out).
      const current = type === 'checkbox' ? String(await input.isChecked()) : await input.inputValue();
      if (Number.isNaN(Number(value)) ? current === value : Number(current) === Number(value)) {
        updates.push(`${key}=${value}: no change (the control already holds ${current})`);
        continue;
      }
      const t = performance.now();
      // As a reader commits each control: a slider moves the report as it moves (`input`); a
      // number box on Enter and a checkbox on a click (`change`: the page waits for them).
      if (type === 'checkbox') await input.setChecked(value === 'true');
      else {
        await input.fill(value);
        if (type === 'number') await input.press('Enter');
      }
      await page.waitForFunction((b) => {
        const panel = document.querySelector<HTMLElement>('#whatif');
        return panel?.dataset.updateMs !== b && panel?.dataset.pending === undefined;
      }, before, { timeout: 600_000 });
      const wallMs = performance.now() - t;
      await page.waitForFunction(() => document.querySelector<HTMLElement>('#whatif')?.dataset.paintMs !== undefined, undefined, { timeout: 600_000 });
      const paintMs = Number(await page.locator('#whatif').getAttribute('data-paint-ms'));
      const inPage = Number(await page.locator('#whatif').getAttribute('data-update-ms'));
      const parts = await page.locator('#whatif').getAttribute('data-update-parts');
      // How much page the update brought up to date (read after the timings: an update's cost grows with it).
      const size = await page.evaluate(() => ({
        elements: document.getElementsByTagName('*').length,
        plans: document.querySelectorAll('.page > main article.plan').length,
        // Every plan of the report (the plans' pager shows a page of them).
        planTotal: document.querySelector<HTMLElement>('.whatif-pager[data-pager-of="plans"][data-whatif-pager="top"]')?.dataset.total ?? '0',
        sections: document.querySelectorAll('.page > main article.fn').length,
      }));
      updates.push(
        `${key}=${value}: ${Math.round(inPage)} ms in page (${parts}), ${paintMs} ms to paint, ${Math.round(wallMs)} ms wall ` +
          `[page then: ${size.elements} elements, ${size.plans} of ${size.planTotal} plans, ${size.sections} function sections]`,
      );
    }
    if (cdp !== null && profilePrefix !== null) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(`${profilePrefix}.cpuprofile`, JSON.stringify(profile));
      if (process.argv.includes('--trace')) {
        const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
        await cdp.send('Tracing.end');
        await done;
        await writeFile(`${profilePrefix}.trace.json`, JSON.stringify({ traceEvents }));
      }
      console.log(`  profile written to ${profilePrefix}.cpuprofile`);
    }
    console.log(`  Chromium: load to ready panel ${loadS.toFixed(1)} s (data decoded in ${decodeMs}; warm-up ${warmUpMs ?? '?'} ms); updates: ${updates.join('; ')}${errors.length ? `; ERRORS: ${errors.join(' | ')}` : ''}`);
  } finally {
    await browser.close();
  }
}

const args = process.argv.slice(2);
// The six changes of bench/whatif-steps.ts the README's table names.
const steps = stepsOption(args, 'bench/whatif.ts') ?? WHATIF_STEPS.slice(0, 6).map(([key, value]) => [key, String(value)] as const);
const fromAt = args.indexOf('--from');
const fromPage = fromAt >= 0 ? (args[fromAt + 1] as string) : null;
const profileAt = args.indexOf('--profile');
const profilePrefix = profileAt >= 0 ? (args[profileAt + 1] as string) : null;
// Function names kept in the page's script, so the profile names them (src/whatif/bundle.ts).
if (profilePrefix !== null) process.env.LMI_WHATIF_BUNDLE_NAMES = '1';
const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--profile').map(Number);
const outDir = fileURLToPath(new URL('./out/', import.meta.url));
await mkdir(outDir, { recursive: true });
const pageAt = args.indexOf('--page');
if (pageAt >= 0) await browse(args[pageAt + 1] as string);
else if (fromPage !== null) await measure(0, outDir);
else for (const n of sizes.length > 0 ? sizes : [32, 1000]) await measure(n, outDir);
