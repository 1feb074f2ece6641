/**
 * Benchmark of the LMI sizing (src/model/lmi): N synthetic functions x 20,160 one-minute periods
 * (14 days), generated one at a time as the streaming pipeline would pass them, then one
 * capacity-provider plan per 50 arm64 functions. Prints wall and CPU time (the CPU figure is the
 * one to compare when the machine is shared); not a test.
 *   npx tsx bench/lmi-size.ts [functions=10000]
 */
import { defaultConfig } from '../src/config/schema.js';
import { planCapacityProvider, sizeLmi, type GroupMember } from '../src/model/lmi/index.js';
import type { FunctionProfile } from '../src/source/profile.js';
import { testRegionPrices, testWindow } from '../test/model/lmi/helpers.js';

const functions = Number(process.argv[2] ?? 10_000);
const periods = 20_160;
const window = testWindow(periods, 60);
const prices = testRegionPrices();
const config = defaultConfig();
const runtimes = ['nodejs22.x', 'python3.13', 'java21', 'dotnet8', 'nodejs20.x', 'provided.al2023'];
const memories = [128, 512, 1024, 2048, 3008, 4096, 10240];

let seed = 42;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);

function profile(i: number): FunctionProfile {
  const peak = Math.floor(random() ** 3 * 2000);
  const invocations: number[] = new Array(periods);
  const durationMsSum: number[] = new Array(periods);
  const concurrencyMax: number[] = new Array(periods);
  for (let p = 0; p < periods; p++) {
    const diurnal = 0.5 + 0.5 * Math.sin((2 * Math.PI * p) / 1440);
    const burst = random() < 0.001 ? 3 : 1;
    const c = Math.round(peak * diurnal * burst * (0.8 + 0.4 * random()));
    concurrencyMax[p] = c;
    invocations[p] = c * 300;
    durationMsSum[p] = c * 300 * 200;
  }
  return {
    region: 'us-east-1',
    name: `fn-${i}`,
    runtime: runtimes[i % runtimes.length] as string,
    architecture: i % 3 === 0 ? 'x86_64' : 'arm64',
    memoryMB: memories[i % memories.length] as number,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: {},
    series: { invocations, durationMsSum, concurrencyMax },
  };
}

let sizingMs = 0;
let sizingCpuMs = 0;
let generateMs = 0;
let sized = 0;
let runs = 0;
const group: GroupMember[] = [];
let planMs = 0;
let planCpuMs = 0;
let plans = 0;
const heapBefore = process.memoryUsage().heapUsed;
for (let i = 0; i < functions; i++) {
  const g0 = performance.now();
  const fn = profile(i);
  let inv = 0;
  let dur = 0;
  for (let p = 0; p < periods; p++) {
    inv += fn.series.invocations[p] as number;
    dur += fn.series.durationMsSum[p] as number;
  }
  const t0 = performance.now();
  generateMs += t0 - g0;
  const c0 = process.cpuUsage();
  const s = sizeLmi(fn, { invocations: inv, avgDurationMs: inv > 0 ? dur / inv : null }, { window, prices, config });
  const c1 = process.cpuUsage(c0);
  sizingCpuMs += (c1.user + c1.system) / 1000;
  sizingMs += performance.now() - t0;
  if (s === null) continue;
  sized++;
  runs += s.capacity.capacity.length;
  if (fn.architecture === 'arm64') group.push({ name: fn.name, memoryMB: fn.memoryMB, result: s.result, capacity: s.capacity, invocations: inv });
  if (group.length === 50) {
    const p0 = performance.now();
    const q0 = process.cpuUsage();
    planCapacityProvider({ name: 'g', region: 'us-east-1', architecture: 'arm64', trustGroup: null, members: group, prices, config, window });
    const q1 = process.cpuUsage(q0);
    planCpuMs += (q1.user + q1.system) / 1000;
    plans++;
    planMs += performance.now() - p0;
    group.length = 0;
  }
}
const heapAfter = process.memoryUsage().heapUsed;
console.log(
  JSON.stringify(
    {
      functions,
      periods,
      sized,
      sizingSeconds: +(sizingMs / 1000).toFixed(2),
      sizingMsPerFunction: +(sizingMs / functions).toFixed(3),
      sizingCpuMsPerFunction: +(sizingCpuMs / functions).toFixed(3),
      groupPlansSeconds: +(planMs / 1000).toFixed(2),
      groupPlans: plans,
      groupPlanCpuMsEach: +(planCpuMs / Math.max(1, plans)).toFixed(1),
      generateSeconds: +(generateMs / 1000).toFixed(2),
      avgCapacityRuns: Math.round(runs / Math.max(1, sized)),
      heapDeltaMB: Math.round((heapAfter - heapBefore) / 2 ** 20),
    },
    null,
    1,
  ),
);
