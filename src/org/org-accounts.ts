import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { LmiAdvisorError, UserInputError } from '../errors.js';
import { describeError } from '../source/aws/aws-errors.js';
import { type ListedAccount, selectActiveAccounts } from './plan.js';
import type { AccountRef, OrgPlan, PlanProblem } from './types.js';

/** The organization cannot be listed from this account (not the management or a delegated admin): exit 2. */
export class OrganizationError extends UserInputError {
  override name = 'OrganizationError';
}

const errorName = (e: unknown) => (e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : '');

/**
 * The organization's ACTIVE accounts (ListAccounts, or ListAccountsForParent per `--ou`), the
 * others named as skipped. An OU that is not there is a problem named in the report; the other
 * OUs are still listed. Listing the organization at all needs the management account or a
 * delegated administrator: otherwise OrganizationError, one line.
 */
export async function listOrganizationAccounts(
  client: OrganizationsClient,
  opts: { ous?: string[]; exclude?: string[]; callerAccountId?: string } = {},
): Promise<{ accounts: AccountRef[]; skipped: OrgPlan['skipped']; problems: PlanProblem[] }> {
  const listed: ListedAccount[] = [];
  const problems: PlanProblem[] = [];
  const page = async (send: (token: string | undefined) => Promise<{ Accounts?: ListedAccount[]; NextToken?: string }>) => {
    let token: string | undefined;
    do {
      const out = await send(token);
      listed.push(...(out.Accounts ?? []));
      token = out.NextToken;
    } while (token);
  };
  try {
    if (!opts.ous || opts.ous.length === 0) {
      await page((NextToken) => client.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) })));
    } else {
      for (const ou of opts.ous) {
        try {
          await page((NextToken) => client.send(new ListAccountsForParentCommand({ ParentId: ou, ...(NextToken ? { NextToken } : {}) })));
        } catch (error) {
          if (!/ParentNotFound|TargetNotFound|InvalidInput/.test(errorName(error))) throw error;
          problems.push({ accountId: null, ou, message: `--ou ${ou}: no such organizational unit or root in this organization (${describeError(error)})` });
        }
      }
    }
  } catch (error) {
    const name = errorName(error);
    if (/AccessDenied|AWSOrganizationsNotInUse/.test(name)) {
      throw new OrganizationError(
        `--org: account ${opts.callerAccountId ?? '(current)'} cannot list the organization's accounts (${describeError(error)}); run from the management account or a delegated administrator, or give --accounts`,
        { cause: error },
      );
    }
    throw new LmiAdvisorError(`--org: listing the organization's accounts failed: ${describeError(error)}`, { cause: error });
  }
  // An organization always lists its management account: nothing at all means these
  // credentials see no organization (not a member, or not allowed to list it).
  if (listed.length === 0 && problems.length === 0) {
    throw new OrganizationError(
      `--org: account ${opts.callerAccountId ?? '(current)'} sees no accounts in its organization; run from the management account or a delegated administrator, or give --accounts`,
    );
  }
  return { ...selectActiveAccounts(listed, opts.exclude), problems };
}

/** The account the job's own credentials belong to (read with them, no role assumed). */
export async function currentAccountId(sts: STSClient): Promise<string> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (out.Account) return out.Account;
  } catch (cause) {
    throw new LmiAdvisorError(`sts:GetCallerIdentity: ${describeError(cause)}`, { cause });
  }
  throw new LmiAdvisorError('sts:GetCallerIdentity: no account id returned');
}
