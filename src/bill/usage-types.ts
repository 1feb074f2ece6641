/**
 * Lambda usage types as Cost Explorer reports them (dimension USAGE_TYPE) -> what they bill.
 * A usage type is `[<region prefix>-]<suffix>`: the suffix names the line of the bill, the prefix
 * the region (none for us-east-1). Both come from the Price List: every AWSLambda item carries
 * its `usagetype` and `regionCode`, so `usageTypeTableFromPriceList` learns the prefixes from
 * the items themselves; `DEFAULT_REGION_PREFIXES` covers regions the price list at hand lacks.
 * Pure. An unknown usage type is returned as `unknown`, never dropped (the caller lists it).
 * Table and sources: docs/reconciliation.md.
 */
import type { Architecture } from '../source/profile.js';

export type UsageKind =
  /** `Request[-ARM]`: billed requests (count). */
  | 'requests'
  /** `Lambda-GB-Second[-ARM]`: on-demand duration, GB-s (INIT included since 2025-08-01). */
  | 'duration'
  /** `Lambda-Provisioned-Concurrency[-ARM]`: PC configured, GB-s. */
  | 'pc'
  /** `Lambda-Provisioned-GB-Second[-ARM]`: duration that ran on PC, GB-s. */
  | 'pcDuration'
  /** `Lambda-Storage-GB-Second[-ARM]`: ephemeral storage above 512 MB, GB-s. */
  | 'storage'
  /** `Global-*`: the free tier's usage lines (price 0 in the Price List). */
  | 'freeTier'
  /** LMI management fee hours (`Lambda-Managed-Instances-<type>-Management-Hours`; quantity = instance-hours). */
  | 'lmiFee'
  /** LMI requests (`Lambda-Managed-Instances-Request[-ARM]`). */
  | 'lmiRequests';

export interface ParsedUsageType {
  usageType: string;
  kind: UsageKind;
  /** null only for `Global-*` lines, which are not regional. */
  region: string | null;
  /** null for LMI lines and the free tier (they do not split by architecture). */
  architecture: Architecture | null;
  /** LMI fee lines: the instance type after `:` when the usage type carries one. */
  instanceType?: string | null;
}

export interface UnknownUsageType {
  usageType: string;
  kind: 'unknown';
  /** Why it was not understood (unknown prefix, unknown suffix). */
  reason: string;
}

/**
 * LMI management fee: `Lambda-Managed-Instances-m7g.xlarge-Management-Hours` (group 1 = the
 * instance type), or the `Management-Hours:<type>` form (group 2); any other suffix holding
 * `Management-Hours` is still a fee line, its instance type unknown.
 */
/** The markers of the LMI usage types (fee hours, requests); hasLmiUsage looks for the same. */
export const LMI_USAGE_MARKERS = { fee: 'Management-Hours', requests: 'Managed-Instances-Request' } as const;

/** True when a usage type carries an LMI marker, whatever its region prefix. */
export function isLmiUsageType(usageType: string): boolean {
  return usageType.includes(LMI_USAGE_MARKERS.fee) || usageType.includes(LMI_USAGE_MARKERS.requests);
}

const LMI_FEE = /^(?:Lambda-Managed-Instances-([a-z0-9-]+\.[a-z0-9-]+)-Management-Hours|.*Management-Hours(?::(.+))?)$/;

/** Standard Lambda suffixes (Price List `usagetype` in us-east-1, bundled price book). */
const SUFFIXES: Readonly<Record<string, [UsageKind, Architecture]>> = {
  Request: ['requests', 'x86_64'],
  'Request-ARM': ['requests', 'arm64'],
  'Lambda-GB-Second': ['duration', 'x86_64'],
  'Lambda-GB-Second-ARM': ['duration', 'arm64'],
  'Lambda-Provisioned-Concurrency': ['pc', 'x86_64'],
  'Lambda-Provisioned-Concurrency-ARM': ['pc', 'arm64'],
  'Lambda-Provisioned-GB-Second': ['pcDuration', 'x86_64'],
  'Lambda-Provisioned-GB-Second-ARM': ['pcDuration', 'arm64'],
  'Lambda-Storage-GB-Second': ['storage', 'x86_64'],
  'Lambda-Storage-GB-Second-ARM': ['storage', 'arm64'],
};

