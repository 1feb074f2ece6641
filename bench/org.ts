import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { parseConfig } from '../src/config/load.js';
import { memberClientFactory, memberCredentials } from '../src/org/credentials.js';
import { fanOut } from '../src/org/fan-out.js';
import { mergeShards } from '../src/org/merge.js';
import { memberRoleArn, planShards } from '../src/org/plan.js';
import { orgFiles, orgReportFiles } from '../src/org/render.js';
import { mergeToSpool } from '../src/org/merge-run.js';
import { writeReportFiles } from '../src/publish/dir.js';
import { queriesPerCall } from '../src/source/aws/metrics-plan.js';
import type { ShardResult } from '../src/org/types.js';
import { dirShardStore } from '../src/org/shard-store.js';
import { analyzeProfiles } from '../src/pipeline/analyze.js';
import { openAwsSource } from '../src/source/aws/index.js';
import { mockPrices } from '../test/org/org-moto.js';
import { startOrgFake } from './org-fake.js';

/**
 * Benchmark of an organization run: `npx tsx bench/org.ts [accounts] [functionsPerAccount] [concurrencies] [mergeShards] [memoryMergeMax]`
 * (default 50 accounts x 2 regions x 1,000 functions, concurrency 1,10,25, merges of 50 and 500 shards).
 *
 * A child process serves every account on 127.0.0.1 (bench/org-fake.ts: the account comes from
 * the assumed role's keys; 20-60 ms latency per call). For each concurrency a fresh child runs
 * the in-process fan-out (plan -> shards, each shard's result written to a dir) and prints its
 * wall time and peak RSS, and the endpoint's GetMetricData calls against the fewest the window
 * needs. Other children run the merge alone (read back, merged one account at a time, every org
 * and per-account file rendered and written to a dir): over the measured shards, then over 50
 * and 500 shards copied from them under new account ids (peak RSS against the org's size), and
 * the all-in-memory merge at 50 for comparison. A last child
 * runs each account alone through the single-account path (all its regions in one report) and
 * the sums are compared with the org totals. Prices: the Price List API is mocked in-process
 * with the bundled us-east-1 items relabelled per region (same figures everywhere).
 */

