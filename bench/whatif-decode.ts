import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { findChromium, launchChromium } from '../test/helpers/browser.js';
import type { WhatIfData } from '../src/whatif/data.js';
import { DATA_TYPE } from '../src/whatif/page.js';
import { prepareReplays } from '../src/whatif/model.js';
import { splitParts, unpackData } from '../src/whatif/pack.js';
import { compactReplay } from '../src/whatif/replay-compact.js';
import { decodeText } from '../src/whatif/text93.js';

/**
 * The what-if page's data decode in Node:
 * `npx tsx --expose-gc bench/whatif-decode.ts /work/data/whatif-10000.html [repeat]`.
 * Reads the text a page embeds and runs the page's steps on it (text93, gunzip, unpackData: the
 * JSON with its columns, then the range-coded replays), `repeat` times (default 3), printing the
 * ms of each step. Then, with --expose-gc, the memory the decoded data holds once collected: the
 * V8 heap (`heapUsed`, what a major GC walks) and the array buffers (typed arrays' contents, which
 * the GC does not walk), each as the difference with the data dropped. Last, a hash of the data
 * that reads plain and typed arrays alike: equal hashes, equal data. Also times compactReplay over
 * every function (what the page's load builds from the data) and, with --prepare, the page's whole
 * prepareReplays (those and a sizing of every function at the run's values).
 *
 * `--chromium <page.html>`: opens a what-if page (one this checkout rendered, such as
 * bench/out/whatif-10000-from.html of `bench/whatif.ts --from`) in headless Chromium and prints its
 * load time to a ready panel, the decode time the page measured (data-decode-ms and its parts),
 * and the page's JS heap after a forced GC (Runtime.getHeapUsage: what each major GC walks), with
 * everything the load built (the data, the replays and sizings prepareReplays keeps); with
 * `--profile <file.cpuprofile>`, a CPU profile of the load.
 */