/** The Price List `group` each standard suffix belongs to (used to validate the table). */
export const GROUP_OF_SUFFIX: Readonly<Record<string, string>> = {
  Request: 'AWS-Lambda-Requests',
  'Request-ARM': 'AWS-Lambda-Requests-ARM',
  'Lambda-GB-Second': 'AWS-Lambda-Duration',
  'Lambda-GB-Second-ARM': 'AWS-Lambda-Duration-ARM',
  'Lambda-Provisioned-Concurrency': 'AWS-Lambda-Provisioned-Concurrency',
  'Lambda-Provisioned-Concurrency-ARM': 'AWS-Lambda-Provisioned-Concurrency-ARM',
  'Lambda-Provisioned-GB-Second': 'AWS-Lambda-Duration-Provisioned',
  'Lambda-Provisioned-GB-Second-ARM': 'AWS-Lambda-Duration-Provisioned-ARM',
  'Lambda-Storage-GB-Second': 'AWS-Lambda-Storage-Duration',
  'Lambda-Storage-GB-Second-ARM': 'AWS-Lambda-Storage-Duration-ARM',
};

/**
 * Billing region prefixes of the usage types (AWS's billing codes: USE2 = us-east-2, EUW1 =
 * eu-west-1, ...). us-east-1 has none in the Price List; Cost Explorer also shows `USE1-` on
 * some accounts, so both are read as us-east-1. A prefix learnt from the Price List wins.
 */
export const DEFAULT_REGION_PREFIXES: Readonly<Record<string, string>> = {
  '': 'us-east-1',
  USE1: 'us-east-1',
  USE2: 'us-east-2',
  USW1: 'us-west-1',
  USW2: 'us-west-2',
  CAN1: 'ca-central-1',
  EUC1: 'eu-central-1',
  EUC2: 'eu-central-2',
  EUW1: 'eu-west-1',
  EUW2: 'eu-west-2',
  EUW3: 'eu-west-3',
  EUN1: 'eu-north-1',
  EUS1: 'eu-south-1',
  EUS2: 'eu-south-2',
  APN1: 'ap-northeast-1',
  APN2: 'ap-northeast-2',
  APN3: 'ap-northeast-3',
  APS1: 'ap-southeast-1',
  APS2: 'ap-southeast-2',
  APS3: 'ap-south-1',
  APS4: 'ap-southeast-3',
  APS5: 'ap-south-2',
  APE1: 'ap-east-1',
  SAE1: 'sa-east-1',
  MES1: 'me-south-1',
  MEC1: 'me-central-1',
  AFS1: 'af-south-1',
  ILC1: 'il-central-1',
};

export interface UsageTypeTable {
  /** Prefix (without the dash; '' = none) -> region code. */
  prefixes: ReadonlyMap<string, string>;
}

export interface PriceListUsageItem {
  usagetype: string;
  regionCode: string;
  group?: string;
}

/** Problems met while building the table from Price List items (conflicts, unknown suffixes). */
export interface TableBuild {
  table: UsageTypeTable;
  problems: string[];
}

/** The default table (DEFAULT_REGION_PREFIXES). */
export function defaultUsageTypeTable(): UsageTypeTable {
  return { prefixes: new Map(Object.entries(DEFAULT_REGION_PREFIXES)) };
}

/** Splits `USW2-Lambda-GB-Second` into ['USW2', 'Lambda-GB-Second']; no prefix gives ['', ...]. */
export function splitPrefix(usageType: string): [string, string] {
  const match = /^([A-Z]{2,4}\d)-(.+)$/.exec(usageType);
  return match ? [match[1] as string, match[2] as string] : ['', usageType];
}

