import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { SnapshotError } from '../errors.js';
import { periodCount, type FunctionProfile, type Series, type SnapshotHeader } from './profile.js';
import { firstIssue, functionLineSchema, headerSchema } from './snapshot-schema.js';

/**
 * Streaming reader of snapshot format v1 (design.md). A few lines are held at a time, so memory does
 * not grow with the number of functions beyond a set of (region, name) keys for the duplicate check.
 * Every failure is a SnapshotError naming file, line and field; line 0 means the file as a whole.
 *
 * JSON.parse of the series is most of the cost of reading (about 2.5 s per 1,000 functions of 14 days
 * at 60 s), so by default a worker thread reads, inflates and parses ahead, and hands each function's
 * series over as transferred Float64Arrays (null = NaN, which JSON cannot carry). Validation stays on
 * this thread, so errors are the same either way; a line the worker cannot pack comes as raw text.
 */

export interface OpenSnapshotOptions {
  /** Parse in a worker thread (default true); false reads and parses on the calling thread. */
  worker?: boolean;
}

export interface OpenedSnapshot {
  header: SnapshotHeader;
  /**
   * Each iteration reads the file anew from line 2 (the file is open only while iterating). Stop
   * early with `break` (or `return()`) and the file and the parser thread are closed.
   */
  profiles: AsyncIterable<FunctionProfile>;
}

/** A line as text, or already parsed by the worker (`value`). */
type Line = { number: number; text: string; value?: never } | { number: number; value: unknown; text?: never };

/** True when the file starts with the gzip magic bytes 1f 8b (the extension is not trusted). */
async function isGzip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? String(error)})`;
    throw new SnapshotError(path, 0, null, detail, { cause: error });
  }
  try {
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
async function* readLines(path: string, gzip: boolean): AsyncGenerator<Line> {
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let input: Readable = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    // pipeline forwards read errors into gunzip, whose errors end the iteration below.
    pipeline(file, gunzip, () => undefined);
    input = gunzip;
  }
  let number = 0;
  let pending: Buffer[] = [];
  const decode = (parts: Buffer[]): Line => {
    number++;
    let text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, number };
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let from = 0;
      for (let newline = chunk.indexOf(10, from); newline >= 0; newline = chunk.indexOf(10, from)) {
        pending.push(chunk.subarray(from, newline));
        const line = decode(pending);
        pending = [];
        from = newline + 1;
        yield line;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
    }
    if (pending.length > 0) yield decode(pending);
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const detail = gzip ? `corrupt or truncated gzip data (${message})` : `read failed (${message})`;
    throw new SnapshotError(path, number + 1, null, detail, { cause: error });
  } finally {
    input.destroy();
    file.destroy();
  }
}

const SERIES_KEYS = ['invocations', 'durationMsSum', 'concurrencyMax', 'durationMsMax', 'errors', 'throttles'];
/** Functions parsed ahead of the consumer: bounds the worker's memory to a few lines. */
const WORKER_LINES_AHEAD = 4;

/**
 * The worker's code, plain CommonJS evaluated by `new Worker(..., { eval: true })`: no file to locate,
 * so it works the same under tsx, vitest, compiled output and an esbuild bundle. It mirrors readLines.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { pipeline } = require('node:stream');
const { path, gzip, readChunk, inflateChunk, ahead, seriesKeys } = workerData;
let credits = ahead;
let wake = null;
parentPort.on('message', () => {
  credits++;
  if (wake) { const w = wake; wake = null; w(); }
});
function pack(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const series = value.series;
  if (series === null || typeof series !== 'object' || Array.isArray(series)) return null;
  const packed = {};
  const buffers = [];
  for (const key of seriesKeys) {
    const list = series[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return null;
    const out = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (v === null) out[i] = NaN;
      else if (typeof v === 'number') out[i] = v;
      else return null;
    }
    packed[key] = out;
    buffers.push(out.buffer);
  }
  const { series: _series, ...meta } = value;
  return { meta, packed, buffers };
}
async function main() {
  const file = createReadStream(path, { highWaterMark: readChunk });
  let input = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: inflateChunk });
    pipeline(file, gunzip, () => undefined);
    input = gunzip;
  }
  let number = 0;
  let pending = [];
  const send = async (parts) => {
    number++;
    let text = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8');
    if (text.endsWith('\\r')) text = text.slice(0, -1);
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (credits <= 0) await new Promise((resolve) => { wake = resolve; });
    credits--;
    if (number > 1 && text.trim() !== '') {
      let packed = null;
      try { packed = pack(JSON.parse(text)); } catch { packed = null; }
      if (packed) {
        parentPort.postMessage({ number, meta: packed.meta, packed: packed.packed }, packed.buffers);
        return;
      }
    }
    parentPort.postMessage({ number, text });
  };
  try {
    for await (const chunk of input) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
        pending.push(chunk.subarray(from, nl));
        const parts = pending;
        pending = [];
        from = nl + 1;
        await send(parts);
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
    }
    if (pending.length > 0) await send(pending);
    parentPort.postMessage({ end: true });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error), number: number + 1 });
  }
}
main();
`;

