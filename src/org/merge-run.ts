import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportFile } from '../publish/dir.js';
import type { RunInfo } from '../report/types.js';
import { OrgMerger } from './merge.js';
import { accountFiles } from './render.js';
import type { ShardStore } from './shard-store.js';
import type { OrgPlan, OrgReportModel, ShardFailure } from './types.js';

/**
 * The merge over a shard store with flat memory: one account's shards are read, merged and its
 * files rendered and written to a spool directory before the next account is read. What comes
 * back holds the org model and, per account file, only its name and spool path: the file's text
 * is read from the spool when a publisher takes `content` (one file at a time), so neither the
 * minute data (never in a shard result) nor the rendered files of the whole organization are
 * in memory at once. The org's own files are rendered by the caller, after the change since the
 * previous report is attached.
 */

/** A report file whose text stays on disk until a publisher reads `content`. */
export function spooledFile(path: string, name: string): ReportFile {
  return {
    name,
    get content() {
      return readFileSync(path, 'utf8');
    },
  };
}

export interface SpooledMergeOptions {
  store: ShardStore;
  plan: OrgPlan;
  failures: readonly ShardFailure[];
  run: Omit<RunInfo, 'complete'>;
  formats: readonly string[];
  /** Where the per-account files are written as they are rendered (created if absent). */
  spoolDir: string;
  /** After each account (progress, the bench's memory samples). */
  onAccount?: (accountId: string) => void;
}

export async function mergeToSpool(opts: SpooledMergeOptions): Promise<{ org: OrgReportModel; accountFiles: ReportFile[] }> {
  await mkdir(opts.spoolDir, { recursive: true });
  const merger = new OrgMerger({ plan: opts.plan, failures: opts.failures, run: opts.run });
  const files: ReportFile[] = [];
  for await (const [accountId, shards] of opts.store.resultsByAccount()) {
    const report = merger.addAccount(accountId, shards);
    if (report) {
      for (const file of accountFiles(report, opts.formats)) {
        const path = join(opts.spoolDir, file.name);
        await writeFile(path, file.content, 'utf8');
        files.push(spooledFile(path, file.name));
      }
    }
    opts.onAccount?.(accountId);
  }
  return { org: merger.finish(), accountFiles: files };
}
