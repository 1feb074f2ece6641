import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.js';
import { writeSnapshot } from './snapshot-builder.js';

/**
 * `analyze --out` never removes or writes through what the tool did not write (issue 8, item 7):
 * the command as a user runs it, exit code and message included.
 */

/** When set, the next mkdtemp fails like a disk error would: a failure no check can foresee. */
const injected = vi.hoisted(() => ({ mkdtempFails: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...original,
    mkdtemp: async (...args: Parameters<typeof original.mkdtemp>) => {
      if (injected.mkdtempFails) throw Object.assign(new Error('EIO: i/o error, mkdtemp'), { code: 'EIO' });
      return original.mkdtemp(...args);
    },
  };
});

const NOW = '2026-11-22T06:00:00Z';
let dir: string;
let snapshot: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-cli-out-'));
  snapshot = join(dir, 'account.ndjson.gz');
  await writeSnapshot(snapshot);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lmi-advisor analyze --out', () => {
  it('exits 2 naming a directory found at out/report.json, and leaves it and its file alone', async () => {
    // Prepare
    const out = join(dir, 'with-dir');
    await mkdir(join(out, 'report.json'), { recursive: true });
    await writeFile(join(out, 'report.json', 'keep.txt'), 'keep', 'utf8');
    // Act
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--now', NOW]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(out, 'report.json')}: is a directory, not a report file`);
    expect(run.stdout).toBe('');
    expect(await readdir(out)).toEqual(['report.json']);
    expect(await readFile(join(out, 'report.json', 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('exits 2 on a symlink at out/report.md and does not write through it', async () => {
    // Prepare
    const out = join(dir, 'with-link');
    await mkdir(out);
    const target = join(dir, 'target.md');
    await writeFile(target, 'target', 'utf8');
    await symlink(target, join(out, 'report.md'));
    // Act
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--now', NOW]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(out, 'report.md')}: is a symbolic link`);
    expect(await readFile(target, 'utf8')).toBe('target');
    expect(await readlink(join(out, 'report.md'))).toBe(target);
    expect(await readdir(out)).toEqual(['report.md']);
  });

  it('exits 2 naming --out when it is empty', async () => {
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', '', '--now', NOW]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out: empty path (it would write into the current directory)');
  });

  it('replaces a previous report set and keeps the other files', async () => {
    // Prepare
    const out = join(dir, 'previous');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old', 'utf8');
    await writeFile(join(out, 'notes.txt'), 'notes', 'utf8');
    // Act
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--now', NOW, '--format', 'json']);
    // Assess
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['notes.txt', 'report.json']);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toContain('"lmi-advisor.report/v1"');
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('notes');
  });
});

describe('lmi-advisor analyze: unexpected failure', () => {
  it('exits 1 with the message, and the stack only with --debug', async () => {
    // Prepare: the disk fails when the stage directory is made (moved here from
    // analyze-command.test.ts, whose trigger, --out below a regular file, is now bad input: exit 2)
    const out = join(dir, 'disk-error');
    injected.mkdtempFails = true;
    try {
      // Act
      const plain = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json']);
      const debug = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json', '--debug']);
      // Assess
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/^lmi-advisor: error: dir: .*disk-error: nothing published: EIO: i\/o error, mkdtemp/);
      expect(plain.stderr).toContain('--debug');
      expect(plain.stderr).not.toMatch(/\n\s+at /);
      expect(plain.stdout).toBe('');
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/PublishError: dir: [\s\S]*\n\s+at [\s\S]*Caused by:/);
    } finally {
      injected.mkdtempFails = false;
    }
  });

  it('exits 2 naming the file when --out is below a regular file', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x', 'utf8');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', join(blocker, 'reports'), '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out ${join(blocker, 'reports')}: ${blocker} is a file, not a directory; nothing written`);
    expect(await readFile(blocker, 'utf8')).toBe('x');
  });
});
