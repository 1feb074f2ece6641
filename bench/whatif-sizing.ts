import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { GcPauses, modelBenchFlags, optionOf, startHeapSampling, stopHeapSampling } from './measure-tools.js';
import { applyKnobs, type KnobValues } from '../src/whatif/knobs.js';
import { prepareReplays, whatIfSummaries } from '../src/whatif/model.js';
import { embeddedData } from '../src/whatif/page.js';
import { WHATIF_STEPS } from './whatif-steps.js';

/**
 * The what-if page's re-sizing step alone (whatIfSummaries: summaryFor -> sizeLmi over the compact
 * replays), without buildReport: `npx tsx bench/whatif-sizing.ts --from bench/out/whatif-10000.html`.
 * The same knob changes as bench/whatif-model.ts, applied cumulatively. Prints per change the wall
 * and CPU ms of the re-sizing, the garbage collector's ms within it (PerformanceObserver 'gc'), and
 * with `--alloc` the bytes allocated within it (V8's sampling heap profiler, objects a GC already
 * collected included; a sample per 32 KiB, so an estimate). `--chart` reads every sizing's chart
 * after the re-sizing, as buildReport reads it for every function today (untimed, outside the
 * figures: it shows what building charts on first read saves when only a page's shown functions
 * read them). `--repeat k` runs the sequence k times; `--profile <file>` writes a CPU profile of
 * the re-sizings.
 */

const STEPS = WHATIF_STEPS;

const args = process.argv.slice(2);
const { fromPage, repeat, profileTo, alloc } = modelBenchFlags(
  args,
  'bench/whatif-sizing.ts --from <what-if page.html> [--repeat k] [--chart] [--alloc] [--profile file [--profile-step i]]',
);
const readCharts = args.includes('--chart');
/** `--profile-step i`: the CPU profile covers only the i-th change (0-based; default every change). */
const profileStep = Number(optionOf(args, '--profile-step') ?? -1);

/** GC pauses, summed per step by their start. */
const pauses = new GcPauses();

const data = embeddedData(await readFile(fromPage, 'utf8'));
let t = performance.now();
prepareReplays(data);
console.log(`N=${data.functions.length}: prepareReplays ${(performance.now() - t).toFixed(0)} ms`);

const session = profileTo !== null || alloc ? new Session() : null;
if (session !== null) session.connect();
if (profileTo !== null && session !== null) {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  if (profileStep < 0) await session.post('Profiler.start');
}


const values: KnobValues = {};
const totals = { cpu: 0, gc: 0, alloc: 0 };
let profiledResult: unknown = null;
for (let round = 0; round < repeat; round++) {
  for (const [step, [key, value]] of STEPS.entries()) {
    values[key] = value;
    const profileThis = profileTo !== null && session !== null && round === 0 && step === profileStep;
    const config = applyKnobs(data.config, values);
    // Settle the GC's pending work (PerformanceObserver entries arrive as tasks) before timing.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (alloc && session !== null) {
      await startHeapSampling(session);
    }
    if (profileThis) await session.post('Profiler.start');
    t = performance.now();
    const cpu = process.cpuUsage();
    const summaries = whatIfSummaries(data, config);
    const ms = performance.now() - t;
    const { user, system } = process.cpuUsage(cpu);
    if (profileThis) profiledResult = await session.post('Profiler.stop');
    let allocMB = Number.NaN;
    let top = '';
    if (alloc && session !== null) {
      ({ mb: allocMB, top } = await stopHeapSampling(session, 6));
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    const { ms: gc, count: gcCount } = pauses.within(t, t + ms);
    let charts = 0;
    if (readCharts) for (const s of summaries) if (s.sizing !== null && s.sizing.chart.lmiCapacity.length > 0) charts++;
    const cpuMs = (user + system) / 1000;
    totals.cpu += cpuMs;
    totals.gc += gc;
    if (alloc) totals.alloc += allocMB;
    console.log(
      `  ${round > 0 ? `round ${round + 1} ` : ''}${key}=${String(value)}: sizing ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms, gc ${gc.toFixed(0)} ms in ${gcCount})` +
        `${alloc ? `, allocated ~${allocMB.toFixed(1)} MB` : ''}${readCharts ? `, ${charts} charts read` : ''}`,
    );
    if (top !== '') console.log(`    most allocated (MB): ${top}`);
  }
}
console.log(`  total: cpu ${totals.cpu.toFixed(0)} ms, gc ${totals.gc.toFixed(0)} ms${alloc ? `, allocated ~${totals.alloc.toFixed(0)} MB` : ''}`);
if (profileTo !== null && session !== null) {
  const { profile } = (profileStep < 0 ? await session.post('Profiler.stop') : profiledResult) as { profile: unknown };
  await writeFile(profileTo, JSON.stringify(profile));
}
session?.disconnect();
