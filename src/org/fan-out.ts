import pLimit from 'p-limit';
import { describeError } from '../source/aws/aws-errors.js';
import { runShard, type ShardContext } from './shard.js';
import type { OrgPlan, ShardFailure, ShardItem, ShardResult } from './types.js';

/**
 * The laptop's Distributed Map: every shard of the plan, `concurrency` at a time, in this
 * process. A shard that throws is a named failure; the others carry on.
 */

export interface FanOutOptions {
  plan: OrgPlan;
  ctx: ShardContext;
  concurrency: number;
  /** One line per shard start and end (stderr on the CLI). */
  onProgress?: (line: string) => void;
  /** Where each result goes as soon as it is ready (a dir or S3); the merge can re-read them. */
  onResult?: (result: ShardResult) => Promise<void>;
  /** runShard by default; tests and the bench inject their own. */
  shard?: (item: ShardItem, ctx: ShardContext) => Promise<ShardResult>;
}

export interface FanOutResult {
  /** The results, only when no `onResult` takes them: kept, they would hold every shard's report in memory. */
  results: ShardResult[];
  /** Shards that finished, and the functions they analysed (with or without `onResult`). */
  shardsDone: number;
  functions: number;
  failures: ShardFailure[];
}

export async function fanOut(opts: FanOutOptions): Promise<FanOutResult> {
  const limit = pLimit(Math.max(1, opts.concurrency));
  const shard = opts.shard ?? runShard;
  const say = opts.onProgress ?? (() => {});
  const total = opts.plan.items.length;
  let done = 0;
  const results: ShardResult[] = [];
  let shardsDone = 0;
  let functions = 0;
  const failures: ShardFailure[] = [];
  await Promise.all(
    opts.plan.items.map((item) =>
      limit(async () => {
        const name = `${item.accountId}/${item.region}`;
        const started = Date.now();
        try {
          const result = await shard(item, opts.ctx);
          if (opts.onResult) await opts.onResult(result);
          else results.push(result);
          shardsDone++;
          functions += result.report.functions.length;
          done++;
          const store = result.store ? `; store: ${result.store.daysKept} days kept, read ${[...result.store.daysRead, ...result.store.daysAdded].join(', ') || 'none'}` : '';
          say(`[${done}/${total}] ${name}: ${result.report.functions.length} functions${result.report.run.complete ? '' : ' (incomplete)'} in ${((Date.now() - started) / 1000).toFixed(1)} s${store}`);
        } catch (error) {
          const message = error instanceof Error && /^account \d{12}: /.test(error.message) ? error.message.replace(/^account \d{12}: /, '') : describeError(error);
          failures.push({ accountId: item.accountId, region: item.region, message });
          done++;
          say(`[${done}/${total}] ${name}: FAILED ${message}`);
        }
      }),
    ),
  );
  return { results, shardsDone, functions, failures };
}
