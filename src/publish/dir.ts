import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PublishError } from '../errors.js';

export interface ReportFile {
  name: string;
  content: string;
}

/** The file-system calls the publisher makes; injectable so tests can fail one mid-way. */
export interface DirFs {
  mkdir: (path: string, options: { recursive: true }) => Promise<unknown>;
  writeFile: (path: string, content: string, encoding: 'utf8') => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
  rm: (path: string, options: { recursive: true; force: true }) => Promise<void>;
  exists: (path: string) => Promise<boolean>;
}

const nodeFs: DirFs = {
  mkdir,
  writeFile,
  rename,
  rm,
  exists: async (path) => {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  },
};

let tempCounter = 0;

/**
 * Publishes a set of report files into `outDir`, all or nothing: every file is first written to
 * a fresh temp dir inside `outDir` (same file system, so renames are atomic), then renamed into
 * place. Files already in `outDir` are set aside first and put back if any step fails, so a
 * failure never leaves a half-written set (new report.json beside an old report.html).
 * Returns the published paths, in the order given.
 *
 * @example
 * await writeReportFiles('reports', [{ name: 'report.json', content: renderJson(model) }]);
 */
export async function writeReportFiles(
  outDir: string,
  files: ReportFile[],
  fs: DirFs = nodeFs,
): Promise<string[]> {
  for (const file of files) {
    if (file.name === '' || file.name !== basename(file.name) || file.name.startsWith('.')) {
      throw new PublishError('dir', `${outDir}: invalid report file name "${file.name}"`);
    }
  }
  tempCounter += 1;
  const tempDir = join(outDir, `.tmp-${process.pid}-${tempCounter}`);
  const asideDir = join(tempDir, '.previous');
  const placed: { target: string; aside: string | null }[] = [];
  try {
    await fs.mkdir(asideDir, { recursive: true });
    for (const file of files) await fs.writeFile(join(tempDir, file.name), file.content, 'utf8');
    for (const file of files) {
      const target = join(outDir, file.name);
      let aside: string | null = null;
      if (await fs.exists(target)) {
        aside = join(asideDir, file.name);
        await fs.rename(target, aside);
      }
      placed.push({ target, aside });
      await fs.rename(join(tempDir, file.name), target);
    }
  } catch (error) {
    const rollbackProblems = await rollBack(placed, fs);
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    const extra = rollbackProblems.length > 0 ? `; rollback also failed for ${rollbackProblems.join(', ')}` : '';
    throw new PublishError('dir', `${outDir}: nothing published: ${detail}${extra}`, { cause: error });
  }
  await fs.rm(tempDir, { recursive: true, force: true });
  return placed.map((p) => p.target);
}

/** Undoes the renames done so far, newest first. Returns the targets it could not restore. */
async function rollBack(placed: { target: string; aside: string | null }[], fs: DirFs): Promise<string[]> {
  const failed: string[] = [];
  for (const { target, aside } of [...placed].reverse()) {
    try {
      if (aside !== null) {
        // Renaming the previous file back over the new one replaces it in one step.
        if (await fs.exists(aside)) await fs.rename(aside, target);
      } else {
        await fs.rm(target, { recursive: true, force: true });
      }
    } catch {
      failed.push(target);
    }
  }
  return failed;
}
