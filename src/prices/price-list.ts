/**
 * Turns AWS Price List API `GetProducts` items (service codes `AWSLambda` and `AmazonEC2`) into a
 * PriceBook. Pure: no I/O, no clock. Only `terms.OnDemand` is read; Reserved terms are ignored.
 *
 * Item shape: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html
 * (each `PriceList[i]` is a JSON string of {product{productFamily, attributes, sku}, serviceCode,
 * terms{OnDemand{<sku>.<term>{priceDimensions{<rateCode>{beginRange, endRange, pricePerUnit{USD}}}}}}}).
 *
 * Rule: a price that is missing or ambiguous is left out with a warning, never guessed.
 */
import * as z from 'zod';
import { PriceBookError } from '../errors.js';
import type { Architecture } from '../source/profile.js';
import { regionCodeForLocation } from './region-names.js';
import type {
  DurationTier,
  InstancePrice,
  LambdaRegionPrices,
  PriceBook,
  RegionPrices,
} from './types.js';

export interface PriceListMeta {
  source: PriceBook['source'];
  /** ISO date (YYYY-MM-DD...) the prices were read or published. */
  asOf: string;
}

/** How many items went where; skipped kinds are expected filtering, not problems. */
export interface PriceListStats {
  items: number;
  /** Items that gave a price (possibly later dropped as a conflicting duplicate). */
  used: number;
  skipped: {
    /** Lambda free-tier rows (`Global-*` usagetypes, price 0). */
    freeTier: number;
    /** Lambda@Edge groups. */
    edge: number;
    /** EC2 rows that are not Linux / Shared / NA / Used on-demand instances, or not instances. */
    ec2Filtered: number;
    /** EC2 instances outside the C/M/R families or below `.large` (LMI: C/M/R, `.large` and up). */
    notLmiInstance: number;
    /** Lambda items of a kind this parser does not price (SnapStart, durable functions...). */
    unrecognised: number;
    /** Items of another service code. */
    otherService: number;
    /** Items skipped with a warning (no region, no on-demand price, unreadable vCPU/memory...). */
    withWarning: number;
  };
}

// ---------------------------------------------------------------------------------------------
// zod schemas (the edge: live API strings, bundled JSON, snapshot files all come through here)

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string like "0.0000166667"');
const rangeBound = z.union([z.literal('Inf'), decimalString]);

const priceDimensionSchema = z.object({
  unit: z.string().optional(),
  description: z.string().optional(),
  rateCode: z.string().optional(),
  beginRange: rangeBound,
  endRange: rangeBound,
  pricePerUnit: z.object({ USD: decimalString }),
});

const onDemandSchema = z.record(
  z.string(),
  z.object({ priceDimensions: z.record(z.string(), priceDimensionSchema) }),
);

/** Checked for every item; the terms are checked only for items that are priced. */
const productEnvelopeSchema = z.object({
  product: z.object({
    productFamily: z.string().optional(),
    attributes: z.record(z.string(), z.string()),
    sku: z.string().min(1),
  }),
  serviceCode: z.string().optional(),
  terms: z.object({ OnDemand: z.unknown().optional() }),
});

type Envelope = z.infer<typeof productEnvelopeSchema>;
type PriceDimension = z.infer<typeof priceDimensionSchema>;

const metaSchema = z.object({
  source: z.enum(['live', 'bundled', 'snapshot']),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected an ISO date (YYYY-MM-DD)'),
});

// ---------------------------------------------------------------------------------------------
// Lambda groups (Price List `group` attribute; usagetype prefixes vary by region, groups do not)

