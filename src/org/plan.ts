import { UserInputError } from '../errors.js';
import type { AccountRef, OrgPlan, PlanProblem, ShardItem } from './types.js';

/**
 * The pure half of planning: which accounts, which regions, which role. The Organizations and
 * STS calls are in org-accounts.ts; this file only decides.
 */

export const DEFAULT_ROLE_NAME = 'lmi-advisor-reader';
/** Session name seen in the member accounts' CloudTrail: it names the tool. */
export const SESSION_NAME = 'lmi-advisor';

const ACCOUNT_ID = /^\d{12}$/;

/** `111122223333,444455556666` -> ids, each checked (12 digits), duplicates dropped. */
export function parseAccountIds(value: string, flag: string): string[] {
  const ids = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (ids.length === 0) throw new UserInputError(`${flag}: no account id given`);
  for (const id of ids) {
    if (!ACCOUNT_ID.test(id)) throw new UserInputError(`${flag}: "${id}" is not a 12-digit AWS account id`);
  }
  return ids;
}

/** IAM role names: 1-64 of [\w+=,.@-] (IAM CreateRole). */
export function parseRoleName(value: string): string {
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) throw new UserInputError(`--role-name: "${value}" is not a valid IAM role name`);
  return value;
}

/** AssumeRole ExternalId: 2-1224 of [\w+=,.@:/-] (STS AssumeRole). */
export function parseExternalId(value: string): string {
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(value)) throw new UserInputError('--external-id: 2 to 1224 characters of letters, digits and +=,.@:/-');
  return value;
}

export function memberRoleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** An account as Organizations lists it: `State` replaced the older `Status`; read both. */
export interface ListedAccount {
  Id?: string;
  Name?: string;
  State?: string;
  Status?: string;
}

/** ACTIVE accounts in, the rest named as skipped; `exclude` drops accounts on purpose. */
export function selectActiveAccounts(
  listed: readonly ListedAccount[],
  exclude: readonly string[] = [],
): { accounts: AccountRef[]; skipped: { accountId: string; name: string | null; state: string }[] } {
  const accounts: AccountRef[] = [];
  const skipped: { accountId: string; name: string | null; state: string }[] = [];
  const seen = new Set<string>();
  for (const a of listed) {
    if (!a.Id || seen.has(a.Id) || exclude.includes(a.Id)) continue;
    seen.add(a.Id);
    const state = (a.State ?? a.Status ?? 'UNKNOWN').toUpperCase();
    if (state === 'ACTIVE') accounts.push({ accountId: a.Id, name: a.Name ?? null });
    else skipped.push({ accountId: a.Id, name: a.Name ?? null, state });
  }
  accounts.sort((x, y) => (x.accountId < y.accountId ? -1 : 1));
  return { accounts, skipped };
}

export interface PlanInput {
  runId: string;
  accounts: AccountRef[];
  regions: string[];
  /** The account the job's own credentials belong to: read without assuming a role. */
  currentAccountId: string | null;
  roleName: string;
  partition?: string;
  skipped?: OrgPlan['skipped'];
  problems?: PlanProblem[];
}

/** Accounts x regions, in a stable order (account, then region). */
export function planShards(input: PlanInput): OrgPlan {
  const items: ShardItem[] = [];
  for (const account of input.accounts) {
    for (const region of input.regions) {
      items.push({
        accountId: account.accountId,
        region,
        roleArn: account.accountId === input.currentAccountId ? null : memberRoleArn(account.accountId, input.roleName, input.partition),
      });
    }
  }
  return {
    schema: 'lmi-advisor.org-plan/v1',
    runId: input.runId,
    accounts: input.accounts,
    regions: input.regions,
    items,
    skipped: input.skipped ?? [],
    problems: input.problems ?? [],
  };
}

/** File/key name of a shard's result. */
export function shardKey(item: { accountId: string; region: string }): string {
  return `${item.accountId}-${item.region}.json`;
}
