import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from '@aws-sdk/client-pricing';
import { fetchLivePrices } from '../../src/prices/fetch-live.js';
import { parsePriceList } from '../../src/prices/price-list.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import { createRateLimiter } from '../../src/source/aws/rate-limit.js';

/**
 * The Price List API mocked with items in its own shape: the bundled file's items (copied from
 * GetProducts output) served as JSON strings, filtered and paged like GetProducts does.
 */

type Item = { product: { productFamily?: string; sku?: string; attributes: Record<string, string> }; serviceCode?: string; terms: Record<string, unknown> };
const bundled = JSON.parse(readFileSync(new URL('../../src/prices/bundled/price-list.json', import.meta.url), 'utf8')) as {
  items: Item[];
};

/** An EC2 item as GetProducts returns it, Reserved terms included. */
function ec2Item(instanceType: string, usd: string): Item {
  const sku = `SKU${instanceType.replace(/\W/g, '').toUpperCase()}`;
  return {
    product: {
      productFamily: 'Compute Instance',
      sku,
      attributes: {
        servicecode: 'AmazonEC2', instanceType, operatingSystem: 'Linux', tenancy: 'Shared', regionCode: 'eu-west-1',
        usagetype: `EU-BoxUsage:${instanceType}`, capacitystatus: 'Used', preInstalledSw: 'NA', vcpu: '2', memory: '8 GiB',
        physicalProcessor: 'AWS Graviton3 Processor', licenseModel: 'No License required',
      },
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: { unit: 'Hrs', beginRange: '0', endRange: 'Inf', pricePerUnit: { USD: usd } },
          },
          sku,
          offerTermCode: 'JRTCKXETXF',
        },
      },
      Reserved: { [`${sku}.4NA7Y494T4`]: { priceDimensions: { x: { unit: 'Quantity', pricePerUnit: { USD: '500' } } } } },
    },
  };
}

function fakePricing(items: Item[]) {
  const client = new PricingClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(client);
  mock.on(GetProductsCommand).callsFake((input: GetProductsCommandInput) => {
    const matching = items.filter(
      (i) =>
        (i.serviceCode ?? i.product.attributes['servicecode']) === input.ServiceCode &&
        (input.Filters ?? []).every(
          (f) => (f.Field === 'productFamily' ? i.product.productFamily : i.product.attributes[f.Field!]) === f.Value,
        ),
    );
    const from = Number(input.NextToken ?? '0');
    const to = from + (input.MaxResults ?? 100);
    return {
      FormatVersion: 'aws_v1',
      PriceList: matching.slice(from, to).map((i) => JSON.stringify(i)),
      ...(to < matching.length ? { NextToken: String(to) } : {}),
    };
  });
  return { client, mock };
}

const limit = () => createRateLimiter({ callsPerSecond: 1e6, concurrency: 2 });
const NOW = new Date('2026-11-22T05:00:00Z');

describe('fetchLivePrices', () => {
  it('reads every page of Lambda and EC2 items and parses them into the same book as the items alone', async () => {
    // Prepare
    const { client, mock } = fakePricing(bundled.items);
    // Act
    const prices = await fetchLivePrices({ pricing: client, regions: ['us-east-1'], now: NOW, limit: limit(), fallback: loadBundledPriceBook });
    // Assess
    expect(prices.source).toBe('live');
    expect(prices.asOf).toBe('2026-11-22');
    expect(prices.warnings).toEqual([]);
    // 10 Lambda items: one page; the EC2 items: more than one page of 100 when there are > 100.
    const ec2Pages = Math.max(1, Math.ceil(bundled.items.filter((i) => i.serviceCode === 'AmazonEC2').length / 100));
    expect(mock).toHaveReceivedCommandTimes(GetProductsCommand, 1 + ec2Pages);
    expect(mock).toHaveReceivedCommandWith(GetProductsCommand, {
      ServiceCode: 'AWSLambda',
      Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }],
    });
    // The recorded strings re-price exactly as the live book (what an offline re-run relies on).
    expect(parsePriceList(prices.items, { source: 'live', asOf: prices.asOf })).toEqual(prices.book);
    expect(prices.book.regions['us-east-1']?.lambda?.requestUsd.x86_64).toBe(loadBundledPriceBook().regions['us-east-1']?.lambda?.requestUsd.x86_64);
    expect(prices.book.regions['us-east-1']?.instances.length).toBeGreaterThan(0);
  });

  it('keeps only C/M/R instances, without their Reserved terms, and warns for a region without Lambda prices', async () => {
    // Prepare
    const { client } = fakePricing([ec2Item('m7g.large', '0.0850000000'), ec2Item('t4g.large', '0.0672000000')]);
    // Act
    const prices = await fetchLivePrices({ pricing: client, regions: ['eu-west-1'], now: NOW, limit: limit(), fallback: loadBundledPriceBook });
    // Assess
    expect(prices.items).toHaveLength(1);
    const kept = JSON.parse(prices.items[0]!) as Item;
    expect(kept.product.attributes['instanceType']).toBe('m7g.large');
    expect(Object.keys(kept.terms)).toEqual(['OnDemand']);
    expect(prices.book.regions['eu-west-1']?.instances.map((i) => [i.instanceType, i.onDemandUsdPerHour])).toEqual([['m7g.large', 0.085]]);
    expect(prices.warnings).toEqual([expect.objectContaining({ code: 'prices-missing', region: 'eu-west-1' })]);
  });

  it('falls back to the bundled book with a visible warning when the API fails', async () => {
    // Prepare
    const client = new PricingClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    mockClient(client).on(GetProductsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    // Act
    const prices = await fetchLivePrices({ pricing: client, regions: ['us-east-1'], now: NOW, limit: limit(), fallback: loadBundledPriceBook });
    // Assess
    expect(prices.source).toBe('bundled');
    expect(prices.items).toEqual([]);
    expect(prices.book).toEqual(loadBundledPriceBook());
    expect(prices.warnings).toEqual([
      expect.objectContaining({ code: 'prices-fallback', message: expect.stringMatching(/AccessDeniedException.*bundled/) }),
    ]);
  });
});