type LambdaDimension = 'requests' | 'pc' | 'pcDuration' | 'storage';
const LAMBDA_SINGLE_GROUPS: Readonly<Record<string, [LambdaDimension, Architecture]>> = {
  'AWS-Lambda-Requests': ['requests', 'x86_64'],
  'AWS-Lambda-Requests-ARM': ['requests', 'arm64'],
  'AWS-Lambda-Provisioned-Concurrency': ['pc', 'x86_64'],
  'AWS-Lambda-Provisioned-Concurrency-ARM': ['pc', 'arm64'],
  'AWS-Lambda-Duration-Provisioned': ['pcDuration', 'x86_64'],
  'AWS-Lambda-Duration-Provisioned-ARM': ['pcDuration', 'arm64'],
  'AWS-Lambda-Storage-Duration': ['storage', 'x86_64'],
  'AWS-Lambda-Storage-Duration-ARM': ['storage', 'arm64'],
};
const LAMBDA_DURATION_GROUPS: Readonly<Record<string, Architecture>> = {
  'AWS-Lambda-Duration': 'x86_64',
  'AWS-Lambda-Duration-ARM': 'arm64',
};
const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];

/** LMI runs on C, M and R instances of size `.large` and up (reference lmi-and-pricing.md 1.1). */
const LMI_INSTANCE_TYPE = /^([cmr])\d+[a-z]*\.([a-z0-9-]+)$/;
const BELOW_LARGE = new Set(['nano', 'micro', 'small', 'medium']);

// ---------------------------------------------------------------------------------------------

interface Candidate<T> {
  sku: string;
  value: T;
}

interface RegionAcc {
  single: Map<string, Candidate<number>[]>;
  tiers: Map<Architecture, Candidate<DurationTier[]>[]>;
  lmiRequest: Candidate<number>[];
  fees: Map<string, Candidate<number>[]>;
  instances: Map<string, Candidate<Omit<InstancePrice, 'managementFeeUsdPerHour'>>[]>;
  hasLambdaItems: boolean;
}

