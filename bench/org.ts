import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { parseConfig } from '../src/config/load.js';
import { memberClientFactory, memberCredentials } from '../src/org/credentials.js';
import { fanOut } from '../src/org/fan-out.js';
import { mergeShards } from '../src/org/merge.js';
import { memberRoleArn, planShards } from '../src/org/plan.js';
import { orgReportFiles } from '../src/org/render.js';
import { dirShardStore } from '../src/org/shard-store.js';
import { analyzeProfiles } from '../src/pipeline/analyze.js';
import { openAwsSource } from '../src/source/aws/index.js';
import { mockPrices } from '../test/org/org-moto.js';
import { startOrgFake } from './org-fake.js';

/**
 * Benchmark of an organization run: `npx tsx bench/org.ts [accounts] [functionsPerAccount] [concurrencies]`
 * (default 50 accounts x 2 regions x 1,000 functions, concurrency 1,10,25).
 *
 * A child process serves every account on 127.0.0.1 (bench/org-fake.ts: the account comes from
 * the assumed role's keys; 20-60 ms latency per call). For each concurrency a fresh child runs
 * the in-process fan-out (plan -> shards, each shard's result written to a dir) and prints its
 * wall time and peak RSS. Another child runs the merge alone over those shard results (read
 * back, merged, every org and per-account file rendered): wall time and peak RSS. A last child
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
  const { results, failures } = await fanOut({
    plan: p,
    concurrency,
    ctx: { days: DAYS, now: NOW, config: CONFIG(), settings: { resolution: RESOLUTION }, base: base(endpoint) },
    onResult: async (r) => {
      await store.putResult(r);
    },
  });
  const wallMs = performance.now() - started;
  prices.restore();
  const functions = results.reduce((s, r) => s + r.report.functions.length, 0);
  process.stdout.write(`${JSON.stringify({ wallMs, shards: results.length, failures: failures.map((f) => f.message), functions, rssMB: rssMB() })}\n`);
}

async function mergeChild(dir: string): Promise<void> {
  const started = performance.now();
  const store = dirShardStore(dir);
  const p = await store.getPlan();
  const results = await store.listResults();
  const readMs = performance.now() - started;
  const merged = mergeShards({ plan: p, results, run: { tool: 'lmi-advisor', version: 'bench', generatedAt: NOW.toISOString(), command: 'bench' } });
  const mergeMs = performance.now() - started - readMs;
  const files = orgReportFiles(merged);
  const wallMs = performance.now() - started;
  const bytes = files.reduce((s, f) => s + Buffer.byteLength(f.content), 0);
  process.stdout.write(
    `${JSON.stringify({ wallMs, readMs, mergeMs, renderMs: wallMs - readMs - mergeMs, files: files.length, megabytes: bytes / 1e6, rssMB: rssMB(), totals: merged.org.totals, accounts: merged.org.accounts.map((a) => ({ id: a.accountId, standardUsd: a.totals?.standardUsd, savingsUsd: a.totals?.savingsUsd })) })}\n`,
  );
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
  const server = spawn(process.execPath, ['--import', 'tsx', here, 'serve', String(functions)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve) => server.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())));
  const work = await mkdtemp(join(tmpdir(), 'lmi-bench-org-'));
  try {
    console.log(`${accounts} accounts x ${REGIONS.length} regions x ${functions} functions (${DAYS} day at ${RESOLUTION} s), endpoint latency 20-60 ms`);
    let lastDir = '';
    for (const c of concurrencies) {
      lastDir = join(work, `c${c}`);
      const r = JSON.parse(await child(['fanout', endpoint, String(accounts), String(c), lastDir])) as { wallMs: number; shards: number; failures: string[]; functions: number; rssMB: number };
      console.log(`fan-out concurrency ${String(c).padStart(2)}: ${(r.wallMs / 1000).toFixed(1)} s, ${r.shards} shards, ${r.functions} functions, ${r.failures.length} failed, peak RSS ${r.rssMB} MB${r.failures.length ? ` (${r.failures[0]})` : ''}`);
    }
    const m = JSON.parse(await child(['merge', lastDir])) as { wallMs: number; readMs: number; mergeMs: number; renderMs: number; files: number; megabytes: number; rssMB: number; totals: { standardUsd: number; savingsUsd: number }; accounts: { id: string; standardUsd: number; savingsUsd: number }[] };
    console.log(`merge: ${(m.wallMs / 1000).toFixed(2)} s (read ${(m.readMs / 1000).toFixed(2)} s, merge ${(m.mergeMs / 1000).toFixed(2)} s, render ${(m.renderMs / 1000).toFixed(2)} s, ${m.files} files, ${m.megabytes.toFixed(1)} MB), peak RSS ${m.rssMB} MB`);
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
else if (mode === 'merge') await mergeChild(rest[0]!);
else if (mode === 'single') await singleChild(rest[0]!, Number(rest[1]));
else await main();
