import { mkdir, mkdtemp, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PublishError, UserInputError } from '../errors.js';
import { codeOf, kindAt, lkindAt, type PathKind } from '../fs/path-kind.js';

export type { PathKind } from '../fs/path-kind.js';

export interface ReportFile {
  name: string;
  content: string;
}

/**
 * The file-system calls the publisher makes; injectable so tests can fail one mid-way. There is
 * deliberately no recursive remove: the publisher only ever unlinks files it wrote itself and
 * removes (empty) directories it created itself, so nothing it did not write can be lost.
 */
export interface DirFs {
  /** Kind at `path` without following a final symlink; null when nothing is there. */
  lkind: (path: string) => Promise<PathKind | null>;
  /** Kind at `path` following symlinks; null when nothing (or a dangling link) is there. */
  kind: (path: string) => Promise<PathKind | null>;
  mkdir: (path: string) => Promise<unknown>;
  /** Creates a new, uniquely named directory (never an existing one). */
  mkdtemp: (prefix: string) => Promise<string>;
  /** Creates a new file; fails if anything is already at `path`. */
  writeNewFile: (path: string, content: string) => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
  unlink: (path: string) => Promise<void>;
  /** Removes an empty directory; fails on a non-empty one. */
  rmdir: (path: string) => Promise<void>;
}

export const nodeDirFs: DirFs = {
  lkind: lkindAt,
  kind: kindAt,
  mkdir: (path) => mkdir(path, { recursive: true }),
  mkdtemp: (prefix) => mkdtemp(prefix),
  writeNewFile: (path, content) => writeFile(path, content, { encoding: 'utf8', flag: 'wx' }),
  rename,
  unlink,
  rmdir: (path) => rmdir(path),
};

/** Errors that mean "this path is not usable as given": the user's to fix (exit 2). */
const USER_PATH_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EEXIST']);

function pathProblem(where: string, path: string, error: unknown): UserInputError | null {
  const code = codeOf(error);
  if (code === undefined || !USER_PATH_CODES.has(code)) return null;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable' : 'not a usable directory';
  return new UserInputError(`${where} ${path}: ${why} (${code}); nothing written`, { cause: error });
}

/**
 * Checks, without touching anything, that `outDir` can take the report files: the path is not
 * empty (that would write into the current directory), it is (or can be created as) a
 * directory, and at each report's name there is nothing or a regular file (a previous report,
 * which is replaced). Anything else there (a directory, a symlink, a FIFO, ...) was not written
 * by this tool: a UserInputError naming it, so nothing is ever removed or written through it.
 * `outDir` itself may be a symlink to a directory: the reports go into that directory.
 */
