import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every entry below `dir` (relative path -> kind and content), symlinks not followed. */
export async function snapshotTree(dir: string, prefix = '', into = new Map<string, string>()): Promise<Map<string, string>> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const s = await lstat(path);
    if (s.isSymbolicLink()) into.set(rel, `link:${await readlink(path)}`);
    else if (s.isFile()) into.set(rel, `file:${(await readFile(path)).toString('base64')}`);
    else if (s.isDirectory()) {
      into.set(rel, 'dir');
      await snapshotTree(path, rel, into);
    } else into.set(rel, s.isFIFO() ? 'fifo' : 'other');
  }
  return into;
}

/**
 * A directory outside every test directory that symlinks point into and that must never change:
 * `g.txt` and `sub/<subFile>` (holding `subContent`).
 */
export async function makeGuardDir(prefix: string, subFile: string, subContent: string): Promise<string> {
  const guard = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(guard, 'g.txt'), 'guarded', 'utf8');
  await mkdir(join(guard, 'sub'));
  await writeFile(join(guard, 'sub', subFile), subContent, 'utf8');
  return guard;
}
