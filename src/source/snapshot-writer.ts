import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { SnapshotError } from '../errors.js';
import { periodCount, type FunctionProfile, type SnapshotHeader } from './profile.js';
import { firstIssue, functionLineSchema, headerSchema } from './snapshot-schema.js';

/**
 * Writes snapshot format v1. Every line is validated with the reader's schemas first, so a written
 * snapshot always reads back (JSON.stringify would otherwise turn a NaN into a silent null). Output
 * goes to `<path>.tmp-<pid>` and is renamed into place only when complete.
 */

export interface WriteSnapshotOptions {
  /** zlib level for `.gz` output (default 6, zlib's own default); 1 is much faster for benchmarks. */
  gzipLevel?: number;
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

  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  try {
    if (path.endsWith('.gz')) {
      await pipeline(lines, createGzip({ level: options.gzipLevel ?? 6 }), out);
    } else {
      await pipeline(lines, out);
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return { functions };
}
