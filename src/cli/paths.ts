import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserInputError } from '../errors.js';

/**
 * Checks of the paths a command will write, made before anything runs, so a wrong path is exit 2
 * naming the flag instead of a failure after minutes of collection.
 */

async function kind(path: string): Promise<'file' | 'directory' | 'other' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') return 'other';
    throw new UserInputError(`cannot check "${path}" (${code ?? String(error)})`, { cause: error });
  }
}

/** `--out <dir>`: a directory or nothing yet (created), never a file. */
export async function checkOutDir(path: string, flag = '--out'): Promise<void> {
  const found = await kind(path);
  if (found === 'file') throw new UserInputError(`${flag}: "${path}" is a file; give a directory for the reports`);
  if (found === 'other') throw new UserInputError(`${flag}: "${path}" is not a directory (or a part of its path is a file)`);
}

/** `--out <file>`: its directory exists, and the path itself is not a directory. */
export async function checkOutFile(path: string, flag = '--out'): Promise<void> {
  const found = await kind(path);
  if (found === 'directory') throw new UserInputError(`${flag}: "${path}" is a directory; give a file name`);
  if (found === 'other') throw new UserInputError(`${flag}: "${path}" is not a regular file (or a part of its path is a file)`);
  const parent = dirname(path);
  const parentKind = await kind(parent);
  if (parentKind !== 'directory') throw new UserInputError(`${flag}: the directory "${parent}" of "${path}" does not exist`);
}
