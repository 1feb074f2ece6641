import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { register } from '../../src/cli/analyze-command.js';
import { UserInputError } from '../../src/errors.js';
import type { ReportModel } from '../../src/report/types.js';
import { commandHarness } from './run-cli.js';
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