const here = fileURLToPath(import.meta.url);
const NOW = new Date('2026-11-21T03:00:00Z');
const DAYS = 1;
const RESOLUTION = 300 as const;
const REGIONS = ['us-east-1', 'us-west-2'];
const CURRENT = '999999999999';
const CONFIG = () => parseConfig({ recommend: { minWindowDays: 1 } }, 'bench');
const accountIds = (n: number) => Array.from({ length: n }, (_, i) => String(100_000_000_000 + i * 1_000_003).padStart(12, '0'));
const base = (endpoint: string) => ({ endpoint, credentials: { accessKeyId: 'AKIABENCHBENCHBENCH0', secretAccessKey: 'bench' }, maxAttempts: 8 });
const rssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function serve(functionsPerAccount: number): Promise<void> {
  const fake = await startOrgFake({ functionsPerAccount, currentAccount: CURRENT, latencyMs: [20, 60], density: 0.5 });
  process.stdout.write(`${fake.endpoint}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

function plan(accounts: number) {
  return planShards({
    runId: 'bench',
    accounts: accountIds(accounts).map((accountId) => ({ accountId, name: null })),
    regions: REGIONS,
    currentAccountId: CURRENT,
    roleName: 'lmi-advisor-reader',
  });
}

async function fanOutChild(endpoint: string, accounts: number, concurrency: number, dir: string): Promise<void> {
  const prices = mockPrices();
  const store = dirShardStore(dir);
  const p = plan(accounts);
  await store.putPlan(p);
  const started = performance.now();
  const { shardsDone, functions, failures } = await fanOut({
    plan: p,
    concurrency,
    ctx: { days: DAYS, now: NOW, config: CONFIG(), settings: { resolution: RESOLUTION }, base: base(endpoint) },
    onResult: async (r) => {
      await store.putResult(r);
    },
  });
  const wallMs = performance.now() - started;
  prices.restore();
  process.stdout.write(`${JSON.stringify({ wallMs, shards: shardsDone, failures: failures.map((f) => f.message), functions, rssMB: rssMB() })}\n`);
}

/**
 * The merge alone over a shard dir, in a fresh process (peak RSS is the process's): `spool` is
 * the merge the CLI and the Lambda run (one account at a time, files spooled, then written to a
 * dir by the publisher); `memory` the all-at-once merge (every result, report and file in memory).
 */
async function mergeChild(dir: string, mode: string, out: string): Promise<void> {
  const started = performance.now();
  const store = dirShardStore(dir);
  const p = await store.getPlan();
  const run = { tool: 'lmi-advisor', version: 'bench', generatedAt: NOW.toISOString(), command: 'bench' };
  const formats = ['json', 'md', 'html'];
  let org;
  let files;
  if (mode === 'spool') {
    const merged = await mergeToSpool({ store, plan: p, failures: [], run, formats, spoolDir: join(out, '..', 'spool') });
    org = merged.org;
    files = [...orgFiles(org, formats), ...merged.accountFiles];
  } else {
    const merged = mergeShards({ plan: p, results: await store.listResults(), run });
    org = merged.org;
    files = orgReportFiles(merged, formats);
  }
  const mergedMs = performance.now() - started;
  await writeReportFiles(out, files);
  const wallMs = performance.now() - started;
  let bytes = 0;
  for (const name of await readdir(out)) bytes += (await readFile(join(out, name))).byteLength;
  process.stdout.write(
    `${JSON.stringify({ wallMs, mergedMs, writeMs: wallMs - mergedMs, files: files.length, megabytes: bytes / 1e6, rssMB: rssMB(), totals: org.totals, accounts: org.accounts.map((a) => ({ id: a.accountId, standardUsd: a.totals?.standardUsd, savingsUsd: a.totals?.savingsUsd })) })}\n`,
  );
}

/**
 * `shards` shard results from the measured ones (`from`): accounts cycled, each copy under a new
 * account id, so the merge's size grows with real shard results (same functions per shard).
 */
async function synthesise(from: string, to: string, shards: number): Promise<void> {
  const names = (await readdir(join(from, 'shards'))).filter((n) => n.endsWith('.json')).sort();
  const sources = [...new Set(names.map((n) => n.slice(0, 12)))];
  const accounts = Array.from({ length: Math.ceil(shards / REGIONS.length) }, (_, k) => String(200_000_000_000 + k));
  await mkdir(join(to, 'shards'), { recursive: true });
  for (const [k, id] of accounts.entries()) {
    const source = sources[k % sources.length]!;
    for (const region of REGIONS) {
      const r = JSON.parse(await readFile(join(from, 'shards', `${source}-${region}.json`), 'utf8')) as ShardResult;
      r.accountId = id;
      r.report.accountId = id;
      await writeFile(join(to, 'shards', `${id}-${region}.json`), JSON.stringify(r));
    }
  }
  const p = planShards({ runId: 'bench', accounts: accounts.map((accountId) => ({ accountId, name: null })), regions: REGIONS, currentAccountId: CURRENT, roleName: 'lmi-advisor-reader' });
  await writeFile(join(to, 'plan.json'), JSON.stringify(p));
}

async function singleChild(endpoint: string, accounts: number): Promise<void> {
  const prices = mockPrices();
  const limit = pLimit(10);
  const started = performance.now();
  const out = await Promise.all(
    accountIds(accounts).map((accountId) =>
      limit(async () => {
        const credentials = memberCredentials({ accountId, roleArn: memberRoleArn(accountId, 'lmi-advisor-reader') }, base(endpoint), 'us-east-1');
        const src = await openAwsSource({ regions: REGIONS, days: DAYS, now: NOW, resolution: RESOLUTION, clients: memberClientFactory(credentials, base(endpoint)) });
        const model = await analyzeProfiles({
          header: src.header,
          profiles: src.profiles,
          priceBook: src.priceBook,
          config: CONFIG(),
          run: { tool: 'lmi-advisor', version: 'bench', generatedAt: NOW.toISOString(), command: 'bench' },
        });
        return { id: model.accountId, standardUsd: model.totals.standardUsd, savingsUsd: model.totals.savingsUsd, functions: model.functions.length };
      }),
    ),
  );
  prices.restore();
  process.stdout.write(`${JSON.stringify({ wallMs: performance.now() - started, accounts: out })}\n`);
}

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', here, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').pop() ?? '') : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 50);
  const functions = Number(process.argv[3] ?? 1000);
  const concurrencies = (process.argv[4] ?? '1,10,25').split(',').map(Number);
  // Merge memory against the org's size: shard results copied under new account ids.
  const mergeSizes = (process.argv[5] ?? '50,500').split(',').map(Number);
  // The all-in-memory merge (for comparison) only up to this many shards: it holds everything.
  const memoryMergeMax = Number(process.argv[6] ?? 50);
  const server = spawn(process.execPath, ['--import', 'tsx', here, 'serve', String(functions)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve) => server.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
  const work = await mkdtemp(join(tmpdir(), 'lmi-bench-org-'));
  try {
    console.log(`${accounts} accounts x ${REGIONS.length} regions x ${functions} functions (${DAYS} day at ${RESOLUTION} s), endpoint latency 20-60 ms`);
    let lastDir = '';
    for (const c of concurrencies) {
      lastDir = join(work, `c${c}`);
      await fetch(`${endpoint}/__counts`, { method: 'POST' });
      const r = JSON.parse(await child(['fanout', endpoint, String(accounts), String(c), lastDir])) as { wallMs: number; shards: number; failures: string[]; functions: number; rssMB: number };
      const counts = (await (await fetch(`${endpoint}/__counts`, { method: 'POST' })).json()) as Record<string, number>;
      const calls = counts['cloudwatch:GetMetricData'] ?? 0;
      const queries = counts['cloudwatch:GetMetricData queries'] ?? 0;
      // The fewest calls for the window: each shard's queries in calls of at most 500 queries and
      // 100,800 points (GetMetricData API reference), a shard's calls never shared with another.
      const points = (DAYS * 86_400) / RESOLUTION;
      const minimum = r.shards * Math.ceil(queries / r.shards / queriesPerCall(points));
      console.log(`fan-out concurrency ${String(c).padStart(2)}: ${(r.wallMs / 1000).toFixed(1)} s, ${r.shards} shards, ${r.functions} functions, ${r.failures.length} failed, peak RSS ${r.rssMB} MB${r.failures.length ? ` (${r.failures[0]})` : ''}; GetMetricData ${calls} calls for ${queries} queries (minimum ${minimum}: ${queriesPerCall(points)} queries of ${points} points per call)`);
    }
    type Merged = { wallMs: number; mergedMs: number; writeMs: number; files: number; megabytes: number; rssMB: number; totals: { standardUsd: number; savingsUsd: number }; accounts: { id: string; standardUsd: number; savingsUsd: number }[] };
    const say = (label: string, x: Merged) =>
      console.log(`${label}: ${(x.wallMs / 1000).toFixed(2)} s (read+merge+render ${(x.mergedMs / 1000).toFixed(2)} s, write ${(x.writeMs / 1000).toFixed(2)} s, ${x.files} files, ${x.megabytes.toFixed(1)} MB), peak RSS ${x.rssMB} MB`);
    // BENCH_FANOUT_ONLY=1: the fan-outs alone (to time a concurrency in a run of its own).
    if (process.env['BENCH_FANOUT_ONLY'] === '1') return;
    const m = JSON.parse(await child(['merge', lastDir, 'spool', join(work, 'merged-measured')])) as Merged;
    say(`merge of the ${accounts * REGIONS.length} measured shards (one account at a time)`, m);
    for (const shards of mergeSizes) {
      const synth = join(work, `synth-${shards}`);
      await synthesise(lastDir, synth, shards);
      say(`merge of ${shards} shards, one account at a time`, JSON.parse(await child(['merge', synth, 'spool', join(work, `merged-${shards}`)])) as Merged);
      if (shards <= memoryMergeMax) say(`merge of ${shards} shards, all in memory (before)`, JSON.parse(await child(['merge', synth, 'memory', join(work, `merged-mem-${shards}`)])) as Merged);
      await rm(synth, { recursive: true, force: true });
    }
    const s = JSON.parse(await child(['single', endpoint, String(accounts)])) as { wallMs: number; accounts: { id: string; standardUsd: number; savingsUsd: number }[] };
    const sumStandard = s.accounts.reduce((a, x) => a + x.standardUsd, 0);
    const sumSavings = s.accounts.reduce((a, x) => a + x.savingsUsd, 0);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    const worst = Math.max(...s.accounts.map((x) => rel(m.accounts.find((y) => y.id === x.id)?.standardUsd ?? Number.NaN, x.standardUsd)));
    console.log(`org standard $${m.totals.standardUsd.toFixed(2)} vs sum of ${s.accounts.length} per-account runs $${sumStandard.toFixed(2)} (relative difference ${rel(m.totals.standardUsd, sumStandard).toExponential(2)})`);
    console.log(`org savings $${m.totals.savingsUsd.toFixed(2)} vs sum $${sumSavings.toFixed(2)} (relative difference ${rel(m.totals.savingsUsd, sumSavings).toExponential(2)}); worst account standard difference ${worst.toExponential(2)}; per-account runs took ${(s.wallMs / 1000).toFixed(1)} s at 10 accounts at a time`);
  } finally {
    server.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') await serve(Number(rest[0]));
else if (mode === 'fanout') await fanOutChild(rest[0]!, Number(rest[1]), Number(rest[2]), rest[3]!);
else if (mode === 'merge') await mergeChild(rest[0]!, rest[1]!, rest[2]!);
else if (mode === 'single') await singleChild(rest[0]!, Number(rest[1]));
else await main();
