import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotError, UserInputError } from '../../src/errors.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { checkSnapshotDestination, nodeSnapshotFs, replaceSnapshotHeader, type SnapshotFs, writeSnapshot } from '../../src/source/snapshot-writer.js';

const roots: string[] = [];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snapshot-writer-'));
  roots.push(dir);
});
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const HEADER: SnapshotHeader = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-20T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T01:00:00Z', periodSeconds: 300 },
  regions: ['us-east-1', 'eu-west-1'],
  warnings: [{ code: 'partial-data', message: 'one gap', region: 'eu-west-1', function: 'b' }],
};

function profile(name: string, region = 'us-east-1', scale = 1): FunctionProfile {
  const points = 12;
  const invocations = Array.from({ length: points }, (_, i) => (i === 5 ? null : (i + 1) * 100 * scale));
  return {
    region,
    name,
    runtime: name === 'img' ? null : 'python3.13',
    architecture: 'x86_64',
    memoryMB: 2048,
    timeoutSeconds: 60,
    ephemeralStorageMB: 1024,
    provisionedConcurrency: 2,
    reservedConcurrency: 40,
    packageType: name === 'img' ? 'Image' : 'Zip',
    tags: { team: 'x', 'lmi-advisor:trust-group': 'payments' },
    memoryUsedMBMax: 812.5,
    cpuSecondsPerInvocation: 0.012,
    series: {
      invocations,
      durationMsSum: invocations.map((v) => (v === null ? null : v * 37)),
      concurrencyMax: invocations.map((v) => (v === null ? null : Math.ceil((v * 37) / 300_000) + 1)),
      errors: invocations.map((v) => (v === null ? null : 0)),
    },
  };
}

async function* stream<T>(items: T[], failAt?: number): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    if (i === failAt) throw new Error('source failed');
    yield items[i] as T;
  }
}

async function readBack(path: string): Promise<{ header: SnapshotHeader; profiles: FunctionProfile[] }> {
  const { header, profiles } = await openSnapshot(path);
  const all: FunctionProfile[] = [];
  for await (const p of profiles) all.push(p);
  return { header, profiles: all };
}

