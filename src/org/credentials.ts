import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { LmiAdvisorError } from '../errors.js';
import { describeError } from '../source/aws/aws-errors.js';
import {
  type AwsClientFactory,
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  clientFactoryFrom,
} from '../source/aws/clients.js';
import { SESSION_NAME } from './plan.js';

/**
 * Clients that read one member account: its role assumed with STS through the SDK's own
 * provider (fromTemporaryCredentials assumes again before the credentials expire, so a long
 * shard never runs on stale keys); the job's own account with the job's own credentials.
 */

export type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '../source/aws/clients.js';

/** Where the job's clients point and what they sign with; empty in production (default chain). */
export interface BaseClientConfig {
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
  profile?: string;
}

/** A role that could not be assumed, or an account that is not the one the role belongs to. */
export class AccountAccessError extends LmiAdvisorError {
  override name = 'AccountAccessError';
  constructor(
    readonly accountId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`account ${accountId}: ${message}`, options);
  }
}

export interface MemberAccess {
  accountId: string;
  /** null: the current credentials. */
  roleArn: string | null;
  externalId?: string;
}

export function memberCredentials(access: MemberAccess, base: BaseClientConfig, region: string): AwsCredentialIdentityProvider | undefined {
  if (access.roleArn === null) {
    if (base.credentials === undefined) return undefined;
    const c = base.credentials;
    return typeof c === 'function' ? c : async () => c;
  }
  return fromTemporaryCredentials({
    params: {
      RoleArn: access.roleArn,
      RoleSessionName: SESSION_NAME,
      // Role chaining (a Lambda role assuming a member role) caps sessions at 1 hour.
      DurationSeconds: 3600,
      ...(access.externalId ? { ExternalId: access.externalId } : {}),
    },
    ...(base.credentials ? { masterCredentials: base.credentials } : {}),
    clientConfig: { region, ...(base.endpoint ? { endpoint: base.endpoint } : {}), ...(base.profile ? { profile: base.profile } : {}) },
  });
}

/**
 * Resolves the credentials once up front, so a role that cannot be assumed is one clear line
 * naming the account and role instead of every API failing with AccessDenied.
 */
export async function checkAccess(access: MemberAccess, credentials: AwsCredentialIdentityProvider | undefined): Promise<void> {
  if (!credentials || access.roleArn === null) return;
  try {
    await credentials();
  } catch (cause) {
    throw new AccountAccessError(access.accountId, `cannot assume ${access.roleArn}: ${describeError(cause)}`, { cause });
  }
}

/** The collector's clients for one account (every region it is asked for), built once each. */
export function memberClientFactory(credentials: AwsCredentialIdentityProvider | undefined, base: BaseClientConfig): AwsClientFactory {
  const settings = (region: string) => ({
    region,
    retryMode: 'adaptive' as const,
    maxAttempts: base.maxAttempts ?? 8,
    ...(base.endpoint ? { endpoint: base.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(base.profile && !credentials ? { profile: base.profile } : {}),
  });
  return clientFactoryFrom(settings);
}
