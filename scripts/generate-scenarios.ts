import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FunctionProfile, PeriodSeconds, SnapshotHeader } from '../src/source/profile.js';
import { writeSnapshot } from '../src/source/snapshot-writer.js';

/**
 * Writes the generated scenario fixtures of fixtures/scenarios/ (see its README):
 * `npx tsx scripts/generate-scenarios.ts [dir]`. Values are exact constants so that tests can work
 * the expected figures out by hand. The small bad fixtures are written by hand, not here.
 */

export const SCENARIO_DIR = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));

const DAY_MS = 86_400_000;

function header(start: string, days: number, periodSeconds: PeriodSeconds): SnapshotHeader {
  const endMs = Date.parse(start) + days * DAY_MS;
  return {
    schema: 'lmi-advisor.snapshot/v1',
    capturedAt: new Date(endMs + 3 * 3_600_000).toISOString().replace('.000Z', 'Z'),
    accountId: '123456789012',
    window: { start, end: new Date(endMs).toISOString().replace('.000Z', 'Z'), periodSeconds },
    regions: ['us-east-1'],
  };
}

function fn(name: string, series: FunctionProfile['series']): FunctionProfile {
  return {
    region: 'us-east-1',
    name,
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memoryMB: 1024,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: { team: 'scenarios' },
    series,
  };
}

const fill = (n: number, v: number): number[] => new Array<number>(n).fill(v);

/** name -> [header, profiles]. */
export function scenarios(): Record<string, [SnapshotHeader, FunctionProfile[]]> {
  const day = 1440;
  // steady: 100 req/s at 100 ms all day: mean concurrency 10 (Little's law), 1-min peak 12.
  const steady = fn('steady-api', {
    invocations: fill(day, 6000),
    durationMsSum: fill(day, 600_000),
    concurrencyMax: fill(day, 12),
    durationMsMax: fill(day, 250),
    errors: fill(day, 0),
    throttles: fill(day, 0),
  });
  // triple-burst: 50 req/s at 100 ms, x3 from one minute to the next at 10:00 UTC for 30 minutes.
  const burstInv = fill(day, 3000);
  const burstDur = fill(day, 300_000);
  const burstConc = fill(day, 6);
  for (let m = 600; m < 630; m++) {
    burstInv[m] = 9000;
    burstDur[m] = 900_000;
    burstConc[m] = 17;
  }
  const burst = fn('burst-api', { invocations: burstInv, durationMsSum: burstDur, concurrencyMax: burstConc });
  // coarse-3600: the steady load, recorded at 1-hour periods over 7 days.
  const hours = 7 * 24;
  const coarse = fn('steady-api', {
    invocations: fill(hours, 360_000),
    durationMsSum: fill(hours, 36_000_000),
    concurrencyMax: fill(hours, 12),
  });
  // idle: three 200 ms invocations a day (minutes 100, 700, 1300).
  const idleInv = fill(day, 0);
  const idleDur = fill(day, 0);
  const idleConc = fill(day, 0);
  for (const m of [100, 700, 1300]) {
    idleInv[m] = 1;
    idleDur[m] = 200;
    idleConc[m] = 1;
  }
  const idle = fn('idle-hook', { invocations: idleInv, durationMsSum: idleDur, concurrencyMax: idleConc });
  // The steady load with one required series (or all three) unknown in every period (issue 8).
  const nulls = (n: number): null[] => new Array<null>(n).fill(null);
  const withUnknown = (name: string, unknown: readonly ('invocations' | 'durationMsSum' | 'concurrencyMax')[]) => {
    const series = { invocations: fill(day, 6000), durationMsSum: fill(day, 600_000), concurrencyMax: fill(day, 12) } as FunctionProfile['series'];
    for (const key of unknown) series[key] = nulls(day);
    return fn(name, series);
  };
  return {
    'steady.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [steady]],
    'concurrency-unknown.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [withUnknown('steady-api', ['concurrencyMax'])]],
    'duration-unknown.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [withUnknown('steady-api', ['durationMsSum'])]],
    'invocations-unknown.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [withUnknown('steady-api', ['invocations'])]],
    'all-unknown.ndjson': [
      header('2026-11-20T00:00:00Z', 1, 60),
      [withUnknown('steady-api', ['invocations', 'durationMsSum', 'concurrencyMax'])],
    ],
    'triple-burst.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [burst]],
    'coarse-3600.ndjson': [header('2026-11-14T00:00:00Z', 7, 3600), [coarse]],
    'idle.ndjson': [header('2026-11-20T00:00:00Z', 1, 60), [idle]],
  };
}

/** The steady snapshot, gzipped and cut at 60 % of its bytes: a download that stopped midway. */
export async function truncatedGzip(): Promise<Buffer> {
  const [h, profiles] = scenarios()['steady.ndjson'] as [SnapshotHeader, FunctionProfile[]];
  const text = [h, ...profiles].map((x) => JSON.stringify(x)).join('\n') + '\n';
  const gz = gzipSync(text, { level: 9 });
  return gz.subarray(0, Math.floor(gz.length * 0.6));
}

export async function writeScenarios(dir: string = SCENARIO_DIR): Promise<string[]> {
  const written: string[] = [];
  for (const [file, [h, profiles]] of Object.entries(scenarios())) {
    await writeSnapshot(join(dir, file), h, profiles);
    written.push(file);
  }
  await writeFile(join(dir, 'bad', 'truncated.ndjson.gz'), await truncatedGzip());
  written.push('bad/truncated.ndjson.gz');
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? SCENARIO_DIR;
  console.log(`wrote ${(await writeScenarios(dir)).join(', ')} in ${dir}`);
}
