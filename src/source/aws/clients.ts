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

/**
 * Real SDK clients: credentials from the default provider chain (or `profile`), endpoints from
 * the SDK's own configuration (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH, ...), adaptive
 * retries. Each client is created once and cached.
 */
export function createDefaultClientFactory(options: DefaultClientOptions = {}): AwsClientFactory {
  const common = {
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? 8,
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const regions = new Map<string, RegionClients>();
  let pricing: PricingClient | undefined;
  let sts: STSClient | undefined;
  return {
    forRegion(region) {
      let clients = regions.get(region);
      if (!clients) {
        clients = {
          lambda: new LambdaClient({ ...common, region }),
          cloudWatch: new CloudWatchClient({ ...common, region }),
          tagging: new ResourceGroupsTaggingAPIClient({ ...common, region }),
        };
        regions.set(region, clients);
      }
      return clients;
    },
    pricing() {
      // The Price List API answers in us-east-1 (also eu-central-1, ap-south-1).
      pricing ??= new PricingClient({ ...common, region: 'us-east-1' });
      return pricing;
    },
    sts() {
      sts ??= new STSClient({ ...common, region: 'us-east-1' });
      return sts;
    },
  };
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
