import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SnapshotError } from '../errors.js';
import { periodCount, type FunctionProfile, type SnapshotHeader } from './profile.js';
import { firstIssue, functionLineSchema, headerSchema } from './snapshot-schema.js';

/**
 * Streaming reader of snapshot format v1 (docs/snapshot-format.md). A few lines are held at a time, so memory does
 * not grow with the number of functions beyond a set of (region, name) keys for the duplicate check.
 * Every failure is a SnapshotError naming file, line and field; line 0 means the file as a whole.
 *
 * Cost (bench/analyze.ts): JSON.parse of the series is most of it, about 2.5 s per 1,000 functions of
 * 14 days at 60 s; inflating runs on libuv's thread pool. A worker thread that parsed ahead and
 * handed series over as Float64Arrays was tried and measured slower on 2 cores: converting back to
 * (number | null)[] costs a quarter of a parse, and the two threads compete with the model.
 */

export interface OpenedSnapshot {
  header: SnapshotHeader;
  /**
   * Each iteration reads the file anew from line 2 (the file is open only while iterating). Stop
   * early with `break` (or `return()`) and the file is closed.
   */
  profiles: AsyncIterable<FunctionProfile>;
}

interface Line {
  text: string;
  number: number;
}

/**
 * The longest line read. The longest real line is far shorter (21,600 one-minute points x 6
 * series is about 2 MB; 455 days of minute data, which CloudWatch does not keep, about 50 MB);
 * a longer one is refused as soon as it passes the cap, before it is held whole (a JS string
 * cannot exceed about 512 MB anyway).
 */
export const MAX_LINE_BYTES = 128 * 1024 * 1024;

export interface ReadOptions {
  /** Refuse longer lines (default MAX_LINE_BYTES; tests lower it). */
  maxLineBytes?: number;
}

function openError(path: string, error: unknown): SnapshotError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EISDIR'
        ? 'is a directory, not a snapshot file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot open (${code ?? String(error)})`;
  return new SnapshotError(path, 0, null, detail, { cause: error });
}

/** True when the file starts with the gzip magic bytes 1f 8b (the extension is not trusted). */
async function isGzip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw openError(path, error);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new SnapshotError(path, 0, null, 'is a directory, not a snapshot file');
    if (!stats.isFile()) throw new SnapshotError(path, 0, null, 'is not a regular file');
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Large buffers: with Node's defaults (64 KiB reads, 16 KiB inflate chunks) gunzip is 4x slower. */
const READ_CHUNK_BYTES = 1 << 20;
const INFLATE_CHUNK_BYTES = 256 * 1024;

/**
 * Lines of the file, decoded one at a time. Split on Buffers rather than with node:readline: the byte
 * 0x0a never occurs inside a UTF-8 multi-byte sequence, and this is faster on lines of ~100 KB.
 */
async function* readLines(path: string, gzip: boolean, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let input: Readable = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    // pipeline forwards read errors into gunzip, whose errors end the iteration below.
    pipeline(file, gunzip, () => undefined);
    input = gunzip;
  }
  // Lines completed so far: the line being read is number + 1 (also in errors).
  let number = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const tooLong = () =>
    new SnapshotError(path, number + 1, null, `line longer than ${maxLineBytes} bytes (no snapshot line is that long); not read further`);
  const hold = (part: Buffer) => {
    pendingBytes += part.length;
    if (pendingBytes > maxLineBytes) throw tooLong();
    pending.push(part);
  };
  const decode = (parts: Buffer[]): Line => {
    let text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (number === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    number++;
    return { text, number };
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let from = 0;
      for (let newline = chunk.indexOf(10, from); newline >= 0; newline = chunk.indexOf(10, from)) {
        hold(chunk.subarray(from, newline));
        const line = decode(pending);
        pending = [];
        pendingBytes = 0;
        from = newline + 1;
        yield line;
      }
      if (from < chunk.length) hold(chunk.subarray(from));
    }
    if (pending.length > 0) yield decode(pending);
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (number === 0 && (code === 'EISDIR' || code === 'ENOENT' || code === 'EACCES')) throw openError(path, error);
    const message = error instanceof Error ? error.message : String(error);
    const detail = gzip && code !== 'EISDIR' ? `corrupt or truncated gzip data (${message})` : `read failed (${message})`;
    throw new SnapshotError(path, number + 1, null, detail, { cause: error });
  } finally {
    input.destroy();
    file.destroy();
  }
}

