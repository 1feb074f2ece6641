/**
 * Bytes allocated by one what-if update at the page's scale, per phase and per function:
 * `npx tsx bench/whatif-alloc.ts --from <what-if page.html> [--top 25] [--knob lmi.headroom=1.5]`.
 * After three warm-up updates, the sampling heap profiler (every ~1 KB, counting the objects minor
 * and major GCs collected too) records the model (whatIfReport) of one change, then the render
 * (renderHtmlWithoutSummaryRows and the MarkupTree the page scans), and prints the MB allocated in
 * each with the top allocating functions (self bytes). What an update allocates and keeps until the
 * next is what the page's scavenges copy and promote. Line numbers are of the file run: bundle it
 * to read real ones (`npx esbuild bench/whatif-alloc.ts --bundle --platform=node --format=esm
 * --packages=external --outfile=bench/out/prof/alloc.mjs`, then `node bench/out/prof/alloc.mjs --from ...`).
 * Sampled: totals move by some 0.5 MB from run to run.
 */
import { readFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { renderHtmlWithoutSummaryRows } from '../src/render/html.js';
import { applyKnobs, type KnobValues } from '../src/whatif/knobs.js';
import { prepareReplays, whatIfReport } from '../src/whatif/model.js';
import { embeddedData } from '../src/whatif/page.js';
import { MarkupTree } from '../src/whatif/markup-diff.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const from = opt('--from');
if (from === undefined) {
  console.error('usage: npx tsx bench/whatif-alloc.ts --from <what-if page.html> [--top N] [--knob key=value]');
  process.exit(2);
}
const top = Number(opt('--top') ?? 25);
const [knob, value] = (opt('--knob') ?? 'lmi.headroom=1.5').split('=') as [string, string];

const data = embeddedData(await readFile(from, 'utf8'));
prepareReplays(data);
const tree = (html: string) => new MarkupTree(html, html.indexOf('<div class="page">'));
const update = (knobs: KnobValues) => whatIfReport(data, applyKnobs(data.config, knobs), { lazy: true });
// Warm-up: a re-sizing change, the run's values, a discount (the bench's change then follows the page's first steps).
let kept = tree(renderHtmlWithoutSummaryRows(update({ 'lmi.discount': 0.25, 'lmi.headroom': 1.3 })).html);
kept = tree(renderHtmlWithoutSummaryRows(update({})).html);
kept = tree(renderHtmlWithoutSummaryRows(update({ 'lmi.discount': 0.3 })).html);

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
async function sampled<T>(run: () => T): Promise<{ value: T; head: Node }> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  const value = run();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  return { value, head: profile.head };
}
function print(phase: string, head: Node): void {
  const self = new Map<string, number>();
  let total = 0;
  const walk = (n: Node): void => {
    const where = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anon)'} ${where}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    n.children.forEach(walk);
  };
  walk(head);
  console.log(`${phase}: ${(total / 2 ** 20).toFixed(1)} MB allocated (${((total / data.functions.length) | 0)} B per function)`);
  for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log((bytes / 2 ** 20).toFixed(2).padStart(8), key);
}

const model = await sampled(() => update({ 'lmi.discount': 0.3, [knob]: Number(value) }));
const render = await sampled(() => tree(renderHtmlWithoutSummaryRows(model.value).html));
kept = render.value;
console.log(`${data.functions.length} functions, ${knob}=${value} after lmi.discount=0.3`);
print('model', model.head);
print('render+scan', render.head);
void kept;
