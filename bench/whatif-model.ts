import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { renderHtml } from '../src/render/html.js';
import { applyKnobs, type KnobValues } from '../src/whatif/knobs.js';
import type { WhatIfData } from '../src/whatif/data.js';
import { prepareReplays, whatIfReport } from '../src/whatif/model.js';
import { embeddedData } from '../src/whatif/page.js';
import { GcPauses, optionOf, stepsOption } from './measure-tools.js';
import { whatIfBenchAccount } from './whatif-account.js';
import { WHATIF_STEPS } from './whatif-steps.js';

/**
 * The what-if page's model update in Node: `npx tsx bench/whatif-model.ts 1000 10000`.
 * For each N: the synthetic account of bench/whatif.ts (scripts/sample-generator.ts, 14 days x
 * 60 s, seed 7) through analyze with the what-if collector, then the steps the page takes
 * (prepareReplays and a one-function warm-up at load) and a sequence of knob changes, applied
 * cumulatively as the panel does. Prints per change the model time (whatIfReport: re-sizing +
 * buildReport), the renderHtml time, and a hash of the report's JSON (equal hashes before and
 * after a model change: the figures did not move) and, run with `node --expose-gc`, the heap
 * left reachable after each update. `--repeat k` runs the sequence k times
 * (later rounds meet values seen before); `--profile <prefix>` writes a CPU profile of the knob
 * changes alone (model and render) to <prefix>-<N>.cpuprofile. `--least k` runs the sequence k
 * times, each round from the run's values (an untimed update at those first, as a reset puts the
 * page back), with no render or hash after round 1, and prints per change the least model CPU ms
 * over rounds 2..k and the GC ms within it (the least disturbed figure on a shared machine). `--from <page.html>` reads the
 * data a what-if page embeds (bench/whatif.ts writes bench/out/whatif-<N>.html) instead of
 * building the account: minutes less at 10,000 functions, the same data. `--steps key=value,...`:
 * these changes instead of bench/whatif-steps.ts's.
 */


// `--steps key=value,...`: other changes than WHATIF_STEPS (numbers, or true / false).
const STEPS: readonly (readonly [string, number | boolean])[] =
  stepsOption(process.argv, 'bench/whatif-model.ts')?.map(([key, value]) => [key, value === 'true' ? true : value === 'false' ? false : Number(value)] as const) ?? WHATIF_STEPS;

async function measure(n: number, repeat: number): Promise<void> {
  const started = performance.now();
  const data: WhatIfData =
    fromPage === null ? (await whatIfBenchAccount(n, 'bench/whatif-model.ts')).data : embeddedData(await readFile(fromPage, 'utf8'));
  const sized = data.functions.filter((f) => f.sizing !== null).length;
  const source = fromPage === null ? 'analyze+collect' : `read from ${fromPage}`;
  console.log(`N=${data.functions.length}: ${source} ${((performance.now() - started) / 1000).toFixed(1)} s, ${sized} sized functions`);

  let t = performance.now();
  prepareReplays(data);
  const prepareMs = performance.now() - t;
  t = performance.now();
  renderHtml(whatIfReport({ ...data, functions: data.functions.slice(0, 1) }, data.config, { lazy: true }));
  console.log(`  load: prepareReplays ${prepareMs.toFixed(0)} ms, one-function warm-up ${(performance.now() - t).toFixed(0)} ms`);

  const values: KnobValues = {};
  const modelMs: number[] = [];
  const session = profileTo === null ? null : new Session();
  if (session !== null) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  for (let round = 0; round < repeat; round++) {
    for (const [key, value] of STEPS) {
      values[key] = value;
      const config = applyKnobs(data.config, values);
      t = performance.now();
      const cpu = process.cpuUsage();
      const model = whatIfReport(data, config, { lazy: true });
      const ms = performance.now() - t;
      const { user, system } = process.cpuUsage(cpu);
      modelMs.push(ms);
      t = performance.now();
      const html = renderHtml(model);
      const renderMs = performance.now() - t;
      const hash = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 12);
      // With --expose-gc: the heap still reachable after the update (the caches kept between updates).
      (globalThis as { gc?: () => void }).gc?.();
      console.log(
        `  ${round > 0 ? `round ${round + 1} ` : ''}${key}=${String(value)}: model ${ms.toFixed(0)} ms (cpu ${((user + system) / 1000).toFixed(0)} ms), renderHtml ${renderMs.toFixed(0)} ms ` +
          `(${(html.length / 1e6).toFixed(2)} MB), report ${hash}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`,
      );
    }
  }
  if (session !== null && profileTo !== null) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(`${profileTo}-${data.functions.length}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
  if (least > 1) {
    const cpus: number[][] = STEPS.map(() => []);
    /** Each change's time span, to read its GC pauses once Node has reported them. */
    const spans: [number, number][][] = STEPS.map(() => []);
    for (let round = 1; round < least; round++) {
      whatIfReport(data, data.config, { lazy: true });
      const again: KnobValues = {};
      STEPS.forEach(([key, value], i) => {
        again[key] = value;
        const config = applyKnobs(data.config, again);
        const from = performance.now();
        const cpu = process.cpuUsage();
        whatIfReport(data, config, { lazy: true });
        const { user, system } = process.cpuUsage(cpu);
        (cpus[i] as number[]).push((user + system) / 1000);
        (spans[i] as [number, number][]).push([from, performance.now()]);
      });
    }
    // Pauses are reported after the task that saw them: read them once the rounds are over.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const leastOf = (xs: number[]): number => Math.min(...xs);
    const at = cpus.map((xs) => xs.indexOf(leastOf(xs)));
    console.log(`  least model cpu per change over rounds 2..${least}: ${cpus.map((xs) => leastOf(xs).toFixed(0)).join(' ')}; sum ${cpus.reduce((sum, xs) => sum + leastOf(xs), 0).toFixed(0)} ms`);
    const gcMs = spans.map((xs, i) => pauses.within(...(xs[at[i] as number] as [number, number])).ms);
    console.log(`  gc ms in those rounds: ${gcMs.map((ms) => ms.toFixed(0)).join(' ')}`);
  }
  const sorted = [...modelMs].sort((a, b) => a - b);
  console.log(`  model: min ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}

const args = process.argv.slice(2);
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
const profileAt = args.indexOf('--profile');
const profileTo = profileAt >= 0 ? (args[profileAt + 1] as string) : null;
const fromAt = args.indexOf('--from');
const fromPage = fromAt >= 0 ? (args[fromAt + 1] as string) : null;
const least = Number(optionOf(args, '--least') ?? 1);
const pauses = new GcPauses();
const sizes = args.filter((a, i) => /^\d+$/.test(a) && !(repeatAt >= 0 && i === repeatAt + 1) && args[i - 1] !== '--least').map(Number);
if (fromPage !== null) await measure(0, repeat);
else for (const n of sizes.length > 0 ? sizes : [1000]) await measure(n, repeat);