function parseJson(path: string, line: Line): unknown {
  try {
    return JSON.parse(line.text);
  } catch (error) {
    throw new SnapshotError(path, line.number, null, `invalid JSON (${(error as Error).message})`, { cause: error });
  }
}

async function* readProfiles(
  path: string,
  lines: AsyncGenerator<Line>,
  header: SnapshotHeader,
): AsyncGenerator<FunctionProfile> {
  const schema = functionLineSchema(periodCount(header.window), header.window.periodSeconds);
  const firstLineOf = new Map<string, number>();
  let blankLine: number | null = null;
  try {
    for await (const line of lines) {
      if (line.number === 1) continue; // the header, validated by openSnapshot
      if (line.text.trim() === '') {
        blankLine ??= line.number;
        continue;
      }
      if (blankLine !== null) {
        throw new SnapshotError(path, blankLine, null, 'blank line inside the snapshot (only trailing blank lines are allowed)');
      }
      const parsed = schema.safeParse(parseJson(path, line));
      if (!parsed.success) {
        const { field, detail } = firstIssue(parsed.error);
        throw new SnapshotError(path, line.number, field, detail, { cause: parsed.error });
      }
      const profile = parsed.data;
      const key = `${profile.region}/${profile.name}`;
      const first = firstLineOf.get(key);
      if (first !== undefined) {
        throw new SnapshotError(path, line.number, 'name', `duplicate function ${key} (first on line ${first})`);
      }
      firstLineOf.set(key, line.number);
      yield profile;
    }
  } finally {
    await lines.return(undefined);
  }
}

/**
 * Opens a snapshot (plain or gzip NDJSON), validates its header and returns it with a lazy stream of
 * validated profiles. A bad function line throws while iterating, at that line.
 *
 * @example
 * const { header, profiles } = await openSnapshot('fixtures/sample-account.ndjson.gz');
 * for await (const p of profiles) console.log(p.region, p.name);
 */
export async function openSnapshot(path: string, options: ReadOptions = {}): Promise<OpenedSnapshot> {
  const gzip = await isGzip(path);
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  // Line 1 only, then the file is closed again: nothing stays open until the profiles are iterated.
  const lines = readLines(path, gzip, maxLineBytes);
  let first;
  try {
    first = await lines.next();
  } finally {
    await lines.return(undefined);
  }
  if (first.done || first.value.text.trim() === '') {
    throw new SnapshotError(path, 1, null, first.done ? 'empty file, expected a snapshot header' : 'line 1 is blank, expected a snapshot header');
  }
  const headerLine = first.value;
  const parsed = headerSchema.safeParse(parseJson(path, headerLine));
  if (!parsed.success) {
    const { field, detail } = firstIssue(parsed.error);
    throw new SnapshotError(path, headerLine.number, field, detail, { cause: parsed.error });
  }
  const header: SnapshotHeader = parsed.data;
  const profiles: AsyncIterable<FunctionProfile> = {
    [Symbol.asyncIterator]: () => readProfiles(path, readLines(path, gzip, maxLineBytes), header),
  };
  return { header, profiles };
}

/**
 * Reads the whole snapshot and validates every line, keeping nothing but a count: the CLI calls it
 * before writing anything, so a bad line late in the file never leaves a half-made report.
 */
export async function validateSnapshot(path: string): Promise<{ header: SnapshotHeader; functions: number }> {
  const { header, profiles } = await openSnapshot(path);
  let functions = 0;
  for await (const _profile of profiles) functions++;
  return { header, functions };
}
