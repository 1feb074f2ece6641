import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { LmiAdvisorError } from '../errors.js';
import { shardKey } from './plan.js';
import type { OrgPlan, ShardFailure, ShardResult } from './types.js';

/**
 * Where a run's plan and shard results live between the steps: a local dir (laptop) or an S3
 * prefix (Step Functions; state payloads are capped at 256 KB, so only keys travel between
 * states). Read back through zod: a result written by another version fails with its key named.
 */

export class ShardStoreError extends LmiAdvisorError {
  override name = 'ShardStoreError';
}

const bucketSchema = z.object({ requests: z.number(), requestUsd: z.number(), gbSeconds: z.number(), firstTierUsdPerGbSecond: z.number() });
const shardSchema = z.looseObject({
  schema: z.literal('lmi-advisor.shard/v1'),
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string(),
  report: z.looseObject({
    schema: z.literal('lmi-advisor.report/v1'),
    accountId: z.string(),
    run: z.looseObject({ complete: z.boolean() }),
    totals: z.looseObject({ standardUsd: z.number(), freeTierCreditUsd: z.number(), recommendedUsd: z.number(), savingsUsd: z.number() }),
    functions: z.array(z.looseObject({ region: z.string(), name: z.string() })),
    capacityProviders: z.array(z.unknown()),
    warnings: z.array(z.unknown()),
  }),
  freeTier: z.object({ all: z.array(bucketSchema), staying: z.array(bucketSchema) }),
});
const itemSchema = z.object({ accountId: z.string().regex(/^\d{12}$/), region: z.string(), roleArn: z.string().nullable() });
const planSchema = z.looseObject({
  schema: z.literal('lmi-advisor.org-plan/v1'),
  runId: z.string(),
  accounts: z.array(z.object({ accountId: z.string(), name: z.string().nullable() })),
  regions: z.array(z.string()),
  items: z.array(itemSchema),
  skipped: z.array(z.object({ accountId: z.string(), name: z.string().nullable(), state: z.string() })),
  problems: z.array(z.object({ accountId: z.string().nullable(), ou: z.string().optional(), message: z.string() })),
});