async function inChromium(path: string | undefined): Promise<void> {
  if (path === undefined) throw new Error('usage: bench/whatif-decode.ts --chromium <page.html>');
  const executable = findChromium();
  if (executable === null) throw new Error('no Chromium on CHROMIUM_PATH / PATH');
  const browser = await launchChromium(executable);
  try {
    const page = await browser.newPage();
    const profile = args.indexOf('--profile');
    const profileTo = profile >= 0 ? args[profile + 1] : undefined;
    const cdp = await page.context().newCDPSession(page);
    if (profileTo !== undefined) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const started = performance.now();
    await page.goto(pathToFileURL(path).href, { timeout: 600_000 });
    await page.locator('#whatif[data-ready="true"]').waitFor({ timeout: 600_000 });
    const loadS = (performance.now() - started) / 1000;
    const panel = page.locator('#whatif');
    const decode = `${await panel.getAttribute('data-decode-ms')} ms (${await panel.getAttribute('data-decode-parts')})`;
    if (profileTo !== undefined) {
      const { profile: taken } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      await writeFile(profileTo, JSON.stringify(taken));
    }
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    console.log(`Chromium: load to ready panel ${loadS.toFixed(1)} s; data decoded in ${decode}; JS heap after GC ${mb(heap.usedSize)} MB (of ${mb(heap.totalSize)} MB)`);
  } finally {
    await browser.close();
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const args = process.argv.slice(2);
if (args[0] === '--chromium') {
  await inChromium(args[1]);
  process.exit(0);
}
const prepare = args.includes('--prepare');
const [page, repeatArg] = args.filter((a) => a !== '--prepare');
if (page === undefined) throw new Error('usage: bench/whatif-decode.ts <page.html> [repeat] [--prepare]');
const repeat = Number(repeatArg ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;

const html = await readFile(page, 'utf8');
const text = new RegExp(`<script type="${DATA_TYPE}" id="lmi-whatif-data">([^<]*)</script>`).exec(html)?.[1];
if (text === undefined) throw new Error(`${page}: the page carries no what-if data`);

function decode(): { data: WhatIfData; ms: Record<string, number> } {
  const t0 = performance.now();
  const { gzippedJson, coded } = splitParts(decodeText(text as string));
  const t1 = performance.now();
  const json = gunzipSync(gzippedJson);
  const t2 = performance.now();
  const data = unpackData({ json, coded });
  const t3 = performance.now();
  return { data, ms: { text93: t1 - t0, gunzip: t2 - t1, unpack: t3 - t2, total: t3 - t0 } };
}

// Array buffers are freed after the GC that finds them dead: collect, let the sweep run, collect again.
const memory = async () => {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};

const before = await memory();
let kept: WhatIfData | null = null;
for (let k = 0; k < repeat; k++) {
  kept = null;
  gc?.();
  const cpu = process.cpuUsage();
  const { data, ms } = decode();
  const { user, system } = process.cpuUsage(cpu);
  kept = data;
  const parts = Object.entries(ms)
    .map(([name, v]) => `${name} ${v.toFixed(0)}`)
    .join(', ');
  console.log(`decode ${k + 1}: ${parts} ms (CPU ${((user + system) / 1000).toFixed(0)} ms)`);
}
const data = kept as WhatIfData;
const heldUsage = process.memoryUsage();
console.log(`after decode (no GC): heapUsed ${mb(heldUsage.heapUsed)} MB, arrayBuffers ${mb(heldUsage.arrayBuffers)} MB`);
if (gc === undefined) console.log('(run with --expose-gc for the retained figures)');
else {
  const held = await memory();
  console.log(
    `retained by the data: heap ${mb(held.heap - before.heap)} MB + array buffers ${mb(held.buffers - before.buffers)} MB ` +
      `(heapUsed ${mb(held.heap)} MB, arrayBuffers ${mb(held.buffers)} MB)`,
  );
  const t = performance.now();
  gc();
  console.log(`a full GC with the data live: ${(performance.now() - t).toFixed(0)} ms`);
}

{
  const cpu = process.cpuUsage();
  const t = performance.now();
  let sized = 0;
  for (const f of data.functions) if (f.sizing !== null) sized += compactReplay(f.sizing.replay, data.window).periods > 0 ? 1 : 0;
  const { user, system } = process.cpuUsage(cpu);
  console.log(`compactReplay over ${sized} replays: ${(performance.now() - t).toFixed(0)} ms (CPU ${((user + system) / 1000).toFixed(0)} ms)`);
}
if (prepare) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  prepareReplays(data);
  const { user, system } = process.cpuUsage(cpu);
  console.log(`prepareReplays: ${(performance.now() - t).toFixed(0)} ms (CPU ${((user + system) / 1000).toFixed(0)} ms)`);
}

// The hash: the data's JSON with each replay's arrays left out, then those arrays' values as
// doubles (null as NaN: JSON holds no NaN), so plain and typed arrays of equal values hash alike.
const ARRAYS = ['servedValues', 'servedLengths', 'pairServed', 'pairConcurrency', 'pairInvocations', 'markGaps', 'markPairs', 'bucketPeak'] as const;
const hash = createHash('sha256');
let values = 0;
for (const f of data.functions) {
  const r = f.sizing?.replay;
  if (!r) continue;
  for (const key of ARRAYS) {
    const list = r[key] as ArrayLike<number | null>;
    values += list.length;
    const bytes = new Float64Array(list.length + 1);
    bytes[0] = list.length;
    for (let i = 0; i < list.length; i++) bytes[i + 1] = list[i] ?? Number.NaN;
    hash.update(new Uint8Array(bytes.buffer));
  }
}
hash.update(JSON.stringify(data, (key, v: unknown) => ((ARRAYS as readonly string[]).includes(key) ? null : v)));
console.log(`${data.functions.length} functions, ${values} replay values, data hash ${hash.digest('hex').slice(0, 12)}`);
