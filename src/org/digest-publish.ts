import { join } from 'node:path';
import { dirDeliveryStore, s3DeliveryStore, type DeliveryStore, type DigestChannel } from '../publish/delivery-state.js';
import { sendEmailDigest, type EmailTarget } from '../publish/email.js';
import { normalizePrefix, type S3Target } from '../publish/s3.js';
import { postSlackMessage, type SlackPostOptions } from '../publish/slack.js';
import { diffOrgReports, parsePreviousOrgReport, type PreviousOrgReport } from './changes.js';
import { renderOrgEmailDigest, renderOrgSlackDigest } from './digest.js';
import type { OrgReportModel } from './types.js';

/**
 * The org digests (Slack, email), sent by the laptop's `run` and by the merge Lambda alike, with
 * a delivery state per channel as for the single-account digests (src/publish/delivery-state.ts):
 * each digest shows the change since the org report THAT channel last received, so a change
 * shown only in a failed post comes back in the next one. After a successful post of a complete
 * run the channel's state becomes this run; a failed post leaves it (and, for a channel without
 * state, records the report it was compared with). The org state lives apart from the
 * single-account state (its report shape differs):
 *   S3:  <prefix>org/state/delivered-<channel>.json
 *   dir: <out>/org-state/.lmi-advisor-state/delivered-<channel>.json
 */

const ORG_STATE_SCHEMA = 'lmi-advisor.org-delivery/v1';

export function orgDeliveryStoreS3(target: S3Target): DeliveryStore {
  return s3DeliveryStore({ ...target, prefix: `${normalizePrefix(target.prefix)}org/` });
}

export function orgDeliveryStoreDir(outDir: string): DeliveryStore {
  return dirDeliveryStore(join(outDir, 'org-state'));
}

/** What a channel received: the fields the org diff reads (savings per account, date). */
export function orgBaseline(org: Pick<OrgReportModel, 'schema' | 'run' | 'accounts'> | PreviousOrgReport): PreviousOrgReport {
  return {
    schema: 'lmi-advisor.org-report/v1',
    run: { generatedAt: org.run.generatedAt },
    accounts: org.accounts.map((a) => ({ accountId: a.accountId, totals: a.totals ? { savingsUsd: a.totals.savingsUsd } : null })),
  };
}

function stateText(channel: DigestChannel, report: PreviousOrgReport): string {
  return `${JSON.stringify({ schema: ORG_STATE_SCHEMA, channel, report })}\n`;
}

function parseState(text: string, channel: DigestChannel, where: string): { report: PreviousOrgReport } | { problem: string } {
  let raw: { schema?: unknown; channel?: unknown; report?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (cause) {
    return { problem: `${where}: not JSON (${(cause as Error).message})` };
  }
  if (raw?.schema !== ORG_STATE_SCHEMA || raw.channel !== channel) return { problem: `${where}: not an org delivery state for ${channel}` };
  const parsed = parsePreviousOrgReport(JSON.stringify(raw.report), where);
  return 'problem' in parsed ? { problem: parsed.problem } : parsed;
}

export interface OrgDigestTargets {
  slack?: { webhookUrl: () => Promise<string> } & SlackPostOptions;
  email?: EmailTarget;
  /** Link to the org page (dated set), or null. */
  reportUrl: string | null;
  /** Delivery state per channel; null: every digest shows the change since the last report. */
  state: DeliveryStore | null;
  /** The previous latest org report (what `org.changes` was computed from), if any. */
  previous: PreviousOrgReport | null;
}

export interface OrgDigestResult {
  channel: DigestChannel;
  ok: boolean;
  detail: string[];
  error?: string;
}

export async function sendOrgDigests(org: OrgReportModel, targets: OrgDigestTargets): Promise<OrgDigestResult[]> {
  const results: OrgDigestResult[] = [];
  const channels: DigestChannel[] = [...(targets.slack ? (['slack'] as const) : []), ...(targets.email ? (['email'] as const) : [])];
  for (const channel of channels) {
    const detail: string[] = [];
    // The change since what this channel last received (else since the last report).
    let view = org;
    let hadState = false;
    if (targets.state) {
      try {
        const text = await targets.state.read(channel);
        if (text !== null) {
          const state = parseState(text, channel, targets.state.where(channel));
          if ('problem' in state) detail.push(`${state.problem}; change since the last report shown instead`);
          else {
            hadState = true;
            view = { ...org, changes: diffOrgReports(state.report, org) };
          }
        }
      } catch (error) {
        detail.push(`${(error as Error).message}; change since the last report shown instead`);
      }
    }
    let ok = true;
    let failure: string | undefined;
    try {
      if (channel === 'slack') {
        const { webhookUrl, ...post } = targets.slack!;
        await postSlackMessage(await webhookUrl(), renderOrgSlackDigest(view, { reportUrl: targets.reportUrl }), post);
      } else {
        await sendEmailDigest(targets.email!, renderOrgEmailDigest(view, { reportUrl: targets.reportUrl }));
        detail.push(`to ${targets.email!.to.length} recipient(s)`);
      }
    } catch (error) {
      ok = false;
      failure = (error as Error).message;
    }
    const baseline = ok ? (org.run.complete ? orgBaseline(org) : null) : !hadState ? targets.previous : null;
    if (targets.state && baseline) {
      try {
        await targets.state.write(channel, stateText(channel, baseline));
      } catch (error) {
        detail.push(`delivery state not saved (${(error as Error).message})`);
      }
    }
    results.push({ channel, ok, detail, ...(failure !== undefined ? { error: failure } : {}) });
  }
  return results;
}
