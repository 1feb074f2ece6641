import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSnapshot } from './snapshot-builder.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-smoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('src/cli.ts as a process', () => {
  it('runs analyze end to end and sets the exit codes', async () => {
    // Prepare
    const snapshot = join(dir, 'acct.ndjson');
    await writeSnapshot(snapshot);
    const out = join(dir, 'reports');
    const node = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    // Act
    const good = node(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json', '--now', '2026-11-22T00:00:00Z']);
    const bad = node(['analyze', '--snapshot', 'test/cli/fixtures/bad-series-length.ndjson', '--out', join(dir, 'bad')]);
    // Assess
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('functions analysed');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { run: { generatedAt: string } };
    expect(report.run.generatedAt).toBe('2026-11-22T00:00:00.000Z');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^lmi-advisor: error: .*bad-series-length\.ndjson:3 field series\.invocations/);
  });

  it('exits quietly when the reader closes the pipe early (`--help | head -1`)', async () => {
    // Prepare: a reader that hangs up before the program writes anything.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'analyze', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.destroy();
    // Act
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // Assess
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
