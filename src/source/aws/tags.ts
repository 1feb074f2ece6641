import {
  GetResourcesCommand,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import type { RateLimiter } from './rate-limit.js';

/**
 * Tags of every Lambda function of a region in bulk through the Resource Groups Tagging API
 * (GetResources, up to 100 resources a page), instead of one ListTags call per function on
 * Lambda's 15/s control plane. Keyed by the unqualified function ARN.
 */
export async function fetchFunctionTags(
  tagging: ResourceGroupsTaggingAPIClient,
  limit: RateLimiter,
): Promise<Map<string, Record<string, string>>> {
  const tagsByArn = new Map<string, Record<string, string>>();
  let token: string | undefined;
  do {
    const page = await limit(() =>
      tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: ['lambda:function'],
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      ),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (!mapping.ResourceARN) continue;
      const tags: Record<string, string> = {};
      for (const tag of mapping.Tags ?? []) {
        if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      }
      tagsByArn.set(unqualifiedArn(mapping.ResourceARN), tags);
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return tagsByArn;
}

/** arn:aws:lambda:r:acct:function:name[:qualifier] -> without the qualifier. */
export function unqualifiedArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}
