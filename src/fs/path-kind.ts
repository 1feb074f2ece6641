import type { Stats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';

/** What sits at a path, as `lstat` sees it (a symbolic link is never followed). */
export type PathKind = 'file' | 'directory' | 'symbolic link' | 'FIFO' | 'socket' | 'device' | 'special file';

export function kindOf(s: Stats): PathKind {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  if (s.isSymbolicLink()) return 'symbolic link';
  if (s.isFIFO()) return 'FIFO';
  if (s.isSocket()) return 'socket';
  if (s.isBlockDevice() || s.isCharacterDevice()) return 'device';
  return 'special file';
}

/** The errno code of a Node file-system error, if any. */
export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function absentIsNull(error: unknown): null {
  if (codeOf(error) === 'ENOENT') return null;
  throw error;
}

/** Kind at `path` without following a final symlink; null when nothing is there. */
export function lkindAt(path: string): Promise<PathKind | null> {
  return lstat(path).then(kindOf, absentIsNull);
}

/** Kind at `path` following symlinks; null when nothing (or a dangling link) is there. */
export function kindAt(path: string): Promise<PathKind | null> {
  return stat(path).then(kindOf, absentIsNull);
}