describe('writeSnapshot', () => {
  it.each(['out.ndjson', 'out.ndjson.gz'])('round-trips header and profiles through %s', async (file) => {
    // Prepare
    const path = join(dir, file);
    const profiles = [profile('a'), profile('b', 'eu-west-1', 3), profile('img')];
    // Act
    const result = await writeSnapshot(path, HEADER, stream(profiles));
    const back = await readBack(path);
    // Assess
    expect(result).toEqual({ functions: 3 });
    expect(back.header).toEqual(HEADER);
    expect(back.profiles).toEqual(profiles);
  });

  it('gzips when the path ends in .gz, and only then', async () => {
    await writeSnapshot(join(dir, 'a.ndjson.gz'), HEADER, [profile('a')]);
    await writeSnapshot(join(dir, 'a.ndjson'), HEADER, [profile('a')]);
    const gz = await readFile(join(dir, 'a.ndjson.gz'));
    const plain = await readFile(join(dir, 'a.ndjson'));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    expect(plain.toString('utf8').split('\n')).toHaveLength(3); // header, one function, final newline
  });

  it('writes the same bytes for the same input (no time or name in the gzip header)', async () => {
    await writeSnapshot(join(dir, 'x.ndjson.gz'), HEADER, [profile('a'), profile('b')]);
    await writeSnapshot(join(dir, 'y.ndjson.gz'), HEADER, [profile('a'), profile('b')]);
    const x = await readFile(join(dir, 'x.ndjson.gz'));
    const y = await readFile(join(dir, 'y.ndjson.gz'));
    expect(x.equals(y)).toBe(true);
  });

  it('drops unknown fields', async () => {
    const path = join(dir, 'extra.ndjson');
    const withExtra = { ...profile('a'), debug: 'x' } as FunctionProfile;
    await writeSnapshot(path, HEADER, [withExtra]);
    expect(await readFile(path, 'utf8')).not.toContain('debug');
  });

  it('rejects a NaN (which JSON would turn into a silent null) naming line and field, and writes nothing', async () => {
    // Prepare
    const path = join(dir, 'nan.ndjson.gz');
    const bad = profile('b');
    bad.series.durationMsSum[7] = Number.NaN;
    // Act
    const error = await writeSnapshot(path, HEADER, stream([profile('a'), bad])).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).line).toBe(3);
    expect((error as SnapshotError).field).toBe('series.durationMsSum[7]');
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a duplicate function', async () => {
    const error = await writeSnapshot(join(dir, 'dup.ndjson'), HEADER, [profile('a'), profile('a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).field).toBe('name');
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a bad header at line 1', async () => {
    const header = { ...HEADER, window: { ...HEADER.window, end: '2026-11-20T01:01:00Z' } };
    const error = await writeSnapshot(join(dir, 'h.ndjson'), header, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).line).toBe(1);
    expect((error as SnapshotError).field).toBe('window.end');
  });

  it('leaves an existing file untouched and no temporary file when the source fails midway', async () => {
    // Prepare
    const path = join(dir, 'keep.ndjson.gz');
    await writeFile(path, 'previous content');
    // Act
    const error = await writeSnapshot(path, HEADER, stream([profile('a'), profile('b'), profile('c')], 2)).catch((e: unknown) => e);
    // Assess
    expect((error as Error).message).toBe('source failed');
    expect(await readFile(path, 'utf8')).toBe('previous content');
    expect(await readdir(dir)).toEqual(['keep.ndjson.gz']);
  });

  it('replaces an existing file once complete', async () => {
    const path = join(dir, 'replace.ndjson');
    await writeFile(path, 'previous content');
    await writeSnapshot(path, HEADER, [profile('a')]);
    expect((await readBack(path)).profiles.map((p) => p.name)).toEqual(['a']);
    expect(await readdir(dir)).toEqual(['replace.ndjson']);
  });

  it('streams many profiles without holding them (writes what a generator yields)', async () => {
    // Prepare: 300 profiles made on demand
    function* many(): Generator<FunctionProfile> {
      for (let i = 0; i < 300; i++) yield profile(`fn-${i}`);
    }
    const path = join(dir, 'many.ndjson.gz');
    // Act
    const result = await writeSnapshot(path, HEADER, many());
    // Assess
    expect(result.functions).toBe(300);
    expect((await readBack(path)).profiles.at(-1)?.name).toBe('fn-299');
  });

  describe('never writes through or removes what it did not write (issue 8)', () => {
    async function failure(promise: Promise<unknown>): Promise<Error> {
      return promise.then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e as Error,
      );
    }

    /** The real file system, except that the `n`-th call of `op` fails with `code`. */
    function failingOn(op: 'createNew' | 'rename' | 'unlink' | 'canCreateIn', n: number, code: string): SnapshotFs {
      let calls = 0;
      const real = nodeSnapshotFs[op] as (...args: string[]) => Promise<unknown>;
      return {
        ...nodeSnapshotFs,
        [op]: async (...args: string[]) => {
          calls += 1;
          if (calls === n) throw Object.assign(new Error(`injected ${op} failure`), { code });
          return real(...args);
        },
      };
    }

    it('refuses an empty path', async () => {
      const e = await failure(writeSnapshot('', HEADER, [profile('a')]));
      expect(e).toBeInstanceOf(UserInputError);
      expect(e.message).toBe('--out: empty path; give a file, e.g. --out snapshot.ndjson.gz');
    });

    it('a directory at the destination (holding a file) is an error naming it; nothing touched', async () => {
      // Prepare
      const path = join(dir, 'snap.ndjson.gz');
      await mkdir(path);
      await writeFile(join(path, 'mine.txt'), 'mine', 'utf8');
      // Act
      const e = await failure(writeSnapshot(path, HEADER, [profile('a')]));
      // Assess
      expect(e).toBeInstanceOf(UserInputError);
      expect(e.message).toBe(
        `--out ${path}: is a directory, not a snapshot file; only a regular file (a previous snapshot) is replaced, so nothing was written or removed (move it away or choose another --out)`,
      );
      expect(await readdir(dir)).toEqual(['snap.ndjson.gz']);
      expect(await readFile(join(path, 'mine.txt'), 'utf8')).toBe('mine');
    });

    it('a symlink at the destination is refused; the link and its target are untouched', async () => {
      // Prepare: the link points at a file outside the directory written to
      const elsewhere = await mkdtemp(join(tmpdir(), 'snapshot-elsewhere-'));
      roots.push(elsewhere);
      await writeFile(join(elsewhere, 'target'), 'theirs', 'utf8');
      const path = join(dir, 'snap.ndjson');
      await symlink(join(elsewhere, 'target'), path);
      // Act
      const e = await failure(writeSnapshot(path, HEADER, [profile('a')]));
      // Assess
      expect(e).toBeInstanceOf(UserInputError);
      expect(e.message).toMatch(/: is a symbolic link, not a snapshot file \(the snapshot would replace the link, not what it points to\)/);
      expect(await readlink(path)).toBe(join(elsewhere, 'target'));
      expect(await readFile(join(elsewhere, 'target'), 'utf8')).toBe('theirs');
      expect(await readdir(dir)).toEqual(['snap.ndjson']);
    });

    it('a dangling symlink and a FIFO at the destination are refused too', async () => {
      const link = join(dir, 'dangling.ndjson');
      await symlink(join(dir, 'nowhere'), link);
      const fifo = join(dir, 'fifo.ndjson');
      execFileSync('mkfifo', [fifo]);
      await expect(writeSnapshot(link, HEADER, [profile('a')])).rejects.toThrow(/dangling\.ndjson: is a symbolic link/);
      await expect(writeSnapshot(fifo, HEADER, [profile('a')])).rejects.toThrow(/fifo\.ndjson: is a FIFO/);
      expect((await readdir(dir)).sort()).toEqual(['dangling.ndjson', 'fifo.ndjson']);
      expect((await lstat(fifo)).isFIFO()).toBe(true);
      expect(await readlink(link)).toBe(join(dir, 'nowhere'));
    });

    it('names the regular file a destination lies below, and a missing directory', async () => {
      await writeFile(join(dir, 'plain'), 'x', 'utf8');
      const below = join(dir, 'plain', 'sub', 'snap.ndjson');
      await expect(writeSnapshot(below, HEADER, [profile('a')])).rejects.toThrow(
        new UserInputError(`--out ${below}: ${join(dir, 'plain')} is a file, not a directory; nothing written`),
      );
      const missing = join(dir, 'no', 'snap.ndjson');
      await expect(writeSnapshot(missing, HEADER, [profile('a')])).rejects.toThrow(
        new UserInputError(`--out ${missing}: directory ${join(dir, 'no')} does not exist; nothing written`),
      );
      expect(await readdir(dir)).toEqual(['plain']);
    });

    it('never truncates or writes through what sits at the old temporary names', async () => {
      // Prepare: a user's file and a symlink to a file elsewhere at `<path>.tmp-<pid>` and similar
      const elsewhere = await mkdtemp(join(tmpdir(), 'snapshot-elsewhere-'));
      roots.push(elsewhere);
      await writeFile(join(elsewhere, 'target'), 'theirs', 'utf8');
      const path = join(dir, 'snap.ndjson');
      await writeFile(`${path}.tmp-${process.pid}`, 'mine', 'utf8');
      await symlink(join(elsewhere, 'target'), `${path}.tmp-${process.pid}-0`);
      // Act
      await writeSnapshot(path, HEADER, [profile('a')]);
      // Assess
      expect(await readFile(`${path}.tmp-${process.pid}`, 'utf8')).toBe('mine');
      expect(await readFile(join(elsewhere, 'target'), 'utf8')).toBe('theirs');
      expect((await readdir(dir)).sort()).toEqual(['snap.ndjson', `snap.ndjson.tmp-${process.pid}`, `snap.ndjson.tmp-${process.pid}-0`]);
      expect((await readBack(path)).profiles.map((p) => p.name)).toEqual(['a']);
    });

    it('retries a temporary name that is taken, with another name', async () => {
      const path = join(dir, 'snap.ndjson');
      const names: string[] = [];
      const fs: SnapshotFs = {
        ...nodeSnapshotFs,
        createNew: async (p) => {
          names.push(p);
          if (names.length === 1) throw Object.assign(new Error('taken'), { code: 'EEXIST' });
          return nodeSnapshotFs.createNew(p);
        },
      };
      await writeSnapshot(path, HEADER, [profile('a')], { fs });
      expect(names).toHaveLength(2);
      expect(names[0]).not.toBe(names[1]);
      expect(names[1]).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}\\.tmp-${process.pid}-[0-9a-f]{8}$`));
      expect(await readdir(dir)).toEqual(['snap.ndjson']);
    });

    it('names a directory it cannot write to as bad input, before creating anything', async () => {
      // The tests run as root, for whom chmod does not stop writes: inject EACCES
      const path = join(dir, 'snap.ndjson');
      const e = await failure(writeSnapshot(path, HEADER, [profile('a')], { fs: failingOn('canCreateIn', 1, 'EACCES') }));
      expect(e).toBeInstanceOf(UserInputError);
      expect(e.message).toBe(`--out ${dir}: not writable (EACCES); nothing written`);
      expect(await readdir(dir)).toEqual([]);
    });

    it('a permission error creating the temporary file or renaming is bad input naming the path; the previous file is kept', async () => {
      // Prepare
      const path = join(dir, 'snap.ndjson.gz');
      await writeFile(path, 'previous', 'utf8');
      // Act
      const onCreate = await failure(writeSnapshot(path, HEADER, [profile('a')], { fs: failingOn('createNew', 1, 'EROFS') }));
      const onRename = await failure(writeSnapshot(path, HEADER, [profile('a')], { fs: failingOn('rename', 1, 'EPERM') }));
      // Assess
      expect(onCreate).toBeInstanceOf(UserInputError);
      expect(onCreate.message).toBe(`--out ${path}: not writable (EROFS); nothing written`);
      expect(onRename).toBeInstanceOf(UserInputError);
      expect(onRename.message).toBe(`--out ${path}: not writable (EPERM); nothing written`);
      expect(await readFile(path, 'utf8')).toBe('previous');
      expect(await readdir(dir)).toEqual(['snap.ndjson.gz']);
    });

    it('an unexpected rename failure keeps its error and removes the temporary file', async () => {
      const path = join(dir, 'snap.ndjson');
      const e = await failure(writeSnapshot(path, HEADER, [profile('a')], { fs: failingOn('rename', 1, 'EIO') }));
      expect(e).not.toBeInstanceOf(UserInputError);
      expect(e.message).toBe('injected rename failure');
      expect(await readdir(dir)).toEqual([]);
    });

    it('says which temporary file is left when it cannot be removed', async () => {
      const path = join(dir, 'snap.ndjson');
      const e = await failure(writeSnapshot(path, HEADER, stream([profile('a'), profile('b')], 1), { fs: failingOn('unlink', 1, 'EIO') }));
      const [left] = await readdir(dir);
      expect(left).toMatch(new RegExp(`^snap\\.ndjson\\.tmp-${process.pid}-[0-9a-f]{8}$`));
      expect(e.message).toBe(`source failed; the temporary file ${join(dir, left!)} could not be removed (injected unlink failure)`);
    });

    it('refuses what appears at the destination while it writes, and removes its temporary file', async () => {
      // Prepare: a directory appears at the destination while the profiles stream
      const path = join(dir, 'snap.ndjson');
      async function* appearing(): AsyncGenerator<FunctionProfile> {
        yield profile('a');
        await mkdir(path);
        await writeFile(join(path, 'x'), 'x', 'utf8');
        yield profile('b');
      }
      // Act
      const e = await failure(writeSnapshot(path, HEADER, appearing()));
      // Assess
      expect(e).toBeInstanceOf(UserInputError);
      expect(e.message).toMatch(/snap\.ndjson: is a directory, not a snapshot file/);
      expect(await readdir(dir)).toEqual(['snap.ndjson']);
      expect(await readFile(join(path, 'x'), 'utf8')).toBe('x');
    });

    it('checkSnapshotDestination accepts nothing there or a previous snapshot, and touches nothing', async () => {
      await writeFile(join(dir, 'old.ndjson'), 'old', 'utf8');
      await expect(checkSnapshotDestination(join(dir, 'old.ndjson'))).resolves.toBeUndefined();
      await expect(checkSnapshotDestination(join(dir, 'new.ndjson'))).resolves.toBeUndefined();
      await expect(checkSnapshotDestination(join(dir, 'old.ndjson', 'x.ndjson'), 'out')).rejects.toThrow(/^out .*is a file, not a directory/);
      expect(await readdir(dir)).toEqual(['old.ndjson']);
    });
  });
});

describe('replaceSnapshotHeader', () => {
  const WARNED: SnapshotHeader = { ...HEADER, warnings: [...(HEADER.warnings ?? []), { code: 'region-failed', message: 'denied', region: 'eu-west-1' }] };

  it.each(['h.ndjson', 'h.ndjson.gz'])('replaces line 1 of %s and keeps every other line', async (file) => {
    // Prepare
    const path = join(dir, file);
    const profiles = [profile('a'), profile('b', 'eu-west-1', 2)];
    await writeSnapshot(path, HEADER, profiles);
    // Act
    await replaceSnapshotHeader(path, WARNED);
    // Assess
    const back = await readBack(path);
    expect(back.header).toEqual(WARNED);
    expect(back.profiles).toEqual(profiles);
    expect(await readdir(dir)).toEqual([file]);
  });

  it('never writes through what sits at the old temporary name', async () => {
    const path = join(dir, 'h.ndjson');
    await writeSnapshot(path, HEADER, [profile('a')]);
    await writeFile(`${path}.header-${process.pid}`, 'mine', 'utf8');
    await replaceSnapshotHeader(path, WARNED);
    expect(await readFile(`${path}.header-${process.pid}`, 'utf8')).toBe('mine');
    expect((await readBack(path)).header).toEqual(WARNED);
  });

  it('refuses a snapshot path that is a symlink, and keeps the file and the link', async () => {
    const real = join(dir, 'real.ndjson');
    await writeSnapshot(real, HEADER, [profile('a')]);
    const link = join(dir, 'link.ndjson');
    await symlink(real, link);
    const before = await readFile(real);
    const e = await replaceSnapshotHeader(link, WARNED).catch((error: unknown) => error);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as Error).message).toMatch(/^--out .*link\.ndjson: is a symbolic link, not a snapshot file/);
    await expect(replaceSnapshotHeader(join(dir, 'gone.ndjson'), WARNED)).rejects.toThrow(`--out ${join(dir, 'gone.ndjson')}: does not exist; header not replaced`);
    expect((await readFile(real)).equals(before)).toBe(true);
    expect(await readlink(link)).toBe(real);
  });

  it('keeps the snapshot as it was, and no temporary file, when the rename fails', async () => {
    const path = join(dir, 'h.ndjson.gz');
    await writeSnapshot(path, HEADER, [profile('a')]);
    const before = await readFile(path);
    const fs: SnapshotFs = { ...nodeSnapshotFs, rename: async () => Promise.reject(Object.assign(new Error('injected'), { code: 'EIO' })) };
    await expect(replaceSnapshotHeader(path, WARNED, { fs })).rejects.toThrow('injected');
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual(['h.ndjson.gz']);
  });
});
