import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/run-command.js';
import { UserInputError } from '../../src/errors.js';
import { RENDERERS } from '../../src/render/index.js';
import type { ReportModel } from '../../src/report/types.js';
import { commandHarness } from '../cli/run-cli.js';
import { createFunction, motoClients, putTraffic, useMotoAccount } from '../publish/moto-account.js';

/**
 * `lmi-advisor run` from a laptop: option checks, and a dir run against moto with the SDK's
 * default clients (endpoint from AWS_ENDPOINT_URL), the Price List API mocked in-process.
 */

const account = useMotoAccount('lmi-run-cli-');

const program = () => commandHarness(register);

describe('lmi-advisor run: options', () => {
  it.each([
    [['--regions', 'us-east-1', '--publish', 's3'], '--publish s3 needs --bucket'],
    [['--regions', 'us-east-1', '--publish', 'dir,fax'], '--publish: unknown channel "fax"'],
    [['--regions', 'us-east-1', '--publish', 'email', '--email-from', 'a@example.com'], '--publish email needs --email-from and --email-to'],
    [['--regions', 'mars', '--publish', 'dir'], '--regions: "mars" is not a region code like us-east-1'],
    [['--regions', 'us-east-1', '--days', '0'], '--days: expected a whole number from 1 to 455, got "0"'],
    [['--regions', 'us-east-1', '--now', 'yesterday'], '--now: "yesterday" is not an ISO-8601 date-time'],
  ])('rejects %j before doing any work', async (args, message) => {
    vi.stubEnv('SLACK_WEBHOOK_URL', '');
    const { program: p } = program();
    const error = await p.parseAsync(['run', ...args], { from: 'user' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(message);
  });
});

describe('lmi-advisor run against moto', () => {
  it('writes every format to the directory and shows the change on the next run', async () => {
    // Prepare
    account.useSdkEnv();
    const { dir } = account;
    const clients = motoClients(account.moto);
    await createFunction(clients, 'api', 2048);
    await putTraffic(clients, 'api', new Date('2026-11-20T00:00:00Z'), 52, { invocations: 20_000, durationMs: 200, concurrency: 20 });
    const config = join(dir, 'cfg.yaml');
    await writeFile(config, 'recommend:\n  minWindowDays: 1\n');
    const out = join(dir, 'reports');
    const args = ['run', '--regions', 'us-east-1', '--days', '1', '--publish', 'dir', '--out', out, '--config', config];

    // Act: two nights, a function added in between
    const first = program();
    await first.program.parseAsync([...args, '--now', '2026-11-21T03:00:00Z'], { from: 'user' });
    await createFunction(clients, 'worker', 1024);
    const second = program();
    await second.program.parseAsync([...args, '--now', '2026-11-22T03:00:00Z'], { from: 'user' });

    // Assess
    expect(first.context.exitCode).toBe(0);
    expect(first.out.join('')).toContain('1 functions analysed');
    expect(first.out.join('')).toMatch(/ {2}dir: ok .*report\.json/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportModel;
    expect(report.run.command).toBe(`lmi-advisor run --regions us-east-1 --days 1 --now 2026-11-22T03:00:00.000Z --resolution 60 --config ${config}`);
    expect(report.prices.source).toBe('live');
    expect(report.functions.map((f) => f.name).sort()).toEqual(['api', 'worker']);
    expect(report.changes?.newFunctions).toEqual(['us-east-1/worker']);
    expect(second.context.exitCode).toBe(0);
    const written = await readdir(out);
    expect(written.sort()).toEqual(Object.values(RENDERERS).map((r) => r.file).sort());
  });
});