function newRegionAcc(): RegionAcc {
  return {
    single: new Map(),
    tiers: new Map(),
    lmiRequest: [],
    fees: new Map(),
    instances: new Map(),
    hasLambdaItems: false,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Parses Price List items into a PriceBook.
 * @param items `GetProducts` `PriceList` elements: JSON strings (as the API returns them) or
 *   the same objects already parsed.
 * @throws PriceBookError naming the item index, SKU and field when an item is malformed.
 * @example parsePriceList(response.PriceList as string[], { source: 'live', asOf: '2026-11-22' })
 */
export function parsePriceList(items: readonly (string | object)[], meta: PriceListMeta): PriceBook {
  return parsePriceListWithStats(items, meta).book;
}

/** As parsePriceList, plus counts of what was used and skipped (for logs and tests). */
export function parsePriceListWithStats(
  items: readonly (string | object)[],
  meta: PriceListMeta,
): { book: PriceBook; stats: PriceListStats } {
  const metaResult = metaSchema.safeParse(meta);
  if (!metaResult.success) {
    throw new PriceBookError(`price book meta: ${formatIssue(metaResult.error)}`);
  }
  const stats: PriceListStats = {
    items: items.length,
    used: 0,
    skipped: {
      freeTier: 0,
      edge: 0,
      ec2Filtered: 0,
      notLmiInstance: 0,
      unrecognised: 0,
      otherService: 0,
      withWarning: 0,
    },
  };
  const warnings: string[] = [];
  const regions = new Map<string, RegionAcc>();
  const unrecognisedExamples: string[] = [];
  const otherServiceExamples: string[] = [];

  const skipWithWarning = (message: string): void => {
    stats.skipped.withWarning += 1;
    warnings.push(message);
  };

  items.forEach((raw, index) => {
    const item = readItem(raw, index);
    const attributes = item.product.attributes;
    const sku = item.product.sku;
    const service = item.serviceCode ?? attributes['servicecode'];

    if (service === 'AWSLambda') {
      const usagetype = attributes['usagetype'] ?? '';
      const group = attributes['group'] ?? '';
      // Free tier rows: `Global-Request` / `Global-Lambda-GB-Second`, price 0 (not a price).
      if (usagetype.startsWith('Global-')) {
        stats.skipped.freeTier += 1;
        return;
      }
      if (group.startsWith('AWS-Lambda-Edge')) {
        stats.skipped.edge += 1;
        return;
      }
      const kind = lambdaKind(attributes, group, usagetype);
      if (kind === undefined) {
        stats.skipped.unrecognised += 1;
        if (unrecognisedExamples.length < 3) {
          unrecognisedExamples.push(`SKU ${sku} group "${group}" usagetype "${usagetype}"`);
        }
        return;
      }
      const region = resolveRegion(attributes);
      if (region === undefined) {
        skipWithWarning(`Price List item ${index} (SKU ${sku}): no regionCode and unknown location "${attributes['location'] ?? ''}"; skipped`);
        return;
      }
      const acc = regionAcc(regions, region);
      acc.hasLambdaItems = true;
      const dimensions = onDemandDimensions(item, index);
      const where = `${region} Lambda ${kind.label} (SKU ${sku})`;

      if (kind.type === 'duration') {
        const tiers = toTiers(dimensions, where);
        if (typeof tiers === 'string') return skipWithWarning(tiers);
        push(acc.tiers, kind.architecture, { sku, value: tiers });
      } else {
        const price = singlePrice(dimensions, where);
        if (typeof price === 'string') return skipWithWarning(price);
        if (kind.type === 'single') {
          push(acc.single, `${kind.dimension}:${kind.architecture}`, { sku, value: price });
        } else if (kind.type === 'lmiRequest') {
          acc.lmiRequest.push({ sku, value: price });
        } else {
          push(acc.fees, kind.instanceType, { sku, value: price });
        }
      }
      stats.used += 1;
      return;
    }

    if (service === 'AmazonEC2') {
      const instanceType = attributes['instanceType'];
      if (instanceType === undefined || !isLinuxSharedOnDemand(item)) {
        stats.skipped.ec2Filtered += 1;
        return;
      }
      const match = LMI_INSTANCE_TYPE.exec(instanceType);
      if (!match || BELOW_LARGE.has(match[2] ?? '')) {
        stats.skipped.notLmiInstance += 1;
        return;
      }
      const region = resolveRegion(attributes);
      if (region === undefined) {
        skipWithWarning(`Price List item ${index} (SKU ${sku}): no regionCode and unknown location "${attributes['location'] ?? ''}"; skipped`);
        return;
      }
      const where = `${region} EC2 ${instanceType} (SKU ${sku})`;
      const vCpus = Number(attributes['vcpu']);
      const memoryGiB = parseMemoryGiB(attributes['memory']);
      if (!Number.isInteger(vCpus) || vCpus <= 0 || memoryGiB === undefined) {
        return skipWithWarning(`${where}: vcpu "${attributes['vcpu'] ?? ''}" / memory "${attributes['memory'] ?? ''}" not readable; skipped`);
      }
      const price = singlePrice(onDemandDimensions(item, index), where);
      if (typeof price === 'string') return skipWithWarning(price);
      push(regionAcc(regions, region).instances, instanceType, {
        sku,
        value: {
          instanceType,
          family: match[1] ?? '',
          architecture: instanceArchitecture(instanceType, attributes['physicalProcessor']),
          vCpus,
          memoryGiB,
          onDemandUsdPerHour: price,
        },
      });
      stats.used += 1;
      return;
    }

    stats.skipped.otherService += 1;
    if (otherServiceExamples.length < 3) otherServiceExamples.push(`SKU ${sku} service "${service ?? ''}"`);
  });

  if (stats.skipped.unrecognised > 0) {
    warnings.push(
      `${stats.skipped.unrecognised} AWSLambda Price List item(s) of a kind not priced here were skipped (e.g. ${unrecognisedExamples.join('; ')})`,
    );
  }
  if (stats.skipped.otherService > 0) {
    warnings.push(
      `${stats.skipped.otherService} Price List item(s) of other services were skipped (e.g. ${otherServiceExamples.join('; ')})`,
    );
  }

  const out: Record<string, RegionPrices> = {};
  for (const region of [...regions.keys()].sort()) {
    const acc = regions.get(region);
    if (acc) out[region] = buildRegion(region, acc, warnings);
  }
  return {
    book: { source: meta.source, asOf: meta.asOf, regions: out, warnings },
    stats,
  };
}

/** Prices of one region, or undefined when the book has none for it. */
export function regionPrices(book: PriceBook, region: string): RegionPrices | undefined {
  return Object.hasOwn(book.regions, region) ? book.regions[region] : undefined;
}

// ---------------------------------------------------------------------------------------------

function readItem(raw: string | object, index: number): Envelope {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new PriceBookError(`Price List item ${index}: not valid JSON`, { cause: error });
    }
  }
  const result = productEnvelopeSchema.safeParse(value);
  if (!result.success) {
    throw new PriceBookError(`Price List item ${index} (SKU ${rawSku(value)}): ${formatIssue(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** All priceDimensions of the item's OnDemand terms (validated here, only for priced items). */
function onDemandDimensions(item: Envelope, index: number): { term: string; dimension: PriceDimension }[] {
  const result = onDemandSchema.optional().safeParse(item.terms.OnDemand);
  if (!result.success) {
    throw new PriceBookError(
      `Price List item ${index} (SKU ${item.product.sku}): ${formatIssue(result.error, ['terms', 'OnDemand'])}`,
      { cause: result.error },
    );
  }
  const out: { term: string; dimension: PriceDimension }[] = [];
  for (const [term, value] of Object.entries(result.data ?? {})) {
    for (const dimension of Object.values(value.priceDimensions)) out.push({ term, dimension });
  }
  return out;
}

function rawSku(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'product' in value) {
    const product = (value as { product: unknown }).product;
    if (typeof product === 'object' && product !== null && 'sku' in product) {
      const sku = (product as { sku: unknown }).sku;
      if (typeof sku === 'string') return sku;
    }
  }
  return 'unknown';
}

function formatIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = [...prefix, ...issue.path].map(String).join('.');
  return `${path || '(item)'}: ${issue.message}`;
}

type LambdaKind =
  | { type: 'single'; dimension: LambdaDimension; architecture: Architecture; label: string }
  | { type: 'duration'; architecture: Architecture; label: string }
  | { type: 'lmiRequest'; label: string }
  | { type: 'lmiFee'; instanceType: string; label: string };

function lambdaKind(attributes: Record<string, string>, group: string, usagetype: string): LambdaKind | undefined {
  const lmiInstanceType = attributes['lambdaManagedInstanceType'];
  // LMI SKUs ([SAMPLE] scripts/extract-pricing.js): fee rows carry `Management-Hours` in the
  // usagetype and the instance type in `lambdaManagedInstanceType`; request rows carry
  // `lambdaManagedInstances-RequestType` or a `Managed-Instances-Request` usagetype.
  if (usagetype.includes('Management-Hours')) {
    return lmiInstanceType ? { type: 'lmiFee', instanceType: lmiInstanceType, label: `LMI fee ${lmiInstanceType}` } : undefined;
  }
  if ('lambdaManagedInstances-RequestType' in attributes || usagetype.includes('Managed-Instances-Request')) {
    return { type: 'lmiRequest', label: 'LMI requests' };
  }
  if (lmiInstanceType !== undefined || usagetype.includes('Managed-Instances')) return undefined;
  if (Object.hasOwn(LAMBDA_DURATION_GROUPS, group)) {
    const architecture = LAMBDA_DURATION_GROUPS[group] as Architecture;
    return { type: 'duration', architecture, label: group };
  }
  if (Object.hasOwn(LAMBDA_SINGLE_GROUPS, group)) {
    const [dimension, architecture] = LAMBDA_SINGLE_GROUPS[group] as [LambdaDimension, Architecture];
    return { type: 'single', dimension, architecture, label: group };
  }
  return undefined;
}

function resolveRegion(attributes: Record<string, string>): string | undefined {
  const code = attributes['regionCode'];
  if (code) return code;
  const location = attributes['location'];
  return location ? regionCodeForLocation(location) : undefined;
}

function regionAcc(regions: Map<string, RegionAcc>, region: string): RegionAcc {
  let acc = regions.get(region);
  if (!acc) {
    acc = newRegionAcc();
    regions.set(region, acc);
  }
  return acc;
}

function bound(value: string): number {
  return value === 'Inf' ? Number.POSITIVE_INFINITY : Number(value);
}

/** One flat price: exactly one OnDemand dimension covering [0, Inf). */
function singlePrice(dimensions: { term: string; dimension: PriceDimension }[], where: string): number | string {
  if (dimensions.length === 0) return `${where}: no on-demand price; skipped`;
  if (dimensions.length > 1) return `${where}: ${dimensions.length} on-demand price dimensions where one was expected; skipped`;
  const { dimension } = dimensions[0] as { dimension: PriceDimension };
  if (bound(dimension.beginRange) !== 0 || bound(dimension.endRange) !== Number.POSITIVE_INFINITY) {
    return `${where}: price applies to range ${dimension.beginRange}-${dimension.endRange} only; skipped`;
  }
  return Number(dimension.pricePerUnit.USD);
}

/**
 * Duration tiers, one priceDimension each ("-Tier-1/2/3"), sorted by Number(beginRange);
 * they must start at 0, touch each other and end at Inf, else the set is not trusted.
 */
function toTiers(dimensions: { term: string; dimension: PriceDimension }[], where: string): DurationTier[] | string {
  if (dimensions.length === 0) return `${where}: no on-demand price; skipped`;
  const terms = new Set(dimensions.map((d) => d.term));
  if (terms.size > 1) return `${where}: ${terms.size} on-demand terms where one was expected; skipped`;
  const tiers = dimensions
    .map(({ dimension }) => ({
      fromGbSeconds: bound(dimension.beginRange),
      toGbSeconds: bound(dimension.endRange),
      usdPerGbSecond: Number(dimension.pricePerUnit.USD),
    }))
    .sort((a, b) => a.fromGbSeconds - b.fromGbSeconds);
  let expectedFrom = 0;
  for (const tier of tiers) {
    if (tier.fromGbSeconds !== expectedFrom || !(tier.toGbSeconds > tier.fromGbSeconds)) {
      return `${where}: duration tiers do not run contiguously from 0 to Inf (gap or overlap at ${tier.fromGbSeconds} GB-s); skipped`;
    }
    expectedFrom = tier.toGbSeconds;
  }
  if (expectedFrom !== Number.POSITIVE_INFINITY) {
    return `${where}: duration tiers end at ${expectedFrom} GB-s, not Inf; skipped`;
  }
  return tiers;
}

/**
 * EC2 filters that select exactly one on-demand Linux row per type (reference aws-apis.md 3):
 * operatingSystem Linux, tenancy Shared, preInstalledSw NA, capacitystatus Used; when present,
 * licenseModel "No License required", marketoption OnDemand, productFamily "Compute Instance*".
 */
function isLinuxSharedOnDemand(item: Envelope): boolean {
  const a = item.product.attributes;
  const family = item.product.productFamily;
  return (
    a['operatingSystem'] === 'Linux' &&
    a['tenancy'] === 'Shared' &&
    a['preInstalledSw'] === 'NA' &&
    a['capacitystatus'] === 'Used' &&
    (a['licenseModel'] === undefined || a['licenseModel'] === 'No License required') &&
    (a['marketoption'] === undefined || a['marketoption'] === 'OnDemand') &&
    (family === undefined || family.startsWith('Compute Instance'))
  );
}

/** "16 GiB", "1,024 GiB", "0.5 GiB" -> GiB; anything else -> undefined. */
function parseMemoryGiB(memory: string | undefined): number | undefined {
  const match = /^([\d,]+(?:\.\d+)?)\s*GiB$/.exec(memory?.trim() ?? '');
  if (!match) return undefined;
  const value = Number((match[1] ?? '').replaceAll(',', ''));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Graviton when the processor says so, else when the type has `g` right after the generation. */
function instanceArchitecture(instanceType: string, physicalProcessor: string | undefined): Architecture {
  if (physicalProcessor) {
    if (/graviton/i.test(physicalProcessor)) return 'arm64';
    if (/intel|amd/i.test(physicalProcessor)) return 'x86_64';
  }
  return /^[cmr]\d+g/.test(instanceType) ? 'arm64' : 'x86_64';
}

/**
 * The one value of a dimension. Identical duplicates (the same price listed twice) are fine;
 * different prices for the same thing are a conflict: the dimension is left out with a warning.
 */
function agreed<T>(candidates: Candidate<T>[] | undefined, what: string, warnings: string[]): T | undefined {
  const first = candidates?.[0];
  if (!candidates || !first) return undefined;
  const firstJson = JSON.stringify(first.value);
  if (candidates.every((c) => JSON.stringify(c.value) === firstJson)) return first.value;
  warnings.push(
    `${what}: conflicting prices in SKUs ${candidates.map((c) => c.sku).join(', ')}; left out`,
  );
  return undefined;
}

function buildRegion(region: string, acc: RegionAcc, warnings: string[]): RegionPrices {
  const instances: InstancePrice[] = [];
  for (const instanceType of [...acc.instances.keys()].sort()) {
    const base = agreed(acc.instances.get(instanceType), `${region} EC2 ${instanceType}`, warnings);
    if (!base) continue;
    const fee = agreed(acc.fees.get(instanceType), `${region} LMI management fee ${instanceType}`, warnings);
    instances.push(fee === undefined ? { ...base } : { ...base, managementFeeUsdPerHour: fee });
  }
  if (instances.length === 0) {
    warnings.push(`${region}: no EC2 C/M/R on-demand Linux prices; LMI cannot be priced in this region`);
  }
  const lambda = buildLambda(region, acc, warnings);
  return lambda ? { region, lambda, instances } : { region, instances };
}

function usdPerMillion(usdPerRequest: number): string {
  return `$${(usdPerRequest * 1e6).toFixed(2)} per million`;
}

function buildLambda(region: string, acc: RegionAcc, warnings: string[]): LambdaRegionPrices | undefined {
  const missing: string[] = [];
  const single = (dimension: LambdaDimension, architecture: Architecture): number => {
    const key = `${dimension}:${architecture}`;
    const value = agreed(acc.single.get(key), `${region} Lambda ${key}`, warnings);
    if (value === undefined) missing.push(key);
    return value ?? Number.NaN;
  };
  const perArch = (dimension: LambdaDimension): Record<Architecture, number> => ({
    x86_64: single(dimension, 'x86_64'),
    arm64: single(dimension, 'arm64'),
  });
  const requestUsd = perArch('requests');
  const provisionedConcurrencyUsdPerGbSecond = perArch('pc');
  const provisionedDurationUsdPerGbSecond = perArch('pcDuration');
  const ephemeralStorageUsdPerGbSecond = perArch('storage');
  const durationTiers = {} as Record<Architecture, DurationTier[]>;
  for (const architecture of ARCHITECTURES) {
    const tiers = agreed(acc.tiers.get(architecture), `${region} Lambda duration:${architecture}`, warnings);
    if (tiers === undefined) missing.push(`duration:${architecture}`);
    durationTiers[architecture] = tiers ?? [];
  }
  if (missing.length > 0) {
    const what = acc.hasLambdaItems ? `missing ${missing.join(', ')}` : 'no Lambda items in the price list';
    warnings.push(`${region}: Lambda prices incomplete (${what}); functions in this region get no standard cost`);
    return undefined;
  }
  let lmiRequestUsd: number;
  const distinct = [...new Set(acc.lmiRequest.map((c) => c.value))];
  if (distinct.length === 1) {
    lmiRequestUsd = distinct[0] as number;
  } else if (distinct.length > 1) {
    // Conservative: the highest listed LMI request price (overstating LMI never says "migrate" wrongly).
    lmiRequestUsd = Math.max(...distinct);
    warnings.push(
      `${region}: LMI request prices differ (${distinct.map(usdPerMillion).join(', ')}); using the highest`,
    );
  } else {
    // https://aws.amazon.com/lambda/pricing/ (LMI section): $0.20 per million requests, the
    // same as the standard x86 request price.
    lmiRequestUsd = requestUsd.x86_64;
    warnings.push(
      `${region}: no LMI request price in the price list; using the standard request price, ${usdPerMillion(requestUsd.x86_64)} (pricing page: LMI requests are $0.20 per million, as standard)`,
    );
  }
  return {
    requestUsd,
    durationTiers,
    provisionedConcurrencyUsdPerGbSecond,
    provisionedDurationUsdPerGbSecond,
    ephemeralStorageUsdPerGbSecond,
    lmiRequestUsd,
  };
}
