import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { GcPauses, modelBenchFlags, startHeapSampling, stopHeapSampling } from './measure-tools.js';
import { describeAssumptions } from '../src/config/assumptions.js';
import type { Config } from '../src/config/schema.js';
import { buildReport } from '../src/model/build-report.js';
import type { FunctionSummary } from '../src/model/summary.js';
import type { ReportModel } from '../src/report/types.js';
import type { WhatIfData } from '../src/whatif/data.js';
import { applyKnobs, type KnobValues } from '../src/whatif/knobs.js';
import { prepareReplays, whatIfSummaries } from '../src/whatif/model.js';
import { embeddedData } from '../src/whatif/page.js';
import { WHATIF_STEPS } from './whatif-steps.js';

/**
 * The what-if page's buildReport step alone (lazy, as whatIfReport calls it), after the re-sizing:
 * `npx tsx bench/whatif-build.ts --from bench/out/whatif-10000.html`. The knob changes of
 * bench/whatif-model.ts, applied cumulatively. Prints per change the wall and CPU ms of
 * buildReport, the garbage collector's ms within it, and the hash of the report's JSON as
 * bench/whatif-model.ts prints it (the same report: whatIfReport's steps, written out here so that
 * the re-sizing stays outside the figure). `--repeat k` runs the sequence k times, each from the
 * run's values (an untimed report at those between rounds), and prints each change's least CPU
 * over the rounds after the first (the least disturbed on a shared machine); `--alloc` prints the bytes
 * allocated within each buildReport (V8's sampling heap profiler, a sample per 32 KiB: an
 * estimate) and the functions that allocate most; `--profile <file>` writes a CPU profile of the buildReport calls (the re-sizing and hashing are outside it
 * only in time: the profile covers the whole sequence).
 */

const args = process.argv.slice(2);
const { fromPage, repeat, profileTo, alloc } = modelBenchFlags(args, 'bench/whatif-build.ts --from <what-if page.html> [--repeat k] [--alloc] [--profile file]');


/** GC pauses, summed per step by their start. */
const pauses = new GcPauses();

/** whatIfReport's buildReport call and its run-only parts (src/whatif/model.ts), over given summaries. */
function reportOf(data: WhatIfData, config: Config, summaries: FunctionSummary[]): ReportModel {
  const model = buildReport({
    accountId: data.accountId,
    window: data.window,
    summaries,
    priceBook: data.priceBook,
    config,
    assumptions: describeAssumptions(config),
    run: data.run,
    warnings: data.recordedWarnings.map((w) => ({ ...w })),
    lazy: true,
  });
  if (data.runOnly) {
    model.warnings.push(...data.runOnly.warnings.map((w) => ({ ...w })));
    if (data.runOnly.changes) model.changes = structuredClone(data.runOnly.changes);
  }
  return model;
}

const data = embeddedData(await readFile(fromPage, 'utf8'));
let t = performance.now();
prepareReplays(data);
console.log(`N=${data.functions.length}: prepareReplays ${(performance.now() - t).toFixed(0)} ms`);
// The page's warm-up at load: one report at the run's values.
reportOf(data, data.config, whatIfSummaries(data, data.config));

const session = profileTo === null && !alloc ? null : new Session();
if (session !== null) session.connect();
if (session !== null && profileTo !== null) {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
const buildMs: number[] = [];
const buildCpuMs: number[] = [];
const values: KnobValues = {};
for (let round = 0; round < repeat; round++) {
  if (round > 0) {
    // Back to the run's values (untimed), so each round makes the very changes of the first.
    for (const key of Object.keys(values)) delete values[key];
    reportOf(data, data.config, whatIfSummaries(data, data.config));
  }
  for (const [key, value] of WHATIF_STEPS) {
    values[key] = value;
    const config = applyKnobs(data.config, values);
    t = performance.now();
    const summaries = whatIfSummaries(data, config);
    const sizingMs = performance.now() - t;
    if (alloc && session !== null) {
      await startHeapSampling(session);
    }
    t = performance.now();
    const cpu = process.cpuUsage();
    const model = reportOf(data, config, summaries);
    const end = performance.now();
    const { user, system } = process.cpuUsage(cpu);
    buildMs.push(end - t);
    buildCpuMs.push((user + system) / 1000);
    let allocText = '';
    if (alloc && session !== null) {
      const { mb, top } = await stopHeapSampling(session, 14);
      allocText = `\n    allocated ~${mb.toFixed(1)} MB; most (MB): ${top}`;
    }
    // The observer reports a pause in a task after it.
    await new Promise((resolve) => setImmediate(resolve));
    const hash = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 12);
    console.log(
      `  ${round > 0 ? `round ${round + 1} ` : ''}${key}=${String(value)}: buildReport ${(end - t).toFixed(0)} ms (cpu ${((user + system) / 1000).toFixed(0)} ms, gc ${pauses.within(t, end).ms.toFixed(0)} ms), ` +
        `sizing ${sizingMs.toFixed(0)} ms, report ${hash}${allocText}`,
    );
  }
}
if (session !== null && profileTo !== null) {
  const { profile } = await session.post('Profiler.stop');
  await writeFile(profileTo, JSON.stringify(profile));
}
session?.disconnect();
const total = buildMs.reduce((a, b) => a + b, 0);
const sorted = [...buildMs].sort((a, b) => a - b);
const cpuTotal = buildCpuMs.reduce((a, b) => a + b, 0);
if (repeat > 1) {
  // Each change's least CPU over the rounds after the first (the machine is shared: the least is the least disturbed).
  const steps = WHATIF_STEPS.length;
  const least = WHATIF_STEPS.map((_, i) => Math.min(...buildCpuMs.filter((_, j) => j >= steps && j % steps === i)));
  console.log(`  least cpu per change over rounds 2..${repeat}: ${least.map((ms) => ms.toFixed(0)).join(' ')}; sum ${least.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
}
console.log(`  buildReport: total ${total.toFixed(0)} ms (cpu ${cpuTotal.toFixed(0)} ms), median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`);
