import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openSnapshot } from '../src/source/snapshot-reader.js';
import { periodCount } from '../src/source/profile.js';
import { writeSnapshot } from '../src/source/snapshot-writer.js';
import { generateAccount } from '../scripts/sample-generator.js';

/**
 * Benchmark of `analyze` on a large synthetic account: `npx tsx bench/analyze.ts 1000` (or 10000).
 *
 * 1. Streams N functions x 14 days x 60 s into bench/out/account-<N>.ndjson.gz (reused when present;
 *    `--regenerate` to force).
 * 2. Runs, each in a fresh child process so that peak RSS is the run's own: `read` (reader +
 *    validation + a trivial per-function pass) and `analyze` (analyzeSnapshotFile, the whole model).
 *    `--read-only` skips analyze.
 * 3. Prints wall time, function-periods per second and the child's peak RSS (process.resourceUsage).
 *
 * Target (issue 2): 10,000 functions in < 60 s and < 1 GB RSS, RSS about the same at 1,000 and 10,000.
 * Measured 2026-11-23 on the 2-core project machine (shared, load ~4): N=1,000 read 3.0 s / 154 MB,
 * analyze 4.2 s / 184 MB; N=10,000 (1.0 GB gzip) read 28 s / 177 MB, analyze 40 s / 418 MB.
 * Generating the 10,000-function file takes about 5 minutes (done once, then reused).
 */

const SEED = 7;

/** read: reader + validation + a trivial per-function pass; analyze: analyzeSnapshotFile (the whole model). */
type Mode = 'read' | 'analyze';
const here = fileURLToPath(import.meta.url);

interface ChildResult {
  mode: Mode;
  functions: number;
  periods: number;
  wallMs: number;
  maxRssMB: number;
  note?: string;
}

/** Child side: one measured pass over the file, result printed as one JSON line. */
async function child(mode: Mode, path: string): Promise<void> {
  const started = performance.now();
  let functions = 0;
  let periods = 0;
  let note: string | undefined;
  if (mode === 'read') {
    const { header, profiles } = await openSnapshot(path);
    periods = periodCount(header.window);
    let invocations = 0;
    // A trivial per-function pass, so the series are really touched.
    for await (const p of profiles) {
      functions++;
      for (const v of p.series.invocations) invocations += v ?? 0;
    }
    note = `invocations ${invocations}`;
  } else {
    const { analyzeSnapshotFile } = await import('../src/pipeline/analyze.js');
    const { defaultConfig } = await import('../src/config/schema.js');
    const report = await analyzeSnapshotFile(path, { config: defaultConfig() });
    functions = report.functions.length;
    const { header } = await openSnapshot(path);
    periods = periodCount(header.window);
    note = `savingsUsd ${report.totals.savingsUsd}`;
  }
  const wallMs = performance.now() - started;
  // resourceUsage().maxRSS is in kilobytes.
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const result: ChildResult = { mode, functions, periods, wallMs, maxRssMB, ...(note ? { note } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runChild(mode: Mode, path: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', here, '--child', mode, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`child ${mode} exited ${code}: ${out}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as Mode, args[2] as string);
    return;
  }
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
  const outDir = fileURLToPath(new URL('./out/', import.meta.url));
  await mkdir(outDir, { recursive: true });
  const path = `${outDir}account-${n}.ndjson.gz`;

  const existing = await stat(path).catch(() => null);
  if (!existing || args.includes('--regenerate')) {
    const started = performance.now();
    const { header, profiles } = generateAccount({ seed: SEED, functions: n });
    // gzip level 1: the benchmark measures analyze, not how hard the file was compressed.
    await writeSnapshot(path, header, profiles(), { gzipLevel: 1 });
    console.log(`generated ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const size = (await stat(path)).size;
  console.log(`snapshot: ${n} functions x 14 days x 60 s, ${(size / 1024 / 1024).toFixed(1)} MB gzip`);

  const modes: Mode[] = args.includes('--read-only') ? ['read'] : ['read', 'analyze'];
  for (const mode of modes) {
    let r: ChildResult;
    try {
      r = await runChild(mode, path);
    } catch (error) {
      console.log(`${mode}: failed: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const seconds = r.wallMs / 1000;
    const functionPeriods = r.functions * r.periods;
    console.log(
      `${mode.padEnd(7)}: ${r.functions} functions, wall ${seconds.toFixed(1)} s, ` +
        `${(functionPeriods / seconds / 1e6).toFixed(2)} M function-periods/s, ` +
        `${(r.functions / seconds).toFixed(0)} functions/s, peak RSS ${r.maxRssMB.toFixed(0)} MB` +
        (r.note ? ` (${r.note})` : ''),
    );
  }
}

await main();
