import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishError, UserInputError } from '../../src/errors.js';
import { checkOutDir, type DirFs, nodeDirFs, writeReportFiles } from '../../src/publish/dir.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lmi-dir-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The real file system, except that the `n`-th call of `op` fails. */
function failingOn(op: 'writeNewFile' | 'rename' | 'mkdtemp', n: number, code?: string): DirFs {
  let calls = 0;
  const fail = (): void => {
    calls += 1;
    if (calls === n) throw Object.assign(new Error(`injected ${op} failure`), code ? { code } : {});
  };
  if (op === 'writeNewFile') return { ...nodeDirFs, writeNewFile: async (p, c) => (fail(), nodeDirFs.writeNewFile(p, c)) };
  if (op === 'mkdtemp') return { ...nodeDirFs, mkdtemp: async (p) => (fail(), nodeDirFs.mkdtemp(p)) };
  return { ...nodeDirFs, rename: async (a, b) => (fail(), nodeDirFs.rename(a, b)) };
}

const files = [
  { name: 'report.json', content: '{"new":true}\n' },
  { name: 'report.md', content: '# new\n' },
  { name: 'report.html', content: '<p>new</p>\n' },
];

async function error(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

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
    const e = await error(writeReportFiles(out, files, failingOn('writeNewFile', 2)));
    // Assess
    expect(e).toBeInstanceOf(PublishError);
    expect(e.message).toMatch(/^dir: .*nothing published: injected writeNewFile failure$/);
    expect(await readdir(out)).toEqual([]);
  });

  it('rolls back to the previous set when a rename fails mid-way', async () => {
    // Prepare: an old set is in place
    const out = join(root, 'reports');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old json', 'utf8');
    await writeFile(join(out, 'report.md'), 'old md', 'utf8');
    // Act: renames are aside json, place json, aside md, place md (4th) -> fail placing md
    const e = await error(writeReportFiles(out, files, failingOn('rename', 4)));
    // Assess: old files back, no new file, no temp dir
    expect(e).toBeInstanceOf(PublishError);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('old json');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe('old md');
  });

  it('removes newly placed files when a later one fails', async () => {
    // Prepare
    const out = join(root, 'reports');
    // Act: place json (1), place md (2), place html (3) fails
    const e = await error(writeReportFiles(out, files, failingOn('rename', 3)));
    // Assess
    expect(e).toBeInstanceOf(PublishError);
    expect(await readdir(out)).toEqual([]);
  });

  it('keeps the set-aside previous files, and says where, when the rollback itself fails', async () => {
    // Prepare: an old report.json; renames: aside json (1), place json (2), place md (3) fails,
    // then putting json back (4) fails too
    const out = join(root, 'reports');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old json', 'utf8');
    let calls = 0;
    const fs: DirFs = {
      ...nodeDirFs,
      rename: async (a, b) => {
        calls += 1;
        if (calls === 3 || calls === 4) throw new Error(`injected rename failure ${calls}`);
        return nodeDirFs.rename(a, b);
      },
    };
    // Act
    const e = await error(writeReportFiles(out, files, fs));
    // Assess: the old report is not lost: it is where the message says
    expect(e).toBeInstanceOf(PublishError);
    const kept = /previous files are kept in (\S+)$/.exec(e.message)?.[1];
    expect(kept).toBeDefined();
    expect(await readFile(join(kept as string, 'report.json'), 'utf8')).toBe('old json');
  });

  it('refuses a file name that would leave the directory', async () => {
    const e = await error(writeReportFiles(root, [{ name: '../x.json', content: '' }]));
    expect(e).toBeInstanceOf(PublishError);
    expect(await readdir(root)).toEqual([]);
  });

  it('never removes a stale temp-looking directory it did not make', async () => {
    // Prepare: names the old publisher used for its own temp dirs
    const out = join(root, 'reports');
    await mkdir(join(out, `.tmp-${process.pid}-1`, '.previous'), { recursive: true });
    await writeFile(join(out, `.tmp-${process.pid}-1`, '.previous', 'keep.txt'), 'keep', 'utf8');
    // Act
    await writeReportFiles(out, files);
    await writeReportFiles(out, files);
    // Assess
    expect(await readFile(join(out, `.tmp-${process.pid}-1`, '.previous', 'keep.txt'), 'utf8')).toBe('keep');
    expect((await readdir(out)).sort()).toEqual([`.tmp-${process.pid}-1`, 'report.html', 'report.json', 'report.md']);
  });
});

