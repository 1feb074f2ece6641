import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { LmiAdvisorError, SnapshotError, UserInputError } from '../errors.js';
import { codeOf, kindAt, lkindAt, type PathKind } from '../fs/path-kind.js';
import { periodCount, type FunctionProfile, type SnapshotHeader } from './profile.js';
import { firstIssue, functionLineSchema, headerSchema } from './snapshot-schema.js';

/**
 * Writes snapshot format v1. Every line is validated with the reader's schemas first, so a written
 * snapshot always reads back (JSON.stringify would otherwise turn a NaN into a silent null). Output
 * goes to a new, uniquely named `<path>.tmp-<pid>-<random>` beside `path` (created exclusively, so
 * nothing already there is ever truncated or written through) and is renamed into place only when
 * complete. Only a regular file at `path` (a previous snapshot) is replaced; see
 * checkSnapshotDestination for what is refused.
 */

export interface WriteSnapshotOptions {
  /** zlib level for `.gz` output (default 6, zlib's own default); 1 is much faster for benchmarks. */
  gzipLevel?: number;
  /** The flag or setting that gave `path`, named in messages (default `--out`). */
  where?: string;
  /** File-system calls (tests inject failures). */
  fs?: SnapshotFs;
}

/** What sits at a path, as `lstat` sees it (a symbolic link is never followed). */
export type SnapshotPathKind = PathKind;

/**
 * The file-system calls the writer makes; injectable so tests can fail one mid-way. There is no
 * way to open an existing file and no recursive remove: the writer only ever unlinks the temporary
 * file it created itself.
 */
export interface SnapshotFs {
  /** Kind at `path` without following a final symlink; null when nothing is there. */
  lkind: (path: string) => Promise<SnapshotPathKind | null>;
  /** Kind at `path` following symlinks; null when nothing (or a dangling link) is there. */
  kind: (path: string) => Promise<SnapshotPathKind | null>;
  /** Fails (EACCES, EROFS, ...) when files cannot be created in directory `path`. */
  canCreateIn: (path: string) => Promise<void>;
  /** Creates a new file and streams into it; fails with EEXIST if anything is already at `path`. */
  createNew: (path: string) => Promise<Writable>;
  rename: (from: string, to: string) => Promise<void>;
  unlink: (path: string) => Promise<void>;
}

export const nodeSnapshotFs: SnapshotFs = {
  lkind: lkindAt,
  kind: kindAt,
  canCreateIn: (path) => access(path, constants.W_OK | constants.X_OK),
  createNew: async (path) => {
    // 'wx' is O_CREAT|O_EXCL: fails on anything there, a dangling symlink included.
    const handle = await open(path, 'wx', 0o666);
    return handle.createWriteStream();
  },
  rename,
  unlink,
};

/** Errors that mean "this path is not usable as given": the user's to fix (exit 2). */
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
const NOT_USABLE = new Set(['ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EISDIR']);

function pathProblem(where: string, path: string, error: unknown): UserInputError | null {
  const code = codeOf(error);
  if (code === undefined) return null;
  if (NOT_WRITABLE.has(code)) return new UserInputError(`${where} ${path}: not writable (${code}); nothing written`, { cause: error });
  if (NOT_USABLE.has(code)) return new UserInputError(`${where} ${path}: not a usable file path (${code}); nothing written`, { cause: error });
  return null;
}

function notASnapshot(where: string, path: string, kind: SnapshotPathKind): UserInputError {
  const link = kind === 'symbolic link' ? ' (the snapshot would replace the link, not what it points to)' : '';
  return new UserInputError(
    `${where} ${path}: is a ${kind}, not a snapshot file${link}; only a regular file (a previous snapshot) is replaced, so nothing was written or removed (move it away or choose another ${where})`,
  );
}

/**
 * Checks, without touching anything, that a snapshot can be written at `path`: the path is not
 * empty, what is there is nothing or a regular file (a previous snapshot, which is replaced), and
 * its directory exists and takes new files. Anything else at `path` (a directory, a symlink, a
 * FIFO, ...) was not written by this tool: a UserInputError naming it. `record` calls this before
 * collecting, so a bad `--out` fails in a second, not after an hour of GetMetricData.
 */
export async function checkSnapshotDestination(path: string, where = '--out', fs: SnapshotFs = nodeSnapshotFs): Promise<void> {
  if (path.trim() === '') throw new UserInputError(`${where}: empty path; give a file, e.g. ${where} snapshot.ndjson.gz`);
  const look = async <T>(at: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      // ENOTDIR: some ancestor is not a directory; the walk below names it.
      if (codeOf(error) === 'ENOTDIR') return null as T;
      throw pathProblem(where, at, error) ?? error;
    }
  };
  const at = await look(path, () => fs.lkind(path));
  if (at !== null && at !== 'file') throw notASnapshot(where, path, at);
  const parent = dirname(resolve(path));
  let dir = parent;
  for (;;) {
    const dirKind = await look(dir, () => fs.kind(dir));
    if (dirKind === 'directory') break;
    if (dirKind !== null) throw new UserInputError(`${where} ${path}: ${dir} is a ${dirKind}, not a directory; nothing written`);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (dir !== parent) throw new UserInputError(`${where} ${path}: directory ${parent} does not exist; nothing written`);
  try {
    await fs.canCreateIn(parent);
  } catch (error) {
    throw pathProblem(where, parent, error) ?? error;
  }
}

