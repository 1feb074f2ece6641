import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishError } from '../../src/errors.js';
import { type DirFs, writeReportFiles } from '../../src/publish/dir.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lmi-dir-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const realFs: DirFs = {
  mkdir,
  writeFile,
  rename,
  rm,
  exists: async (path) =>
    stat(path).then(
      () => true,
      () => false,
    ),
};

/** The real file system, except that the `n`-th call of `op` fails. */
function failingOn(op: 'writeFile' | 'rename', n: number): DirFs {
  let calls = 0;
  const fail = (): void => {
    calls += 1;
    if (calls === n) throw new Error(`injected ${op} failure`);
  };
  return op === 'writeFile'
    ? { ...realFs, writeFile: async (p, c, e) => (fail(), realFs.writeFile(p, c, e)) }
    : { ...realFs, rename: async (a, b) => (fail(), realFs.rename(a, b)) };
}

const files = [
  { name: 'report.json', content: '{"new":true}\n' },
  { name: 'report.md', content: '# new\n' },
  { name: 'report.html', content: '<p>new</p>\n' },
];

describe('writeReportFiles', () => {
  it('writes every file into a new directory and leaves no temp dir', async () => {
    // Prepare
    const out = join(root, 'reports', 'nested');
    // Act
    const written = await writeReportFiles(out, files);
    // Assess
    expect(written).toEqual(files.map((f) => join(out, f.name)));
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe('# new\n');
  });

  it('replaces a previous set and keeps unrelated files', async () => {
    // Prepare
    const out = join(root, 'reports');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old', 'utf8');
    await writeFile(join(out, 'notes.txt'), 'mine', 'utf8');
    // Act
    await writeReportFiles(out, files);
    // Assess
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('{"new":true}\n');
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect((await readdir(out)).sort()).toEqual(['notes.txt', 'report.html', 'report.json', 'report.md']);
  });

  it('publishes nothing when a write fails mid-way', async () => {
    // Prepare
    const out = join(root, 'reports');
    // Act: the second file cannot be written
    const error = await writeReportFiles(out, files, failingOn('writeFile', 2)).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(/^dir: .*nothing published: injected writeFile failure/);
    expect(await readdir(out)).toEqual([]);
  });

  it('rolls back to the previous set when a rename fails mid-way', async () => {
    // Prepare: an old set is in place
    const out = join(root, 'reports');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old json', 'utf8');
    await writeFile(join(out, 'report.md'), 'old md', 'utf8');
    // Act: renames are aside json, place json, aside md, place md (4th) -> fail placing md
    const error = await writeReportFiles(out, files, failingOn('rename', 4)).catch((e: unknown) => e);
    // Assess: old files back, no new file, no temp dir
    expect(error).toBeInstanceOf(PublishError);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('old json');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe('old md');
  });

  it('removes newly placed files when a later one fails', async () => {
    // Prepare
    const out = join(root, 'reports');
    // Act: place json (1), place md (2), place html (3) fails
    const error = await writeReportFiles(out, files, failingOn('rename', 3)).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(PublishError);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a file name that would leave the directory', async () => {
    const error = await writeReportFiles(root, [{ name: '../x.json', content: '' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect(await readdir(root)).toEqual([]);
  });
});