describe('writeReportFiles never removes or writes through what it did not write', () => {
  it('a directory at report.json (holding a file) is an error naming it; nothing touched', async () => {
    // Prepare: the case from issue 8 item 7
    const out = join(root, 'out');
    await mkdir(join(out, 'report.json'), { recursive: true });
    await writeFile(join(out, 'report.json', 'inside.txt'), 'precious', 'utf8');
    await writeFile(join(out, 'report.md'), 'old md', 'utf8');
    // Act
    const e = await error(writeReportFiles(out, files));
    // Assess
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toBe(
      `${join(out, 'report.json')}: is a directory, not a report file; only a regular file (a previous report) is replaced there, so nothing was written or removed (move it away or choose another --out)`,
    );
    expect(await readFile(join(out, 'report.json', 'inside.txt'), 'utf8')).toBe('precious');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toBe('old md');
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
  });

  it('a symlink at report.md pointing elsewhere is refused, and its target is not clobbered', async () => {
    // Prepare
    const out = join(root, 'out');
    await mkdir(out);
    const elsewhere = join(root, 'elsewhere.md');
    await writeFile(elsewhere, 'not yours', 'utf8');
    await symlink(elsewhere, join(out, 'report.md'));
    // Act
    const e = await error(writeReportFiles(out, files));
    // Assess
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toMatch(new RegExp(`^${join(out, 'report.md')}: is a symbolic link, not a report file`));
    expect(await readFile(elsewhere, 'utf8')).toBe('not yours');
    expect(await readlink(join(out, 'report.md'))).toBe(elsewhere);
    expect((await readdir(out)).sort()).toEqual(['report.md']);
  });

  it('a dangling symlink and a FIFO at report names are refused too', async () => {
    // Prepare
    const out = join(root, 'out');
    await mkdir(out);
    await symlink(join(root, 'missing'), join(out, 'report.json'));
    execFileSync('mkfifo', [join(out, 'report.html')]);
    // Act
    const e = await error(writeReportFiles(out, files));
    // Assess
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toMatch(/report\.json: is a symbolic link/);
    expect((await lstat(join(out, 'report.html'))).isFIFO()).toBe(true);
    const e2 = await error(writeReportFiles(out, files.filter((f) => f.name !== 'report.json')));
    expect(e2.message).toMatch(/report\.html: is a FIFO, not a report file/);
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.json']);
  });

  it('follows --out when it is a symlink to a directory, leaving the link and other files alone', async () => {
    // Prepare
    const real = join(root, 'real');
    await mkdir(real);
    await writeFile(join(real, 'other.txt'), 'other', 'utf8');
    const link = join(root, 'out');
    await symlink(real, link);
    // Act
    await writeReportFiles(link, files);
    // Assess
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readdir(real)).sort()).toEqual(['other.txt', 'report.html', 'report.json', 'report.md']);
    expect(await readFile(join(real, 'other.txt'), 'utf8')).toBe('other');
  });

  it('refuses --out that is a file, a symlink to a file, a dangling symlink, or under a file', async () => {
    // Prepare
    await writeFile(join(root, 'file'), 'data', 'utf8');
    await symlink(join(root, 'file'), join(root, 'link-to-file'));
    await symlink(join(root, 'nothing'), join(root, 'dangling'));
    // Act + Assess
    const cases: [string, RegExp][] = [
      ['file', /^--out .*\/file: is a file, not a directory; nothing written$/],
      ['link-to-file', /^--out .*\/link-to-file: is a file, not a directory; nothing written$/],
      ['dangling', /^--out .*\/dangling: is a symbolic link to nothing; nothing written$/],
      ['file/sub', /^--out .*\/file\/sub: .*\/file is a file, not a directory; nothing written$/],
    ];
    for (const [name, message] of cases) {
      const e = await error(writeReportFiles(join(root, name), files));
      expect(e, name).toBeInstanceOf(UserInputError);
      expect(e.message, name).toMatch(message);
    }
    expect(await readFile(join(root, 'file'), 'utf8')).toBe('data');
    expect((await readdir(root)).sort()).toEqual(['dangling', 'file', 'link-to-file']);
  });

  it('refuses an empty --out (it would write into the current directory)', async () => {
    const e = await error(writeReportFiles('', files));
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toBe('--out: empty path (it would write into the current directory); give a directory, e.g. --out reports');
  });

  it('names a read-only directory as bad input and leaves it untouched', async () => {
    // Prepare: the tests run as root, for whom chmod does not stop writes: inject EACCES
    const out = join(root, 'ro');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old', 'utf8');
    // Act
    const e = await error(writeReportFiles(out, files, failingOn('mkdtemp', 1, 'EACCES')));
    // Assess
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toBe(`--out ${out}: not writable (EACCES); nothing written`);
    expect(await readdir(out)).toEqual(['report.json']);
  });

  it('checkOutDir accepts a directory to be created under an existing one and a previous report', async () => {
    await writeFile(join(root, 'report.json'), 'old', 'utf8');
    await expect(checkOutDir(root, ['report.json'])).resolves.toBeUndefined();
    await expect(checkOutDir(join(root, 'a', 'b'), ['report.json'])).resolves.toBeUndefined();
    expect(await readdir(root)).toEqual(['report.json']);
  });

  it('refuses what appears at a report name between the check and the move, and rolls back', async () => {
    // Prepare: a directory appears at report.md just after the new report.json is placed
    const out = join(root, 'out');
    await mkdir(out);
    await writeFile(join(out, 'report.json'), 'old json', 'utf8');
    let renames = 0;
    const fs: DirFs = {
      ...nodeDirFs,
      rename: async (a, b) => {
        await nodeDirFs.rename(a, b);
        renames += 1;
        if (renames === 2) {
          await mkdir(join(out, 'report.md'));
          await writeFile(join(out, 'report.md', 'x'), 'x', 'utf8');
        }
      },
    };
    // Act
    const e = await error(writeReportFiles(out, files, fs));
    // Assess
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toMatch(/report\.md: is a directory, not a report file/);
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe('old json');
    expect(await readFile(join(out, 'report.md', 'x'), 'utf8')).toBe('x');
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md']);
  });
});
