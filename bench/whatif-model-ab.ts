/**
 * In-process interleaved A/B of two checkouts' what-if model at 10,000 functions:
 * `npx tsx bench/whatif-model-ab.ts <A checkout dir> <B checkout dir> [rounds=5] --from <what-if page.html>`
 * (a checkout dir holds src/ and bench/whatif-steps.ts, with node_modules reachable: say
 * `git archive <commit> | tar -x -C /tmp/a` and a node_modules symlink). Both models are loaded in
 * one Node process, each over its own copy of the page's data; every round starts both from the
 * run's values, then applies the page's six knob changes (bench/whatif-steps.ts) to A and B in
 * turn, the order alternating, and prints per change the CPU ms of whatIfReport: least and median
 * over rounds 2..k. Back-to-back runs of bench/whatif-model.ts swing 20-40 % with the other
 * helpers' load; this comparison meets the same load and the same heap for both (the two share
 * one garbage collector: each side's figures include some of the other's collection).
 */
import { readFile } from 'node:fs/promises';
const args = process.argv.slice(2);
const fromAt = args.indexOf('--from');
const fromPage = fromAt >= 0 ? (args.splice(fromAt, 2)[1] ?? null) : null;
const [aDir, bDir, roundsArg] = args as [string?, string?, string?];
const rounds = Number(roundsArg ?? 5);
if (fromPage === null || aDir === undefined || bDir === undefined || !(Number.isInteger(rounds) && rounds > 1)) {
  console.error('usage: npx tsx bench/whatif-model-ab.ts <A dir> <B dir> [rounds >= 2] --from <what-if page.html>');
  process.exit(2);
}
const html = await readFile(fromPage, 'utf8');
/** One checkout's model, knobs and page reader (its own modules, typed any) over its own copy of the data. */
async function side(dir: string) {
  const model = await import(`${dir}/src/whatif/model.ts`);
  const knobs = await import(`${dir}/src/whatif/knobs.ts`);
  const page = await import(`${dir}/src/whatif/page.ts`);
  const steps = (await import(`${dir}/bench/whatif-steps.ts`)).WHATIF_STEPS as [string, unknown][];
  const data = page.embeddedData(html);
  model.prepareReplays(data);
  return { model, knobs, data, steps };
}
const A = await side(aDir);
const B = await side(bDir);
const steps = A.steps.slice(0, 6);
const cpu: { A: number[][]; B: number[][] } = { A: steps.map(() => []), B: steps.map(() => []) };
const time = (s: typeof A, config: unknown): number => {
  const c = process.cpuUsage();
  s.model.whatIfReport(s.data, config, { lazy: true });
  const { user, system } = process.cpuUsage(c);
  return (user + system) / 1000;
};
for (let r = 0; r < rounds; r++) {
  for (const s of [A, B]) s.model.whatIfReport(s.data, s.data.config, { lazy: true });
  const values: Record<string, unknown> = {};
  steps.forEach(([k, v], i) => {
    values[k] = v;
    const order = (r + i) % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    for (const name of order) {
      const s = name === 'A' ? A : B;
      cpu[name][i]!.push(time(s, s.knobs.applyKnobs(s.data.config, values)));
    }
  });
}
const least = (xs: number[]) => Math.min(...xs.slice(1));
const median = (xs: number[]) => { const s = xs.slice(1).sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
let sa = 0, sb = 0, ma = 0, mb = 0;
steps.forEach(([k, v], i) => {
  const a = cpu.A[i]!, b = cpu.B[i]!;
  sa += least(a); sb += least(b); ma += median(a); mb += median(b);
  console.log(`${k}=${String(v)}`.padEnd(28), 'least A', least(a).toFixed(0).padStart(4), 'B', least(b).toFixed(0).padStart(4), '| median A', median(a).toFixed(0).padStart(4), 'B', median(b).toFixed(0).padStart(4), '| all A', a.map((x) => x.toFixed(0)).join(' '), '| B', b.map((x) => x.toFixed(0)).join(' '));
});
console.log(`sum of least: A ${sa.toFixed(0)} B ${sb.toFixed(0)} (${((sb / sa - 1) * 100).toFixed(0)} %); sum of medians: A ${ma.toFixed(0)} B ${mb.toFixed(0)} (${((mb / ma - 1) * 100).toFixed(0)} %) over rounds 2..${rounds}`);
