import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MOTO_CREDENTIALS } from '../helpers/moto.js';
import { register } from '../../src/cli/analyze-command.js';
import { UserInputError } from '../../src/errors.js';
import type { ReportModel } from '../../src/report/types.js';
import { commandHarness, runCli } from './run-cli.js';
import { createFunction, motoClients, putTraffic, useMotoAccount } from '../publish/moto-account.js';

/**
 * `lmi-advisor analyze --live`: the same collection as `record`, in memory, straight into the
 * reports. Real SDK clients against moto (endpoint from AWS_ENDPOINT_URL); Price List mocked.
 */

const account = useMotoAccount('lmi-analyze-live-');

const cli = () => commandHarness(register);

describe('analyze --live: options', () => {
  it.each([
    [['--live'], '--live needs --regions'],
    [['--live', '--snapshot', 'x.ndjson', '--regions', 'us-east-1'], '--snapshot and --live exclude each other'],
    [[], 'give --snapshot <file>'],
    [['--live', '--regions', 'us-east-1', '--resolution', '45'], '--resolution: expected auto, 60, 300 or 3600'],
  ])('rejects %j before any work', async (args, message) => {
    const { program } = cli();
    const error = await program.parseAsync(['analyze', ...args, '--out', join(account.dir, 'never')], { from: 'user' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(message);
    await expect(readdir(join(account.dir, 'never'))).rejects.toThrow();
  });
});

describe('analyze --live against moto', () => {
  it('collects, analyses and writes only the chosen formats', async () => {
    // Prepare
    account.useSdkEnv();
    const { dir } = account;
    const clients = motoClients(account.moto);
    await createFunction(clients, 'api', 2048);
    // 52 hours of data, one datum every 15 minutes: 208 data x 20,000 invocations.
    await putTraffic(clients, 'api', new Date('2026-11-19T00:00:00Z'), 52, { invocations: 20_000, durationMs: 200, concurrency: 20 });
    const config = join(dir, 'cfg.yaml');
    await writeFile(config, 'recommend:\n  minWindowDays: 1\n');
    const out = join(dir, 'reports');

    // Act
    const { program, context, out: stdout } = cli();
    await program.parseAsync(
      ['analyze', '--live', '--regions', 'us-east-1', '--days', '1', '--now', '2026-11-21T03:00:00Z', '--out', out, '--config', config, '--format', 'json,md'],
      { from: 'user' },
    );

    // Assess
    expect(context.exitCode).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportModel;
    expect(report.prices.source).toBe('live');
    expect(report.window.end).toBe('2026-11-21T03:00:00.000Z');
    const api = report.functions.find((f) => f.name === 'api');
    // The window (2026-11-20T03:00 to 2026-11-21T03:00) holds 24 h of the data: 96 data.
    expect(api?.usage.invocations).toBe(96 * 20_000);
    expect(api?.usage.peakConcurrency).toBe(20);
    expect(report.run.command).toContain('lmi-advisor analyze --live --regions us-east-1 --days 1');
    expect(stdout.join('')).toContain('report.md');
  });
});

/** The SDK env pointed at moto, without forgetting the role earlier tests made (useSdkEnv does). */
function sdkEnv(): void {
  vi.stubEnv('AWS_ENDPOINT_URL', account.moto.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_REGION', 'us-east-1');
}

/** Splits a POSIX command line as reproduceCommand quotes it (single quotes, '\'' escapes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      current += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\') {
      current += line[++i] ?? '';
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

describe('run.command reproduces the report (issue 8 item 9)', () => {
  /** The machine's clock for these runs (the window ends an hour before). */
  const clock = () => new Date('2026-11-21T04:00:00Z');

  it.each([
    ['analyze --live', ['analyze', '--live']],
    ['run', ['run', '--publish', 'dir']],
  ])('%s: re-running the recorded command gives the same report', async (_label, command) => {
    // Prepare: two functions the filters keep, one they drop; a config that changes figures.
    sdkEnv();
    const { dir } = account;
    const clients = motoClients(account.moto);
    const prefix = command[0] === 'run' ? 'rr' : 'ra';
    for (const [name, memoryMB] of [[`${prefix}-a`, 2048], [`${prefix}-b`, 1024], [`${prefix}x-c`, 512]] as const) {
      await createFunction(clients, name, memoryMB);
      await putTraffic(clients, name, new Date('2026-11-19T00:00:00Z'), 52, { invocations: 9_000, durationMs: 120, concurrency: 9 });
    }
    const config = join(dir, `repro ${prefix}.yaml`);
    await writeFile(config, 'recommend:\n  minWindowDays: 1\npricing:\n  lambdaDiscount: 0.17\n');
    const first = join(dir, `${prefix}-first`);
    const args = [
      ...command,
      '--regions', 'us-east-1', '--days', '1', '--now', '2026-11-21T03:00:00Z', '--resolution', '300',
      '--include', `${prefix}-*`, '--optional-metrics', '--no-live-prices', '--config', config,
    ];

    // Act
    const one = await runCli([...args, '--out', first, '--format', 'json'], false, clock);
    const report = JSON.parse(await readFile(join(first, 'report.json'), 'utf8')) as ReportModel;
    const words = shellWords(report.run.command);
    const second = join(dir, `${prefix}-second`);
    const two = await runCli([...words.slice(1), ...(command[0] === 'run' ? ['--publish', 'dir'] : []), '--out', second, '--format', 'json'], false, clock);

    // Assess
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    for (const flag of ['--resolution 300', "--include 'rr-*'".replace('rr', prefix), '--optional-metrics', '--no-live-prices', '--days 1', '--now 2026-11-21T03:00:00.000Z']) {
      expect(report.run.command).toContain(flag);
    }
    expect(report.functions.map((f) => f.name).sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(report.window.periodSeconds).toBe(300);
    const again = await readFile(join(second, 'report.json'), 'utf8');
    expect(again).toBe(await readFile(join(first, 'report.json'), 'utf8'));
  });
});

describe('record and analyze --live validate a function the same way (issue 8 item 11)', () => {
  const clock = () => new Date('2026-11-21T04:00:00Z');
  const common = ['--regions', 'us-east-1', '--days', '1', '--now', '2026-11-21T03:00:00Z', '--no-live-prices'];

  it('a name analyze --live reads, record writes (and the snapshot reads back)', async () => {
    // Prepare: moto accepts a name real Lambda would not (a dot); it must not split the two paths.
    sdkEnv();
    const { dir } = account;
    const clients = motoClients(account.moto);
    await createFunction(clients, 'dotted.name', 2048);
    const path = join(dir, 'dotted.ndjson');
    // Act
    const recorded = await runCli(['record', ...common, '--include', 'dotted*', '--out', path], false, clock);
    const analysed = await runCli(['analyze', '--snapshot', path, '--out', join(dir, 'dotted-reports'), '--format', 'json'], false, clock);
    const live = await runCli(['analyze', '--live', ...common, '--include', 'dotted*', '--out', join(dir, 'dotted-live'), '--format', 'json'], false, clock);
    // Assess
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(analysed.code, analysed.stderr).toBe(0);
    expect(live.code, live.stderr).toBe(0);
    const fromFile = JSON.parse(await readFile(join(dir, 'dotted-reports', 'report.json'), 'utf8')) as ReportModel;
    const fromLive = JSON.parse(await readFile(join(dir, 'dotted-live', 'report.json'), 'utf8')) as ReportModel;
    expect(fromFile.functions.map((f) => f.name)).toEqual(['dotted.name']);
    expect(fromLive.functions).toEqual(fromFile.functions);
  });

  it('a function no snapshot can hold is left out by both, named with where it came from, never a file line', async () => {
    // Prepare: a 171-character name (the API allows 170).
    sdkEnv();
    const { dir } = account;
    const clients = motoClients(account.moto);
    const long = `odd${'x'.repeat(168)}`;
    await createFunction(clients, long, 2048);
    await createFunction(clients, 'odd-fine', 2048);
    const expected = `function us-east-1/${long} from ListFunctions: name: expected a function name (1-170 characters); it is left out of this run`;

    // Act
    const recorded = await runCli(['record', ...common, '--include', 'odd*', '--out', join(dir, 'odd.ndjson')], false, clock);
    const live = await runCli(['analyze', '--live', ...common, '--include', 'odd*', '--out', join(dir, 'odd-reports'), '--format', 'json'], false, clock);

    // Assess: both exit 3 (written, something missing), both say the same, neither cites a line.
    expect(recorded.code).toBe(3);
    expect(recorded.stderr).toContain(expected);
    expect(recorded.stderr).not.toMatch(/odd\.ndjson:\d/);
    expect(live.code).toBe(3);
    const report = JSON.parse(await readFile(join(dir, 'odd-reports', 'report.json'), 'utf8')) as ReportModel;
    expect(report.run.complete).toBe(false);
    expect(report.warnings.find((w) => w.code === 'function-failed')?.message).toBe(expected);
    expect(report.functions.map((f) => f.name)).toEqual(['odd-fine']);
  });
});
