import { checkOutDir as checkReportDir } from '../publish/dir.js';
import { checkSnapshotDestination } from '../source/snapshot-writer.js';

/**
 * Checks of the paths a command will write, made before anything runs, so a wrong path is exit 2
 * naming the flag instead of a failure after minutes of collection. They are the writers' own
 * checks (one rule each: nothing the tool did not write is replaced or written through).
 */

/** `--out <dir>`: a directory or nothing yet (created), never a file or a link to nothing. */
export async function checkOutDir(path: string, flag = '--out'): Promise<void> {
  await checkReportDir(path, [], flag);
}

/** `--out <file>`: nothing or a previous snapshot (a regular file), in a directory that exists. */
export async function checkOutFile(path: string, flag = '--out'): Promise<void> {
  await checkSnapshotDestination(path, flag);
}