export async function checkOutDir(outDir: string, names: readonly string[], where = '--out', fs: DirFs = nodeDirFs): Promise<void> {
  if (outDir.trim() === '') {
    throw new UserInputError(`${where}: empty path (it would write into the current directory); give a directory, e.g. ${where} reports`);
  }
  const look = async <T>(path: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw pathProblem(where, path, error) ?? new PublishError('dir', `${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  // ENOTDIR: some ancestor is not a directory; the walk below names it.
  const notDirIsNull = (error: unknown): null => {
    if (codeOf(error) === 'ENOTDIR') return null;
    throw error;
  };
  const kind = await look(outDir, () => fs.kind(outDir).catch(notDirIsNull));
  if (kind === null) {
    if ((await look(outDir, () => fs.lkind(outDir).catch(notDirIsNull))) !== null) {
      throw new UserInputError(`${where} ${outDir}: is a symbolic link to nothing; nothing written`);
    }
    // Not there yet: the nearest existing ancestor must be a directory for mkdir to work.
    let parent = resolve(outDir);
    for (;;) {
      const up = dirname(parent);
      if (up === parent) break;
      parent = up;
      const parentKind = await look(parent, () => fs.kind(parent).catch(notDirIsNull));
      if (parentKind === null) continue;
      if (parentKind !== 'directory') throw new UserInputError(`${where} ${outDir}: ${parent} is a ${parentKind}, not a directory; nothing written`);
      break;
    }
    return;
  }
  if (kind !== 'directory') throw new UserInputError(`${where} ${outDir}: is a ${kind}, not a directory; nothing written`);
  for (const name of names) {
    const path = join(outDir, name);
    const at = await look(path, () => fs.lkind(path));
    if (at !== null && at !== 'file') throw notAReport(where, path, at);
  }
}

function notAReport(where: string, path: string, kind: PathKind): UserInputError {
  return new UserInputError(
    `${path}: is a ${kind}, not a report file; only a regular file (a previous report) is replaced there, so nothing was written or removed (move it away or choose another ${where})`,
  );
}

function checkNames(outDir: string, files: readonly ReportFile[]): void {
  const seen = new Set<string>();
  for (const file of files) {
    if (file.name === '' || file.name !== basename(file.name) || file.name.startsWith('.') || seen.has(file.name)) {
      throw new PublishError('dir', `${outDir}: invalid report file name "${file.name}"`);
    }
    seen.add(file.name);
  }
}

interface Placement {
  name: string;
  target: string;
  staged: string;
  /** Where the previous report file was moved, once it was. */
  aside: string | null;
  /** The new file is at `target`. */
  placed: boolean;
}

/**
 * Publishes a set of report files into `outDir`, all or nothing. Every file is first written to
 * a fresh directory made inside `outDir` (same file system, so renames are atomic), then renamed
 * into place; a previous report file at the same name is set aside in that directory and put
 * back if any step fails, so a failure never leaves a half-written set (new report.json beside
 * an old report.html). Only regular files at the reports' own names are ever replaced; see
 * checkOutDir for what is refused. Returns the published paths, in the order given.
 *
 * @example
 * await writeReportFiles('reports', [{ name: 'report.json', content: renderJson(model) }]);
 */
export async function writeReportFiles(
  outDir: string,
  files: ReportFile[],
  fs: DirFs = nodeDirFs,
  where = '--out',
): Promise<string[]> {
  checkNames(outDir, files);
  await checkOutDir(outDir, files.map((f) => f.name), where, fs);

  let stage: string;
  try {
    await fs.mkdir(outDir);
    stage = await fs.mkdtemp(join(outDir, '.lmi-advisor-'));
  } catch (error) {
    throw pathProblem(where, outDir, error) ?? new PublishError('dir', `${outDir}: nothing published: ${(error as Error).message}`, { cause: error });
  }
  // Report names never start with a dot, so this cannot collide with a staged file.
  const asideDir = join(stage, '.previous');
  const plan: Placement[] = files.map((f) => ({ name: f.name, target: join(outDir, f.name), staged: join(stage, f.name), aside: null, placed: false }));
  const written: string[] = [];
  let asideMade = false;
  try {
    for (const [i, file] of files.entries()) {
      // Listed first: a write that fails half-way may still have created the file.
      written.push(plan[i]!.staged);
      await fs.writeNewFile(plan[i]!.staged, file.content);
    }
    await fs.mkdir(asideDir);
    asideMade = true;
    for (const p of plan) {
      // Checked again just before the move: something may have appeared since checkOutDir.
      const at = await fs.lkind(p.target);
      if (at !== null && at !== 'file') throw notAReport(where, p.target, at);
      if (at === 'file') {
        const aside = join(asideDir, p.name);
        await fs.rename(p.target, aside);
        p.aside = aside;
      }
      await fs.rename(p.staged, p.target);
      p.placed = true;
    }
  } catch (error) {
    const problems = await rollBack(plan, written, fs);
    if (problems.length === 0) await removeEmptyDirs(asideMade ? [asideDir, stage] : [stage], fs, problems);
    const kept = problems.length > 0 ? `; rollback incomplete (${problems.join('; ')}): previous files are kept in ${asideDir}` : '';
    if (error instanceof UserInputError && kept === '') throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new PublishError('dir', `${outDir}: nothing published: ${detail}${kept}`, { cause: error });
  }
  // The set is in place; the previous files set aside are this tool's own earlier reports.
  const leftovers: string[] = [];
  for (const p of plan) {
    if (p.aside !== null) await fs.unlink(p.aside).catch(() => leftovers.push(p.aside as string));
  }
  if (leftovers.length === 0) await removeEmptyDirs([asideDir, stage], fs, leftovers);
  return plan.map((p) => p.target);
}

/** Undoes the moves done so far, newest first. Returns what it could not undo. */
async function rollBack(plan: Placement[], written: string[], fs: DirFs): Promise<string[]> {
  const problems: string[] = [];
  for (const p of [...plan].reverse()) {
    try {
      if (p.aside !== null) {
        // Renaming the previous file back replaces the new one (if placed) in one step.
        await fs.rename(p.aside, p.target);
        p.aside = null;
      } else if (p.placed) {
        await fs.unlink(p.target);
      }
      p.placed = false;
    } catch (error) {
      problems.push(`${p.target}: ${(error as Error).message}`);
    }
  }
  // Files still in the stage directory (fresh, made by this run) are this run's own.
  for (const staged of written) {
    await fs.unlink(staged).catch((error: unknown) => {
      if (codeOf(error) !== 'ENOENT') problems.push(`${staged}: ${(error as Error).message}`);
    });
  }
  return problems;
}

/** Removes directories this run created, innermost first; only empty ones can go. */
async function removeEmptyDirs(dirs: string[], fs: DirFs, problems: string[]): Promise<void> {
  for (const dir of dirs) {
    try {
      await fs.rmdir(dir);
    } catch (error) {
      problems.push(`${dir}: ${(error as Error).message}`);
      return;
    }
  }
}
