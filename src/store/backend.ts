import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { UserInputError } from '../errors.js';
import { StoreError } from './errors.js';

/**
 * Where the store's objects live. Keys are `/`-separated paths under the store's root. Every
 * write replaces a whole object at once (local: temporary file then rename; S3: one PutObject),
 * so a reader sees the old object or the new one, never a mix.
 */
export interface StoreBackend {
  /** Human-readable location of a key, for messages (`s3://b/p/key`, `/dir/key`). */
  where(key: string): string;
  /** The object for ranged reads, or null when absent. */
  open(key: string): Promise<AsyncBuffer | null>;
  /** Whole object, or null when absent. */
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Keys directly under a folder key (one level, names only). */
  list(folder: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Throws StoreError when the root cannot be written (checked before any CloudWatch read). */
  checkWritable(): Promise<void>;
}

export function localBackend(root: string): StoreBackend {
  const base = resolve(root);
  const path = (key: string) => join(base, ...key.split('/'));
  return {
    where: path,
    async open(key) {
      let size: number;
      try {
        size = (await stat(path(key))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new StoreError(path(key), (error as Error).message, { cause: error });
      }
      // A positional read per slice (open, read, close): no descriptor outlives the call.
      return {
        byteLength: size,
        async slice(start, end) {
          const stop = end ?? size;
          const out = Buffer.alloc(Math.max(0, stop - start));
          const handle = await open(path(key), 'r');
          try {
            await handle.read(out, 0, out.length, start);
          } finally {
            await handle.close();
          }
          return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
        },
      };
    },
    async get(key) {
      const buffer = await this.open(key);
      if (!buffer) return null;
      return new Uint8Array(await buffer.slice(0, buffer.byteLength));
    },
    async put(key, bytes) {
      const target = path(key);
      const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(tmp, bytes);
        await rename(tmp, target);
      } catch (error) {
        await rm(tmp, { force: true });
        throw new StoreError(target, `cannot write: ${(error as Error).message}`, { cause: error });
      }
    },
    async list(folder) {
      try {
        return (await readdir(path(folder))).filter((n) => !n.includes('.tmp-'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async delete(key) {
      await rm(path(key), { force: true });
    },
    async checkWritable() {
      try {
        await mkdir(base, { recursive: true });
        await access(base, constants.W_OK);
        const probe = join(base, `.probe-${process.pid}`);
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        throw new StoreError(base, `store directory is not writable: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

export function s3Backend(client: S3Client, bucket: string, prefix: string): StoreBackend {
  const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  const full = (key: string) => `${p}${key}`;
  const isMissing = (error: unknown) => {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
  };
  return {
    where: (key) => `s3://${bucket}/${full(key)}`,
    async open(key) {
      let size: number;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: full(key) }));
        size = head.ContentLength ?? 0;
      } catch (error) {
        if (isMissing(error)) return null;
        throw new StoreError(`s3://${bucket}/${full(key)}`, (error as Error).message, { cause: error });
      }
      return {
        byteLength: size,
        async slice(start, end) {
          const stop = end ?? size;
          if (stop <= start) return new ArrayBuffer(0);
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full(key), Range: `bytes=${start}-${stop - 1}` }));
          const bytes = await out.Body!.transformToByteArray();
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        },
      };
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full(key) }));
        return await out.Body!.transformToByteArray();
      } catch (error) {
        if (isMissing(error)) return null;
        throw new StoreError(`s3://${bucket}/${full(key)}`, (error as Error).message, { cause: error });
      }
    },
    async put(key, bytes, contentType) {
      try {
        // One PutObject per object: no multipart upload state is ever left behind.
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: full(key), Body: bytes, ContentType: contentType }));
      } catch (error) {
        throw new StoreError(`s3://${bucket}/${full(key)}`, `cannot write: ${(error as Error).message}`, { cause: error });
      }
    },
    async list(folder) {
      const names: string[] = [];
      const folderKey = `${full(folder)}/`;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: folderKey, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const o of page.Contents ?? []) if (o.Key) names.push(o.Key.slice(folderKey.length));
        token = page.NextContinuationToken || undefined;
      } while (token);
      return names;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: full(key) }));
    },
    async checkWritable() {
      // A PutObject of a tiny marker: the only way to know before reading CloudWatch for minutes.
      await this.put('_writable', new Uint8Array(0), 'application/octet-stream');
    },
  };
}

export type StoreLocation = { kind: 'dir'; path: string } | { kind: 's3'; bucket: string; prefix: string };

/** `--store <dir|s3://bucket/prefix>` (and env LMI_STORE). */
export function parseStoreLocation(value: string, flag = '--store'): StoreLocation {
  const trimmed = value.trim();
  if (trimmed === '') throw new UserInputError(`${flag}: empty store location`);
  if (trimmed.startsWith('s3://')) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(trimmed);
    if (!m) throw new UserInputError(`${flag}: "${value}" is not s3://bucket/prefix`);
    return { kind: 's3', bucket: m[1]!, prefix: m[2] ?? '' };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) throw new UserInputError(`${flag}: "${value}": only a directory or s3://bucket/prefix`);
  return { kind: 'dir', path: trimmed };
}