type WorkerMessage =
  | { number: number; text: string }
  | { number: number; meta: Record<string, unknown>; packed: Record<string, Float64Array> }
  | { end: true }
  | { error: string; number: number };

/** Back from Float64Array to the contract's Series: NaN marks null. */
function unpack(meta: Record<string, unknown>, packed: Record<string, Float64Array>): unknown {
  const series: Record<string, Series> = {};
  for (const key of Object.keys(packed)) {
    const values = packed[key] as Float64Array;
    // Preallocated and filled by index: 4x faster than push here, and about 1/4 of a JSON.parse.
    const list: Series = new Array<number | null>(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      list[i] = v !== v ? null : v; // NaN marks null
    }
    series[key] = list;
  }
  return { ...meta, series };
}

async function* readLinesInWorker(path: string, gzip: boolean): AsyncGenerator<Line> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path,
      gzip,
      readChunk: READ_CHUNK_BYTES,
      inflateChunk: INFLATE_CHUNK_BYTES,
      ahead: WORKER_LINES_AHEAD,
      seriesKeys: SERIES_KEYS,
    },
  });
  // Referenced only while waiting on it: an abandoned iteration never keeps the process alive.
  worker.unref();
  const queue: WorkerMessage[] = [];
  let failure: Error | null = null;
  let finished = false;
  let notify: (() => void) | null = null;
  worker.on('message', (message: WorkerMessage) => {
    queue.push(message);
    notify?.();
  });
  worker.on('error', (error: Error) => {
    failure ??= error;
    notify?.();
  });
  worker.on('exit', (code) => {
    if (!finished) failure ??= new Error(`parser thread exited with code ${code}`);
    notify?.();
  });
  let lastLine = 0;
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure) throw new SnapshotError(path, lastLine + 1, null, `read failed (${(failure as Error).message})`, { cause: failure });
        worker.ref();
        await new Promise<void>((resolve) => {
          notify = resolve;
        });
        notify = null;
        worker.unref();
      }
      const message = queue.shift() as WorkerMessage;
      if ('end' in message) return;
      if ('error' in message) {
        const detail = gzip ? `corrupt or truncated gzip data (${message.error})` : `read failed (${message.error})`;
        throw new SnapshotError(path, message.number, null, detail);
      }
      lastLine = message.number;
      worker.postMessage(0); // one more line may be parsed ahead
      yield 'text' in message ? { number: message.number, text: message.text } : { number: message.number, value: unpack(message.meta, message.packed) };
    }
  } finally {
    finished = true;
    await worker.terminate();
  }
}

function parseJson(path: string, line: Line): unknown {
  if (line.text === undefined) return line.value;
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
  const schema = functionLineSchema(periodCount(header.window));
  const firstLineOf = new Map<string, number>();
  let blankLine: number | null = null;
  try {
    for await (const line of lines) {
      if (line.number === 1) continue; // the header, validated by openSnapshot
      if (line.text !== undefined && line.text.trim() === '') {
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
export async function openSnapshot(path: string, options: OpenSnapshotOptions = {}): Promise<OpenedSnapshot> {
  const gzip = await isGzip(path);
  // Line 1 only, then the file is closed again: nothing stays open until the profiles are iterated.
  const lines = readLines(path, gzip);
  let first;
  try {
    first = await lines.next();
  } finally {
    await lines.return(undefined);
  }
  if (first.done || (first.value.text ?? '').trim() === '') {
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
    [Symbol.asyncIterator]: () =>
      readProfiles(path, options.worker === false ? readLines(path, gzip) : readLinesInWorker(path, gzip), header),
  };
  return { header, profiles };
}

/**
 * Reads the whole snapshot and validates every line, keeping nothing but a count: the CLI calls it
 * before writing anything, so a bad line late in the file never leaves a half-made report.
 */
export async function validateSnapshot(
  path: string,
  options: OpenSnapshotOptions = {},
): Promise<{ header: SnapshotHeader; functions: number }> {
  const { header, profiles } = await openSnapshot(path, options);
  let functions = 0;
  for await (const _profile of profiles) functions++;
  return { header, functions };
}
