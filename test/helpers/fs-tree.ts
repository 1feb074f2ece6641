import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
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

/** Where a generated symlink points: into the guard directory, nowhere, a sibling, or up and self. */
export type LinkTarget = 'guard-file' | 'guard-dir' | 'missing' | 'sibling' | 'parent' | 'self';

/** A generated file-system tree; `Extra` adds a test's own kinds of node (written by `other`). */
export type TreeNode<Extra = never> =
  | { t: 'file'; content: Uint8Array }
  | { t: 'dir'; children: [string, TreeNode<Extra>][] }
  | { t: 'link'; target: LinkTarget }
  | { t: 'fifo' }
  | Extra;

export interface TreePlaces {
  /** The guard directory (makeGuardDir): links into it must never change it. */
  guard: string;
  /** The test's own directory: a 'missing' link points to a path that does not exist in it. */
  root: string;
  /** The name a 'sibling' link points to. */
  sibling: string;
}

function linkPath(target: LinkTarget, places: TreePlaces): string {
  switch (target) {
    case 'guard-file':
      return join(places.guard, 'g.txt');
    case 'guard-dir':
      return join(places.guard, 'sub');
    case 'missing':
      return join(places.root, 'nowhere');
    case 'sibling':
      return places.sibling;
    case 'parent':
      return '..';
    case 'self':
      return '.';
  }
}

/** Writes `node` at `path`: files, directories, symlinks and FIFOs; a test's own kinds through `other`. */
export async function materialiseTree<Extra extends { t: string }>(
  path: string,
  node: TreeNode<Extra>,
  places: TreePlaces,
  other: (path: string, node: Extra) => Promise<void> = async (_path, extra) => {
    throw new Error(`materialiseTree: no writer for a node of kind ${extra.t}`);
  },
): Promise<void> {
  const n = node as TreeNode<never>;
  switch (n.t) {
    case 'file':
      return writeFile(path, n.content);
    case 'dir':
      await mkdir(path);
      for (const [name, child] of (node as { children: [string, TreeNode<Extra>][] }).children) {
        await materialiseTree(join(path, name), child, places, other);
      }
      return;
    case 'link':
      return symlink(linkPath(n.target, places), path);
    case 'fifo':
      execFileSync('mkfifo', [path]);
      return;
    default:
      return other(path, node as Extra);
  }
}
