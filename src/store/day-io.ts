import { createHash } from 'node:crypto';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import type { PeriodSeconds } from '../source/profile.js';
import type { StoreBackend } from './backend.js';
import { StoreError, TruncatedObjectError } from './errors.js';
import {
  dayFolder,
  dayStatusSchema,
  type DayStatus,
  READABLE_SCHEMAS,
  STATUS_OBJECT,
  STORE_SCHEMA,
  STORE_SCHEMA_VERSION,
} from './format.js';
import { readFunctions, readMeta, type StoredConfig } from './parquet.js';

/**
 * Reading and writing one store day through a backend. Object names carry a hash of their
 * content, and `_status.json` (written last) names the objects of the day: a run killed before
 * the status leaves the previous status (or none) in force, and two runs writing the same day
 * each leave a consistent status; the last one written wins. Objects no status names are
 * removed after the status is written.
 */

export const metricsFolder = (account: string, region: string, date: string) => `metrics/${dayFolder(account, region, date)}`;
export const functionsFolder = (account: string, region: string, date: string) => `functions/${dayFolder(account, region, date)}`;
export const statusKey = (account: string, region: string, date: string) => `${metricsFolder(account, region, date)}/${STATUS_OBJECT}`;

export function contentName(bytes: Uint8Array): string {
  return `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.parquet`;
}

/** The status of a day, or null when absent. Unknown schema or a malformed status: StoreError. */
export async function readStatus(store: StoreBackend, account: string, region: string, date: string): Promise<DayStatus | null> {
  const key = statusKey(account, region, date);
  const bytes = await store.get(key);
  if (bytes === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new StoreError(store.where(key), `not a store status (invalid JSON: ${(cause as Error).message})`, { cause });
  }
  const head = doc as { schema?: unknown; schemaVersion?: unknown } | null;
  if (!head || typeof head !== 'object' || typeof head.schema !== 'string' || READABLE_SCHEMAS.get(head.schema) !== head.schemaVersion) {
    throw new StoreError(
      store.where(key),
      `unknown store schema ${JSON.stringify(head?.schema)} version ${JSON.stringify(head?.schemaVersion)}; this version reads ${STORE_SCHEMA} version ${STORE_SCHEMA_VERSION} (and version 1)`,
    );
  }
  const parsed = dayStatusSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(store.where(key), `bad status field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const s = parsed.data;
  if (s.accountId !== account || s.region !== region || s.date !== date) {
    throw new StoreError(store.where(key), `describes ${s.accountId}/${s.region}/${s.date}, not ${account}/${region}/${date}`);
  }
  return s;
}

/** A stored day opened for reading: its functions (row order) and its metrics object. */
export interface OpenDay {
  status: DayStatus;
  functions: (StoredConfig & { name: string })[];
  rowOf: Map<string, number>;
  metrics: { location: string; buffer: AsyncBuffer; metadata: FileMetaData };
}

/**
 * Opens a stored day. Returns a `missing` reason (the day is then read again) when an object is
 * truncated or absent (an interrupted copy, a concurrent run's cleanup); throws StoreError when
 * an object is foreign or corrupt.
 */
export async function openDay(store: StoreBackend, status: DayStatus): Promise<OpenDay | { missing: string }> {
  const period = status.periodSeconds as PeriodSeconds;
  type Opened = { location: string; buffer: AsyncBuffer; metadata: FileMetaData } | { missing: string };
  const open = async (kind: 'metrics' | 'functions'): Promise<Opened> => {
    const ref = status.objects[kind];
    const location = store.where(ref.key);
    const buffer = await store.open(ref.key);
    if (!buffer) return { missing: `${location} is named by its status but absent` };
    try {
      const { metadata } = await readMeta(location, buffer, { kind, date: status.date, periodSeconds: period, bytes: ref.bytes, rows: ref.rows });
      return { location, buffer, metadata };
    } catch (error) {
      if (error instanceof TruncatedObjectError) return { missing: error.message };
      throw error;
    }
  };
  const fns = await open('functions');
  if ('missing' in fns) return { missing: fns.missing };
  const metrics = await open('metrics');
  if ('missing' in metrics) return { missing: metrics.missing };
  const functions = await readFunctions(fns.location, fns.buffer, fns.metadata);
  if (functions.length !== status.functions) {
    throw new StoreError(fns.location, `${functions.length} functions, the status recorded ${status.functions}`);
  }
  const rowOf = new Map<string, number>();
  functions.forEach((f, i) => rowOf.set(f.name, i));
  return { status, functions, rowOf, metrics };
}

/**
 * Writes a day: both data objects (content-named), then the status, then removes objects of the
 * day that the status now in force does not name (a killed run's or an older version's).
 */
export async function writeDay(
  store: StoreBackend,
  status: Omit<DayStatus, 'objects'>,
  metricsBytes: { bytes: Uint8Array; rows: number },
  functionsBytes: { bytes: Uint8Array; rows: number },
): Promise<DayStatus> {
  const { accountId: a, region: r, date: d } = status;
  const metricsKey = `${metricsFolder(a, r, d)}/${contentName(metricsBytes.bytes)}`;
  const functionsKey = `${functionsFolder(a, r, d)}/${contentName(functionsBytes.bytes)}`;
  await store.put(metricsKey, metricsBytes.bytes, 'application/vnd.apache.parquet');
  await store.put(functionsKey, functionsBytes.bytes, 'application/vnd.apache.parquet');
  const full: DayStatus = {
    ...status,
    objects: {
      metrics: { key: metricsKey, bytes: metricsBytes.bytes.byteLength, rows: metricsBytes.rows },
      functions: { key: functionsKey, bytes: functionsBytes.bytes.byteLength, rows: functionsBytes.rows },
    },
  };
  await store.put(statusKey(a, r, d), Buffer.from(`${JSON.stringify(full, null, 1)}\n`), 'application/json');
  await removeUnnamed(store, a, r, d);
  return full;
}

/** Deletes the day's data objects the status in force does not name (re-read just before). */
async function removeUnnamed(store: StoreBackend, a: string, r: string, d: string): Promise<void> {
  let current: DayStatus | null;
  try {
    current = await readStatus(store, a, r, d);
  } catch {
    return; // never delete around a status this run cannot read
  }
  if (!current) return;
  const keep = new Set([current.objects.metrics.key, current.objects.functions.key]);
  for (const folder of [metricsFolder(a, r, d), functionsFolder(a, r, d)]) {
    for (const name of await store.list(folder)) {
      if (!name.endsWith('.parquet')) continue;
      const key = `${folder}/${name}`;
      if (!keep.has(key)) await store.delete(key);
    }
  }
}
