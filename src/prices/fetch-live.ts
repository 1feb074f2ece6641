import { GetProductsCommand, type Filter, type PricingClient } from '@aws-sdk/client-pricing';
import type { SourceWarning } from '../source/profile.js';
import { describeError } from '../source/aws/aws-errors.js';
import { createRateLimiter, DEFAULT_LIMITS, type RateLimiter } from '../source/aws/rate-limit.js';
import { parsePriceList } from './price-list.js';
import type { PriceBook } from './types.js';

/**
 * Live prices from the AWS Price List Query API (GetProducts on the us-east-1 endpoint), parsed
 * by the core's price-list parser. The raw item strings are returned too, so `record` stores
 * them in the snapshot header and an offline re-run prices exactly the same.
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html
 */

export interface LivePrices {
  /** `PriceList` strings of GetProducts (EC2 items trimmed, see below); empty on fallback. */
  items: string[];
  book: PriceBook;
  asOf: string;
  source: 'live' | 'bundled';
  warnings: SourceWarning[];
}

export interface FetchLivePricesOptions {
  pricing: PricingClient;
  regions: readonly string[];
  now: Date;
  limit?: RateLimiter;
  /** The bundled book, used only when the live prices cannot be read. */
  fallback: () => PriceBook;
}

const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });

/** LMI runs on C, M and R instance families (reference lmi-and-pricing.md 1.1). */
const CANDIDATE_INSTANCE = /^[cmr]\d[a-z0-9-]*\.[a-z0-9-]+$/;

async function getAllProducts(
  pricing: PricingClient,
  limit: RateLimiter,
  serviceCode: string,
  filters: Filter[],
): Promise<string[]> {
  const items: string[] = [];
  let token: string | undefined;
  do {
    const page = await limit(() =>
      pricing.send(
        new GetProductsCommand({
          ServiceCode: serviceCode,
          Filters: filters,
          FormatVersion: 'aws_v1',
          MaxResults: 100,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    // The SDK types PriceList oddly (__AutomaticJsonStringConversion | string[]): it is string[].
    for (const item of (page.PriceList ?? []) as unknown as (string | object)[]) {
      items.push(typeof item === 'string' ? item : JSON.stringify(item));
    }
    token = page.NextToken || undefined;
  } while (token);
  return items;
}

/**
 * Keeps C/M/R instance items only and drops their Reserved terms (the parser reads OnDemand
 * only; Reserved terms are most of an EC2 item's bytes and would bloat the snapshot header).
 */
function trimEc2Item(item: string): string | null {
  const parsed = JSON.parse(item) as {
    product?: { attributes?: Record<string, string> };
    terms?: Record<string, unknown>;
  };
  const type = parsed.product?.attributes?.['instanceType'];
  if (!type || !CANDIDATE_INSTANCE.test(type)) return null;
  if (parsed.terms && 'Reserved' in parsed.terms) {
    delete parsed.terms['Reserved'];
    return JSON.stringify(parsed);
  }
  return item;
}

/** Lambda (every group of the region: duration tiers, requests, PC, storage, LMI) and EC2. */
async function fetchRegion(pricing: PricingClient, limit: RateLimiter, region: string): Promise<string[]> {
  const [lambda, ec2] = await Promise.all([
    getAllProducts(pricing, limit, 'AWSLambda', [term('regionCode', region)]),
    getAllProducts(pricing, limit, 'AmazonEC2', [
      term('regionCode', region),
      term('productFamily', 'Compute Instance'),
      term('operatingSystem', 'Linux'),
      term('tenancy', 'Shared'),
      term('preInstalledSw', 'NA'),
      term('capacitystatus', 'Used'),
    ]),
  ]);
  const trimmed: string[] = [];
  for (const item of ec2) {
    const kept = trimEc2Item(item);
    if (kept !== null) trimmed.push(kept);
  }
  return [...lambda, ...trimmed];
}

/**
 * Reads the prices of every region once for the run. Any failure falls back to the bundled
 * book with a `prices-fallback` warning (never silently).
 */
export async function fetchLivePrices(opts: FetchLivePricesOptions): Promise<LivePrices> {
  const limit = opts.limit ?? createRateLimiter(DEFAULT_LIMITS.pricing);
  const asOf = opts.now.toISOString().slice(0, 10);
  const warnings: SourceWarning[] = [];
  try {
    const perRegion = await Promise.all(opts.regions.map((r) => fetchRegion(opts.pricing, limit, r)));
    const items = perRegion.flat();
    const book = parsePriceList(items, { source: 'live', asOf });
    for (const region of opts.regions) {
      const prices = book.regions[region];
      if (!prices?.lambda) {
        warnings.push({
          code: 'prices-missing',
          region,
          message: `the Price List API gave no Lambda prices for ${region}: its functions cannot be priced`,
        });
      } else if (prices.instances.length === 0) {
        warnings.push({
          code: 'prices-missing',
          region,
          message: `the Price List API gave no C/M/R EC2 prices for ${region}: LMI cannot be priced there`,
        });
      }
    }
    return { items, book, asOf, source: 'live', warnings };
  } catch (cause) {
    const book = opts.fallback();
    warnings.push({
      code: 'prices-fallback',
      message: `live prices could not be read (${describeError(cause)}); using the bundled price book of ${book.asOf}, which covers ${Object.keys(book.regions).join(', ') || 'no region'} only`,
    });
    return { items: [], book, asOf: book.asOf, source: 'bundled', warnings };
  }
}