/** How often a taken temporary name is retried with fresh random bytes. */
const TEMP_NAME_ATTEMPTS = 5;

async function createTemp(path: string, where: string, fs: SnapshotFs): Promise<{ tmp: string; out: Writable }> {
  for (let attempt = 1; ; attempt++) {
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      return { tmp, out: await fs.createNew(tmp) };
    } catch (error) {
      if (codeOf(error) === 'EEXIST' && attempt < TEMP_NAME_ATTEMPTS) continue;
      throw pathProblem(where, path, error) ?? error;
    }
  }
}

/**
 * Writes `lines` to a new temporary file beside `path` and renames it over `path` once complete.
 * Whatever fails, `path` is as it was and the temporary file is gone (or named in the error).
 */
async function writeThroughTemp(path: string, lines: () => AsyncIterable<string>, options: WriteSnapshotOptions): Promise<void> {
  const where = options.where ?? '--out';
  const fs = options.fs ?? nodeSnapshotFs;
  await checkSnapshotDestination(path, where, fs);
  const { tmp, out } = await createTemp(path, where, fs);
  try {
    if (path.endsWith('.gz')) {
      await pipeline(lines, createGzip({ level: options.gzipLevel ?? 6 }), out);
    } else {
      await pipeline(lines, out);
    }
    // Checked again just before the move: something may have appeared since the first check.
    const at = await fs.lkind(path);
    if (at !== null && at !== 'file') throw notASnapshot(where, path, at);
    try {
      await fs.rename(tmp, path);
    } catch (error) {
      throw pathProblem(where, path, error) ?? error;
    }
  } catch (error) {
    out.destroy();
    // Only the temporary file this call created is removed; a failure to remove it is said.
    const left = await fs.unlink(tmp).then(
      () => null,
      (e: unknown) => (codeOf(e) === 'ENOENT' ? null : (e as Error).message),
    );
    if (left === null) throw error;
    const message = `${error instanceof Error ? error.message : String(error)}; the temporary file ${tmp} could not be removed (${left})`;
    throw error instanceof UserInputError ? new UserInputError(message, { cause: error }) : new LmiAdvisorError(message, { cause: error });
  }
}

/**
 * Streams `header` then one line per profile into `path` (gzip when it ends in `.gz`). zlib writes a
 * gzip header with mtime 0 and no file name, so the same input gives the same bytes.
 *
 * @example
 * await writeSnapshot('out.ndjson.gz', header, profiles); // => { functions: 32 }
 */
export async function writeSnapshot(
  path: string,
  header: SnapshotHeader,
  profiles: AsyncIterable<FunctionProfile> | Iterable<FunctionProfile>,
  options: WriteSnapshotOptions = {},
): Promise<{ functions: number }> {
  const checkedHeader = headerSchema.safeParse(header);
  if (!checkedHeader.success) {
    const { field, detail } = firstIssue(checkedHeader.error);
    throw new SnapshotError(path, 1, field, detail, { cause: checkedHeader.error });
  }
  const schema = functionLineSchema(periodCount(checkedHeader.data.window), checkedHeader.data.window.periodSeconds);
  let functions = 0;

  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(checkedHeader.data)}\n`;
    const seen = new Set<string>();
    for await (const profile of profiles) {
      const lineNumber = functions + 2;
      const checked = schema.safeParse(profile);
      if (!checked.success) {
        const { field, detail } = firstIssue(checked.error);
        throw new SnapshotError(path, lineNumber, field, detail, { cause: checked.error });
      }
      const key = `${checked.data.region}/${checked.data.name}`;
      if (seen.has(key)) throw new SnapshotError(path, lineNumber, 'name', `duplicate function ${key}`);
      seen.add(key);
      // The parsed value has the schema's key order and no unknown fields: stable bytes.
      yield `${JSON.stringify(checked.data)}\n`;
      functions++;
    }
  }

  await writeThroughTemp(path, lines, options);
  return { functions };
}

/**
 * Replaces line 1 of the snapshot at `path` with `header` (validated like writeSnapshot's), the
 * other lines streamed through unchanged, by the same temporary-file-and-rename as writeSnapshot:
 * `record` learns of warnings (a region denied GetMetricData) only after the header was written.
 *
 * @example
 * await replaceSnapshotHeader('out.ndjson.gz', { ...header, warnings }); // line 1 replaced
 */
export async function replaceSnapshotHeader(path: string, header: SnapshotHeader, options: WriteSnapshotOptions = {}): Promise<void> {
  const checkedHeader = headerSchema.safeParse(header);
  if (!checkedHeader.success) {
    const { field, detail } = firstIssue(checkedHeader.error);
    throw new SnapshotError(path, 1, field, detail, { cause: checkedHeader.error });
  }
  const where = options.where ?? '--out';
  const fs = options.fs ?? nodeSnapshotFs;
  await checkSnapshotDestination(path, where, fs);
  // Read only a regular file (the snapshot just written), never through a link or from a FIFO.
  if ((await fs.lkind(path)) === null) throw new UserInputError(`${where} ${path}: does not exist; header not replaced`);
  async function* rewritten(): AsyncGenerator<string> {
    const input = createReadStream(path);
    const lines = createInterface({ input: path.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
    try {
      let first = true;
      for await (const line of lines) {
        yield first ? `${JSON.stringify(checkedHeader.data)}\n` : `${line}\n`;
        first = false;
      }
    } finally {
      input.destroy();
    }
  }
  await writeThroughTemp(path, rewritten, options);
}
