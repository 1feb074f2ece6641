import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PricingClient } from '@aws-sdk/client-pricing';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { STSClient } from '@aws-sdk/client-sts';

/** The clients one region needs. */
export interface RegionClients {
  lambda: LambdaClient;
  cloudWatch: CloudWatchClient;
  tagging: ResourceGroupsTaggingAPIClient;
}

/**
 * Where clients come from: created once per region (and one Pricing client) and injected, so
 * tests hand in clients pointed at moto or mocked with aws-sdk-client-mock.
 */
export interface AwsClientFactory {
  forRegion(region: string): RegionClients;
  /** Price List API client; its endpoint region is unrelated to the regions priced. */
  pricing(): PricingClient;
  /** Used only when no function ARN tells the account id. */
  sts(): STSClient;
}

export interface DefaultClientOptions {
  /** Named profile (shared config/credentials files); default chain when absent. */
  profile?: string;
  /** Attempts per call, retries included (adaptive mode also rate-limits client side). */
  maxAttempts?: number;
}

/** Static keys, as the SDK takes them (no new dependency for the type). */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** What every client of a region is built with (a subset of the SDK clients' own config). */
export interface ClientSettings {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryMode?: 'adaptive' | 'standard' | 'legacy';
  maxAttempts?: number;
  profile?: string;
}

/**
 * A factory that builds each region's clients once, from `settingsFor(region)`; the Price List
 * and STS clients use us-east-1 (the Price List API answers there, whatever region is priced).
 */
export function clientFactoryFrom(settingsFor: (region: string) => ClientSettings): AwsClientFactory {
  const regions = new Map<string, RegionClients>();
  let pricing: PricingClient | undefined;
  let sts: STSClient | undefined;
  return {
    forRegion(region) {
      let clients = regions.get(region);
      if (!clients) {
        const settings = settingsFor(region);
        clients = {
          lambda: new LambdaClient(settings),
          cloudWatch: new CloudWatchClient(settings),
          tagging: new ResourceGroupsTaggingAPIClient(settings),
        };
        regions.set(region, clients);
      }
      return clients;
    },
    pricing() {
      pricing ??= new PricingClient(settingsFor('us-east-1'));
      return pricing;
    },
    sts() {
      sts ??= new STSClient(settingsFor('us-east-1'));
      return sts;
    },
  };
}

/**
 * Real SDK clients: credentials from the default provider chain (or `profile`), endpoints from
 * the SDK's own configuration (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH, ...), adaptive
 * retries. Each client is created once and cached.
 */
export function createDefaultClientFactory(options: DefaultClientOptions = {}): AwsClientFactory {
  return clientFactoryFrom((region) => ({
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
    ...(options.profile ? { profile: options.profile } : {}),
  }));
}

/** Fills what `partial` lacks with real clients. */
export function completeClientFactory(
  partial: Partial<AwsClientFactory> | undefined,
  options: DefaultClientOptions,
): AwsClientFactory {
  const defaults = createDefaultClientFactory(options);
  return {
    forRegion: partial?.forRegion ?? defaults.forRegion,
    pricing: partial?.pricing ?? defaults.pricing,
    sts: partial?.sts ?? defaults.sts,
  };
}
