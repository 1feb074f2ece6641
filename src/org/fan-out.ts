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
  results: ShardResult[];
  failures: ShardFailure[];
}

export async function fanOut(opts: FanOutOptions): Promise<FanOutResult> {
  const limit = pLimit(Math.max(1, opts.concurrency));
  const shard = opts.shard ?? runShard;
  const say = opts.onProgress ?? (() => {});
  const total = opts.plan.items.length;
  let done = 0;
  const results: ShardResult[] = [];
  const failures: ShardFailure[] = [];
  await Promise.all(
    opts.plan.items.map((item) =>
      limit(async () => {
        const name = `${item.accountId}/${item.region}`;
        const started = Date.now();
        try {
          const result = await shard(item, opts.ctx);
          await opts.onResult?.(result);
          results.push(result);
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
  return { results, failures };
}