function parse<T>(schema: z.ZodType, text: string, where: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ShardStoreError(`${where}: not JSON (${(cause as Error).message})`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShardStoreError(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return raw as T;
}

export const parseShardResult = (text: string, where: string): ShardResult => parse<ShardResult>(shardSchema, text, where);
export const parsePlan = (text: string, where: string): OrgPlan => parse<OrgPlan>(planSchema, text, where);
export { itemSchema as shardItemSchema };

export interface ShardStore {
  /** Human-readable location, for messages. */
  where: string;
  putPlan(plan: OrgPlan): Promise<string>;
  getPlan(): Promise<OrgPlan>;
  putItems(plan: OrgPlan): Promise<string>;
  putResult(result: ShardResult): Promise<string>;
  /** Every result present (a failed shard has none). */
  listResults(): Promise<ShardResult[]>;
  /**
   * The results one account at a time, accounts in ascending id order: only one account's
   * shards are read and held at once (the merge's memory stays flat with the org's size).
   */
  resultsByAccount(): AsyncIterable<[string, ShardResult[]]>;
  /** Why a shard failed, when it could say so before failing (a role it could not assume). */
  putFailure(failure: ShardFailure): Promise<string>;
  listFailures(): Promise<ShardFailure[]>;
}

/** Result names (<account>-<region>.json) grouped by account, accounts ascending. */
function groupByAccount(names: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const name of [...names].sort()) {
    const accountId = name.slice(0, 12);
    groups.set(accountId, [...(groups.get(accountId) ?? []), name]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const failureSchema = z.object({ accountId: z.string(), region: z.string(), message: z.string() });

/** <dir>/plan.json, <dir>/items.json, <dir>/shards/<account>-<region>.json. */
export function dirShardStore(dir: string): ShardStore {
  const write = async (path: string, text: string) => {
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  };
  return {
    where: dir,
    async putPlan(plan) {
      await mkdir(join(dir, 'shards'), { recursive: true });
      const path = join(dir, 'plan.json');
      await write(path, JSON.stringify(plan));
      return path;
    },
    async getPlan() {
      const path = join(dir, 'plan.json');
      return parsePlan(await readFile(path, 'utf8'), path);
    },
    async putItems(plan) {
      const path = join(dir, 'items.json');
      await write(path, JSON.stringify(plan.items));
      return path;
    },
    async putResult(result) {
      await mkdir(join(dir, 'shards'), { recursive: true });
      const path = join(dir, 'shards', shardKey(result));
      await write(path, JSON.stringify(result));
      return path;
    },
    async listResults() {
      const names = (await readdir(join(dir, 'shards')).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
      const out: ShardResult[] = [];
      for (const name of names) {
        const path = join(dir, 'shards', name);
        out.push(parseShardResult(await readFile(path, 'utf8'), path));
      }
      return out;
    },
    async *resultsByAccount() {
      const names = (await readdir(join(dir, 'shards')).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
      for (const [accountId, group] of groupByAccount(names)) {
        const out: ShardResult[] = [];
        for (const name of group) {
          const path = join(dir, 'shards', name);
          out.push(parseShardResult(await readFile(path, 'utf8'), path));
        }
        yield [accountId, out] as [string, ShardResult[]];
      }
    },
    async putFailure(failure) {
      await mkdir(join(dir, 'failures'), { recursive: true });
      const path = join(dir, 'failures', shardKey(failure));
      await write(path, JSON.stringify(failure));
      return path;
    },
    async listFailures() {
      const names = (await readdir(join(dir, 'failures')).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
      const out: ShardFailure[] = [];
      for (const name of names) {
        const path = join(dir, 'failures', name);
        out.push(parse<ShardFailure>(failureSchema, await readFile(path, 'utf8'), path));
      }
      return out;
    },
  };
}

/** s3://<bucket>/<prefix><runId>/plan.json, items.json, shards/<account>-<region>.json. */
export function s3ShardStore(client: S3Client, bucket: string, runPrefix: string): ShardStore {
  const prefix = runPrefix.endsWith('/') ? runPrefix : `${runPrefix}/`;
  const put = async (key: string, body: string) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    return key;
  };
  const get = async (key: string) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf-8')) ?? '';
  };
  const list = async (under: string) => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: under, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.json')) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
  };
  return {
    where: `s3://${bucket}/${prefix}`,
    putPlan: (plan) => put(`${prefix}plan.json`, JSON.stringify(plan)),
    getPlan: async () => parsePlan(await get(`${prefix}plan.json`), `s3://${bucket}/${prefix}plan.json`),
    putItems: (plan) => put(`${prefix}items.json`, JSON.stringify(plan.items)),
    putResult: (result) => put(`${prefix}shards/${shardKey(result)}`, JSON.stringify(result)),
    async listResults() {
      const keys = await list(`${prefix}shards/`);
      const out: ShardResult[] = [];
      for (const key of keys) out.push(parseShardResult(await get(key), `s3://${bucket}/${key}`));
      return out;
    },
    async *resultsByAccount() {
      const keys = await list(`${prefix}shards/`);
      const base = (key: string) => key.slice(`${prefix}shards/`.length);
      for (const [accountId, group] of groupByAccount(keys.map(base))) {
        const out: ShardResult[] = [];
        for (const name of group) out.push(parseShardResult(await get(`${prefix}shards/${name}`), `s3://${bucket}/${prefix}shards/${name}`));
        yield [accountId, out] as [string, ShardResult[]];
      }
    },
    putFailure: (failure) => put(`${prefix}failures/${shardKey(failure)}`, JSON.stringify(failure)),
    async listFailures() {
      const keys = await list(`${prefix}failures/`);
      const out: ShardFailure[] = [];
      for (const key of keys) out.push(parse<ShardFailure>(failureSchema, await get(key), `s3://${bucket}/${key}`));
      return out;
    },
  };
}