/**
 * The table learnt from Price List items (AWSLambda, attributes `usagetype` and `regionCode`),
 * over the defaults. Each item must parse to the suffix its `group` says; a prefix the items
 * give two regions for, or an item whose suffix contradicts its group, is a problem (reported).
 */
export function usageTypeTableFromPriceList(items: readonly PriceListUsageItem[]): TableBuild {
  const prefixes = new Map(Object.entries(DEFAULT_REGION_PREFIXES));
  const learnt = new Map<string, string>();
  const problems: string[] = [];
  for (const item of items) {
    if (item.usagetype.startsWith('Global-')) continue;
    const [prefix, suffix] = splitPrefix(item.usagetype);
    const expectedGroup = GROUP_OF_SUFFIX[suffix];
    if (expectedGroup === undefined) continue; // LMI, SnapStart, Edge...: not a prefix source.
    if (item.group !== undefined && item.group !== expectedGroup) {
      problems.push(`usagetype ${item.usagetype} is in group ${item.group}, expected ${expectedGroup}`);
      continue;
    }
    const seen = learnt.get(prefix);
    if (seen !== undefined && seen !== item.regionCode) {
      problems.push(`prefix "${prefix}" is both ${seen} and ${item.regionCode} in the price list; kept ${seen}`);
      continue;
    }
    learnt.set(prefix, item.regionCode);
    const fallback = DEFAULT_REGION_PREFIXES[prefix];
    if (fallback !== undefined && fallback !== item.regionCode) {
      problems.push(`prefix "${prefix}": price list says ${item.regionCode}, built-in table ${fallback}; using the price list`);
    }
    prefixes.set(prefix, item.regionCode);
  }
  return { table: { prefixes }, problems };
}

/** Price List item (JSON string or object) -> the attributes the table needs, if AWSLambda. */
export function usageItemOf(raw: string | object): PriceListUsageItem | null {
  const item = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
    product?: { attributes?: Record<string, string> };
    serviceCode?: string;
  };
  const a = item.product?.attributes;
  if (!a || (item.serviceCode ?? a['servicecode']) !== 'AWSLambda') return null;
  const usagetype = a['usagetype'];
  const regionCode = a['regionCode'];
  if (!usagetype || !regionCode) return null;
  return { usagetype, regionCode, ...(a['group'] ? { group: a['group'] } : {}) };
}

/**
 * One usage type -> what it bills, or `unknown` with the reason.
 * @example parseUsageType('USW2-Lambda-GB-Second-ARM', defaultUsageTypeTable())
 *   // { kind: 'duration', region: 'us-west-2', architecture: 'arm64', ... }
 */
export function parseUsageType(usageType: string, table: UsageTypeTable): ParsedUsageType | UnknownUsageType {
  if (usageType.startsWith('Global-')) {
    return { usageType, kind: 'freeTier', region: null, architecture: null };
  }
  const [prefix, suffix] = splitPrefix(usageType);
  const region = table.prefixes.get(prefix);
  if (region === undefined) {
    return { usageType, kind: 'unknown', reason: `unknown region prefix "${prefix}"` };
  }
  const standard = SUFFIXES[suffix];
  if (standard) return { usageType, kind: standard[0], region, architecture: standard[1] };
  // LMI usage types: `Lambda-Managed-Instances-<instance type>-Management-Hours` (fee) and
  // `Lambda-Managed-Instances-Request[-ARM]` (requests), as in the AWSLambda Price List items
  // seen by third-party price-list tools (docs/reconciliation.md, "The usage-type table": not in
  // an AWS document). The older guess `...-Management-Hours:<type>` is still read.
  const fee = LMI_FEE.exec(suffix);
  if (fee) {
    return { usageType, kind: 'lmiFee', region, architecture: null, instanceType: fee[1] ?? fee[2] ?? null };
  }
  if (suffix.includes(LMI_USAGE_MARKERS.requests)) {
    return { usageType, kind: 'lmiRequests', region, architecture: null };
  }
  return { usageType, kind: 'unknown', reason: `unknown Lambda usage type "${suffix}"` };
}
