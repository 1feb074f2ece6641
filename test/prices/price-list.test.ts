import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceBookError } from '../../src/errors.js';
import { parsePriceList, parsePriceListWithStats, regionPrices } from '../../src/prices/price-list.js';

const META = { source: 'live', asOf: '2026-11-22' } as const;

/** Verbatim from aws-apis.md 3 (a): a real GetProducts item (Requests, eu-west-1, 2018). */
const LAMBDA_REQUESTS_EU_WEST_1 = {
  product: {
    productFamily: 'Serverless',
    attributes: {
      servicecode: 'AWSLambda',
      groupDescription: 'Invocation call for a Lambda function',
      usagetype: 'EU-Request',
      locationType: 'AWS Region',
      location: 'EU (Ireland)',
      servicename: 'AWS Lambda',
      operation: '',
      group: 'AWS-Lambda-Requests',
    },
    sku: 'B5V2RNHAWGVJBZD3',
  },
  serviceCode: 'AWSLambda',
  terms: {
    OnDemand: {
      'B5V2RNHAWGVJBZD3.JRTCKXETXF': {
        priceDimensions: {
          'B5V2RNHAWGVJBZD3.JRTCKXETXF.6YS6EN2CT7': {
            unit: 'Requests',
            endRange: 'Inf',
            description: 'AWS Lambda - Total Requests - EU (Ireland)',
            appliesTo: [],
            rateCode: 'B5V2RNHAWGVJBZD3.JRTCKXETXF.6YS6EN2CT7',
            beginRange: '0',
            pricePerUnit: { USD: '0.0000002000' },
          },
        },
        sku: 'B5V2RNHAWGVJBZD3',
        effectiveDate: '2018-11-01T00:00:00Z',
        offerTermCode: 'JRTCKXETXF',
        termAttributes: {},
      },
    },
  },
  version: '20181212011734',
  publicationDate: '2018-12-12T01:17:34Z',
};

/** Verbatim from aws-apis.md 3 (b): a real EC2 item captured 2026-03-22 (no serviceCode key). */
const EC2_T3_MICRO = {
  product: {
    productFamily: 'Compute Instance',
    attributes: {
      instanceType: 't3.micro',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      regionCode: 'us-east-1',
      usagetype: 'BoxUsage:t3.micro',
      capacitystatus: 'Used',
      preInstalledSw: 'NA',
      servicecode: 'AmazonEC2',
      servicename: 'Amazon Elastic Compute Cloud',
      memory: '1 GiB',
      vcpu: '2',
      storage: 'EBS only',
      currentGeneration: 'Yes',
      instanceFamily: 'General purpose',
    },
    sku: 'CRAJUW7BTXFMT2UJ',
  },
  terms: {
    OnDemand: {
      'CRAJUW7BTXFMT2UJ.JRTCKXETXF': {
        priceDimensions: {
          'CRAJUW7BTXFMT2UJ.JRTCKXETXF.6YS6EN2CT7': {
            unit: 'Hrs',
            endRange: 'Inf',
            description: '$0.0104 per On Demand Linux t3.micro Instance Hour',
            appliesTo: [],
            rateCode: 'CRAJUW7BTXFMT2UJ.JRTCKXETXF.6YS6EN2CT7',
            beginRange: '0',
            pricePerUnit: { USD: '0.0104000000' },
          },
        },
        sku: 'CRAJUW7BTXFMT2UJ',
        effectiveDate: '2026-03-01T00:00:00Z',
        offerTermCode: 'JRTCKXETXF',
        termAttributes: {},
      },
    },
  },
  version: '20260320042925',
  publicationDate: '2026-03-20T04:29:25Z',
};

type Dim = { begin?: string; end?: string; usd: string };

/** An item in the same shape as the verbatim ones, with the given attributes and dimensions. */
function item(sku: string, serviceCode: string, attributes: Record<string, string>, dims: Dim[]): object {
  const priceDimensions: Record<string, object> = {};
  dims.forEach((d, i) => {
    priceDimensions[`${sku}.JRTCKXETXF.R${i}`] = {
      unit: 'x',
      endRange: d.end ?? 'Inf',
      description: `tier ${i + 1}`,
      appliesTo: [],
      rateCode: `${sku}.JRTCKXETXF.R${i}`,
      beginRange: d.begin ?? '0',
      pricePerUnit: { USD: d.usd },
    };
  });
  return {
    product: { productFamily: serviceCode === 'AWSLambda' ? 'Serverless' : 'Compute Instance', attributes, sku },
    serviceCode,
    terms: { OnDemand: { [`${sku}.JRTCKXETXF`]: { priceDimensions, sku, offerTermCode: 'JRTCKXETXF', termAttributes: {} } } },
    version: 'v',
    publicationDate: '2026-11-22T00:00:00Z',
  };
}

function lambda(region: string, group: string, dims: Dim[], extra: Record<string, string> = {}): object {
  return item(`SKU-${region}-${group}`, 'AWSLambda', { servicecode: 'AWSLambda', regionCode: region, group, usagetype: group, ...extra }, dims);
}

function ec2(region: string, instanceType: string, vcpu: string, memory: string, usd: string, extra: Record<string, string> = {}): object {
  return item(`SKU-${region}-${instanceType}`, 'AmazonEC2', {
    servicecode: 'AmazonEC2',
    instanceType,
    vcpu,
    memory,
    operatingSystem: 'Linux',
    tenancy: 'Shared',
    preInstalledSw: 'NA',
    capacitystatus: 'Used',
    regionCode: region,
    usagetype: `BoxUsage:${instanceType}`,
    ...extra,
  }, [{ usd }]);
}

/** A complete set of standard Lambda items for one region (made-up prices, distinct per item). */
function fullLambdaRegion(region: string, skip: string[] = []): object[] {
  const groups: [string, Dim[]][] = [
    ['AWS-Lambda-Requests', [{ usd: '0.0000002000' }]],
    ['AWS-Lambda-Requests-ARM', [{ usd: '0.0000002100' }]],
    ['AWS-Lambda-Duration', [
      { begin: '0', end: '6000000000', usd: '0.0000166667' },
      { begin: '6000000000', end: '15000000000', usd: '0.0000150000' },
      { begin: '15000000000', end: 'Inf', usd: '0.0000133334' },
    ]],
    ['AWS-Lambda-Duration-ARM', [
      { begin: '0', end: '7500000000', usd: '0.0000133334' },
      { begin: '7500000000', end: '18750000000', usd: '0.0000120001' },
      { begin: '18750000000', end: 'Inf', usd: '0.0000106667' },
    ]],
    ['AWS-Lambda-Provisioned-Concurrency', [{ usd: '0.0000041667' }]],
    ['AWS-Lambda-Provisioned-Concurrency-ARM', [{ usd: '0.0000033334' }]],
    ['AWS-Lambda-Duration-Provisioned', [{ usd: '0.0000097222' }]],
    ['AWS-Lambda-Duration-Provisioned-ARM', [{ usd: '0.0000077778' }]],
    ['AWS-Lambda-Storage-Duration', [{ usd: '0.0000000309' }]],
    ['AWS-Lambda-Storage-Duration-ARM', [{ usd: '0.0000000310' }]],
  ];
  return groups.filter(([g]) => !skip.includes(g)).map(([g, dims]) => lambda(region, g, dims));
}

describe('parsePriceList: real item shapes', () => {
  it('reads the verbatim Lambda Requests item, region from its location name', () => {
    // Prepare
    const items = [JSON.stringify(LAMBDA_REQUESTS_EU_WEST_1)];

    // Act
    const { book, stats } = parsePriceListWithStats(items, META);

    // Assess: the request price was read; the region is incomplete, so no `lambda` and a warning.
    expect(stats.used).toBe(1);
    const region = regionPrices(book, 'eu-west-1');
    expect(region).toBeDefined();
    expect(region?.lambda).toBeUndefined();
    expect(book.warnings.some((w) => w.startsWith('eu-west-1: Lambda prices incomplete') && w.includes('duration:x86_64') && !w.includes('requests:x86_64'))).toBe(true);
  });

  it('gives the request price of the verbatim item once the region is complete', () => {
    // Prepare: the verbatim request item plus the other dimensions for eu-west-1.
    const items = [LAMBDA_REQUESTS_EU_WEST_1, ...fullLambdaRegion('eu-west-1', ['AWS-Lambda-Requests'])];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['eu-west-1']?.lambda?.requestUsd.x86_64).toBe(0.0000002);
  });

  it('filters the verbatim EC2 t3.micro item out: T is not an LMI family', () => {
    // Prepare
    const items = [JSON.stringify(EC2_T3_MICRO)];

    // Act
    const { book, stats } = parsePriceListWithStats(items, META);

    // Assess
    expect(stats.skipped.notLmiInstance).toBe(1);
    expect(stats.used).toBe(0);
    expect(regionPrices(book, 'us-east-1')).toBeUndefined();
  });

  it('reads the same EC2 item shape for a C/M/R type (no serviceCode key, servicecode attribute)', () => {
    // Prepare: the verbatim t3.micro item with only the type, size and price changed.
    const m7g = structuredClone(EC2_T3_MICRO) as typeof EC2_T3_MICRO;
    Object.assign(m7g.product.attributes, { instanceType: 'm7g.xlarge', vcpu: '4', memory: '16 GiB', usagetype: 'BoxUsage:m7g.xlarge' });
    const dims = m7g.terms.OnDemand['CRAJUW7BTXFMT2UJ.JRTCKXETXF'].priceDimensions;
    dims['CRAJUW7BTXFMT2UJ.JRTCKXETXF.6YS6EN2CT7'].pricePerUnit.USD = '0.1632000000';

    // Act
    const book = parsePriceList([JSON.stringify(m7g)], META);

    // Assess
    expect(book.regions['us-east-1']?.instances).toEqual([
      { instanceType: 'm7g.xlarge', family: 'm', architecture: 'arm64', vCpus: 4, memoryGiB: 16, onDemandUsdPerHour: 0.1632 },
    ]);
  });

  it('gives the same book from JSON strings and from the parsed objects', () => {
    // Prepare
    const objects = [
      LAMBDA_REQUESTS_EU_WEST_1,
      EC2_T3_MICRO,
      ...fullLambdaRegion('us-east-1'),
      ec2('us-east-1', 'c7i.xlarge', '4', '8 GiB', '0.1785000000'),
    ];

    // Act
    const fromObjects = parsePriceList(objects, META);
    const fromStrings = parsePriceList(objects.map((o) => JSON.stringify(o)), META);

    // Assess
    expect(fromStrings).toEqual(fromObjects);
    expect(fromObjects.regions['us-east-1']?.lambda).toBeDefined();
  });
});

describe('parsePriceList: Lambda', () => {
  it('builds a complete region; LMI requests fall back to the standard price with a note', () => {
    // Prepare
    const items = fullLambdaRegion('us-east-1');

    // Act
    const book = parsePriceList(items, { source: 'snapshot', asOf: '2026-11-01' });

    // Assess
    const lambdaPrices = book.regions['us-east-1']?.lambda;
    expect(book.source).toBe('snapshot');
    expect(book.asOf).toBe('2026-11-01');
    expect(lambdaPrices?.requestUsd).toEqual({ x86_64: 0.0000002, arm64: 0.00000021 });
    expect(lambdaPrices?.provisionedConcurrencyUsdPerGbSecond).toEqual({ x86_64: 0.0000041667, arm64: 0.0000033334 });
    expect(lambdaPrices?.provisionedDurationUsdPerGbSecond).toEqual({ x86_64: 0.0000097222, arm64: 0.0000077778 });
    expect(lambdaPrices?.ephemeralStorageUsdPerGbSecond).toEqual({ x86_64: 0.0000000309, arm64: 0.000000031 });
    expect(lambdaPrices?.lmiRequestUsd).toBe(lambdaPrices?.requestUsd.x86_64);
    expect(book.warnings.some((w) => w.includes('us-east-1: no LMI request price'))).toBe(true);
  });

  it('sorts duration tiers by beginRange and reads "Inf" as Infinity', () => {
    // Prepare: tiers listed last-first.
    const items = [
      ...fullLambdaRegion('us-east-1', ['AWS-Lambda-Duration']),
      lambda('us-east-1', 'AWS-Lambda-Duration', [
        { begin: '15000000000', end: 'Inf', usd: '0.0000133334' },
        { begin: '0', end: '6000000000', usd: '0.0000166667' },
        { begin: '6000000000', end: '15000000000', usd: '0.0000150000' },
      ]),
    ];

    // Act
    const tiers = parsePriceList(items, META).regions['us-east-1']?.lambda?.durationTiers.x86_64;

    // Assess
    expect(tiers).toEqual([
      { fromGbSeconds: 0, toGbSeconds: 6e9, usdPerGbSecond: 0.0000166667 },
      { fromGbSeconds: 6e9, toGbSeconds: 15e9, usdPerGbSecond: 0.000015 },
      { fromGbSeconds: 15e9, toGbSeconds: Number.POSITIVE_INFINITY, usdPerGbSecond: 0.0000133334 },
    ]);
  });

  it('gives the same tiers whatever order the dimensions come in', () => {
    const dims: Dim[] = [
      { begin: '0', end: '7500000000', usd: '0.0000133334' },
      { begin: '7500000000', end: '18750000000', usd: '0.0000120001' },
      { begin: '18750000000', end: 'Inf', usd: '0.0000106667' },
    ];
    const base = fullLambdaRegion('us-east-1');
    const expected = parsePriceList(base, META).regions['us-east-1']?.lambda?.durationTiers.arm64;
    fc.assert(
      fc.property(fc.shuffledSubarray(dims, { minLength: 3, maxLength: 3 }), (shuffled) => {
        const items = [...fullLambdaRegion('us-east-1', ['AWS-Lambda-Duration-ARM']), lambda('us-east-1', 'AWS-Lambda-Duration-ARM', shuffled)];
        expect(parsePriceList(items, META).regions['us-east-1']?.lambda?.durationTiers.arm64).toEqual(expected);
      }),
    );
  });

  it('rejects tiers with a gap: no lambda prices for the region, and a warning', () => {
    // Prepare
    const items = [
      ...fullLambdaRegion('us-east-1', ['AWS-Lambda-Duration']),
      lambda('us-east-1', 'AWS-Lambda-Duration', [
        { begin: '0', end: '6000000000', usd: '0.0000166667' },
        { begin: '7000000000', end: 'Inf', usd: '0.0000150000' },
      ]),
    ];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['us-east-1']?.lambda).toBeUndefined();
    expect(book.warnings.some((w) => w.includes('AWS-Lambda-Duration') && w.includes('do not run contiguously'))).toBe(true);
  });

  it('skips the free-tier Global-* rows, which would otherwise read as a $0 price', () => {
    // Prepare: free-tier rows listed before the real ones, same groups, price 0.
    const items = [
      lambda('us-east-1', 'AWS-Lambda-Requests', [{ begin: '0', end: '1000000', usd: '0.0000000000' }], { usagetype: 'Global-Request' }),
      lambda('us-east-1', 'AWS-Lambda-Duration', [{ begin: '0', end: '400000', usd: '0.0000000000' }], { usagetype: 'Global-Lambda-GB-Second' }),
      ...fullLambdaRegion('us-east-1'),
    ];

    // Act
    const { book, stats } = parsePriceListWithStats(items, META);

    // Assess
    expect(stats.skipped.freeTier).toBe(2);
    expect(book.regions['us-east-1']?.lambda?.requestUsd.x86_64).toBe(0.0000002);
    expect(book.regions['us-east-1']?.lambda?.durationTiers.x86_64[0]?.usdPerGbSecond).toBe(0.0000166667);
  });

  it('skips Lambda@Edge groups and counts unknown Lambda kinds with one summary warning', () => {
    // Prepare
    const items = [
      ...fullLambdaRegion('us-east-1'),
      lambda('us-east-1', 'AWS-Lambda-Edge-Requests', [{ usd: '0.0000006' }]),
      lambda('us-east-1', 'AWS-Lambda-SnapStart-Cache', [{ usd: '0.0000015046' }]),
    ];

    // Act
    const { book, stats } = parsePriceListWithStats(items, META);

    // Assess
    expect(stats.skipped.edge).toBe(1);
    expect(stats.skipped.unrecognised).toBe(1);
    expect(book.warnings.filter((w) => w.includes('AWS-Lambda-SnapStart-Cache'))).toHaveLength(1);
    expect(book.regions['us-east-1']?.lambda).toBeDefined();
  });

  it('leaves out a region missing its duration prices, with a warning naming what is missing', () => {
    // Prepare
    const items = [...fullLambdaRegion('us-east-1'), ...fullLambdaRegion('us-west-2', ['AWS-Lambda-Duration-ARM'])];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['us-east-1']?.lambda).toBeDefined();
    expect(book.regions['us-west-2']).toBeDefined();
    expect(book.regions['us-west-2']?.lambda).toBeUndefined();
    expect(book.warnings).toContainEqual(expect.stringMatching(/^us-west-2: Lambda prices incomplete \(missing duration:arm64\)/));
  });

  it('drops a dimension listed twice with different prices rather than pick one', () => {
    // Prepare
    const items = [...fullLambdaRegion('us-east-1'), item('OTHER-SKU', 'AWSLambda', { regionCode: 'us-east-1', group: 'AWS-Lambda-Requests', usagetype: 'Request' }, [{ usd: '0.0000003' }])];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['us-east-1']?.lambda).toBeUndefined();
    expect(book.warnings.some((w) => w.includes('requests:x86_64: conflicting prices') && w.includes('OTHER-SKU'))).toBe(true);
  });

  it('accepts the same dimension listed twice with the same price', () => {
    // Prepare
    const items = [...fullLambdaRegion('us-east-1'), ...fullLambdaRegion('us-east-1')];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['us-east-1']?.lambda?.requestUsd.x86_64).toBe(0.0000002);
  });

  it('reads LMI request and management-fee SKUs when present', () => {
    // Prepare
    const items = [
      ...fullLambdaRegion('us-east-1'),
      ec2('us-east-1', 'm7g.xlarge', '4', '16 GiB', '0.1632000000'),
      ec2('us-east-1', 'c7g.xlarge', '4', '8 GiB', '0.1450000000'),
      lambda('us-east-1', 'AWS-Lambda-Managed-Instances', [{ usd: '0.0244800000' }], {
        usagetype: 'Lambda-Managed-Instances-m7g.xlarge-Management-Hours',
        lambdaManagedInstanceType: 'm7g.xlarge',
      }),
      lambda('us-east-1', 'AWS-Lambda-Managed-Instances-Requests', [{ usd: '0.0000002500' }], {
        usagetype: 'Lambda-Managed-Instances-Request',
        'lambdaManagedInstances-RequestType': 'Standard',
      }),
    ];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    const instances = book.regions['us-east-1']?.instances ?? [];
    expect(instances.find((i) => i.instanceType === 'm7g.xlarge')?.managementFeeUsdPerHour).toBe(0.02448);
    expect(instances.find((i) => i.instanceType === 'c7g.xlarge')).not.toHaveProperty('managementFeeUsdPerHour');
    expect(book.regions['us-east-1']?.lambda?.lmiRequestUsd).toBe(0.00000025);
    expect(book.warnings.some((w) => w.includes('no LMI request price'))).toBe(false);
  });

  it('skips an item with no regionCode and an unknown location, with a warning', () => {
    // Prepare
    const orphan = item('ORPHAN', 'AWSLambda', { group: 'AWS-Lambda-Requests', usagetype: 'XX-Request', location: 'Moon (Base One)' }, [{ usd: '0.0000002' }]);

    // Act
    const { book, stats } = parsePriceListWithStats([orphan], META);

    // Assess
    expect(stats.skipped.withWarning).toBe(1);
    expect(Object.keys(book.regions)).toEqual([]);
    expect(book.warnings).toContainEqual(expect.stringContaining('SKU ORPHAN'));
  });
});

describe('parsePriceList: EC2', () => {
  it('keeps only Linux / Shared / NA / Used rows of C/M/R types, large and up', () => {
    // Prepare
    const items = [
      ec2('us-east-1', 'c6i.large', '2', '4 GiB', '0.085'),
      ec2('us-east-1', 'c6i.xlarge', '4', '8 GiB', '0.9', { operatingSystem: 'Windows' }),
      ec2('us-east-1', 'r6i.large', '2', '16 GiB', '0.9', { tenancy: 'Dedicated' }),
      ec2('us-east-1', 'm6i.large', '2', '8 GiB', '0.9', { capacitystatus: 'UnusedCapacityReservation' }),
      ec2('us-east-1', 'm6i.xlarge', '4', '16 GiB', '0.9', { preInstalledSw: 'SQL Web' }),
      ec2('us-east-1', 'c7g.medium', '1', '2 GiB', '0.0363'),
      ec2('us-east-1', 'x2gd.large', '2', '32 GiB', '0.167'),
    ];

    // Act
    const { book, stats } = parsePriceListWithStats(items, META);

    // Assess
    expect(book.regions['us-east-1']?.instances.map((i) => i.instanceType)).toEqual(['c6i.large']);
    expect(stats.skipped.ec2Filtered).toBe(4);
    expect(stats.skipped.notLmiInstance).toBe(2);
  });

  it('tells the architecture from the processor, else from a g after the generation', () => {
    // Prepare
    const items = [
      ec2('us-east-1', 'c7gn.large', '2', '4 GiB', '0.1'),
      ec2('us-east-1', 'm8g.large', '2', '8 GiB', '0.1', { physicalProcessor: 'AWS Graviton4 Processor' }),
      ec2('us-east-1', 'r7i.large', '2', '16 GiB', '0.1', { physicalProcessor: 'Intel Xeon Scalable (Sapphire Rapids)' }),
      ec2('us-east-1', 'm5.large', '2', '8 GiB', '0.1'),
    ];

    // Act
    const instances = parsePriceList(items, META).regions['us-east-1']?.instances ?? [];

    // Assess
    expect(Object.fromEntries(instances.map((i) => [i.instanceType, i.architecture]))).toEqual({
      'c7gn.large': 'arm64',
      'm5.large': 'x86_64',
      'm8g.large': 'arm64',
      'r7i.large': 'x86_64',
    });
  });

  it('reads memory with thousands separators and skips unreadable sizes with a warning', () => {
    // Prepare
    const items = [
      ec2('us-east-1', 'r7i.48xlarge', '192', '1,536 GiB', '12.7008'),
      ec2('us-east-1', 'm7i.metal-48xl', '192', 'NA', '9.6768'),
    ];

    // Act
    const book = parsePriceList(items, META);

    // Assess
    expect(book.regions['us-east-1']?.instances).toEqual([
      { instanceType: 'r7i.48xlarge', family: 'r', architecture: 'x86_64', vCpus: 192, memoryGiB: 1536, onDemandUsdPerHour: 12.7008 },
    ]);
    expect(book.warnings).toContainEqual(expect.stringContaining('m7i.metal-48xl'));
  });

  it('warns when a region has Lambda prices but no instance prices', () => {
    // Act
    const book = parsePriceList(fullLambdaRegion('us-east-1'), META);

    // Assess
    expect(book.regions['us-east-1']?.instances).toEqual([]);
    expect(book.warnings).toContainEqual(expect.stringContaining('us-east-1: no EC2 C/M/R on-demand Linux prices'));
  });
});

describe('parsePriceList: malformed input', () => {
  it('names the item, SKU and field of a price that is not a decimal string', () => {
    // Prepare
    const bad = structuredClone(LAMBDA_REQUESTS_EU_WEST_1);
    bad.terms.OnDemand['B5V2RNHAWGVJBZD3.JRTCKXETXF'].priceDimensions['B5V2RNHAWGVJBZD3.JRTCKXETXF.6YS6EN2CT7'].pricePerUnit.USD = 'twenty cents';

    // Act
    const act = () => parsePriceList([EC2_T3_MICRO, JSON.stringify(bad)], META);

    // Assess
    expect(act).toThrow(PriceBookError);
    expect(act).toThrow(/Price List item 1 \(SKU B5V2RNHAWGVJBZD3\): terms\.OnDemand\..*\.pricePerUnit\.USD: expected a decimal string/);
  });

  it('names the item and field when product.attributes is missing', () => {
    // Prepare
    const bad = { product: { sku: 'NOATTRS' }, serviceCode: 'AWSLambda', terms: {} };

    // Act
    const act = () => parsePriceList([bad], META);

    // Assess
    expect(act).toThrow(/item 0 \(SKU NOATTRS\): product\.attributes/);
  });

  it('names the item of a string that is not JSON', () => {
    // Act
    const act = () => parsePriceList(['{"product":'], META);

    // Assess
    expect(act).toThrow(PriceBookError);
    expect(act).toThrow(/Price List item 0: not valid JSON/);
  });

  it('rejects an endRange that is neither a number nor "Inf"', () => {
    // Prepare
    const bad = lambda('us-east-1', 'AWS-Lambda-Duration', [{ begin: '0', end: 'Infinity', usd: '0.0000166667' }]);

    // Act
    const act = () => parsePriceList([bad], META);

    // Assess
    expect(act).toThrow(/SKU SKU-us-east-1-AWS-Lambda-Duration\).*endRange/);
  });

  it('rejects a meta date that is not ISO', () => {
    // Act
    const act = () => parsePriceList([], { source: 'live', asOf: '22/11/2026' });

    // Assess
    expect(act).toThrow(/meta: asOf/);
  });
});

describe('regionPrices', () => {
  it('returns the region, or undefined for unknown names (including prototype keys)', () => {
    // Prepare
    const book = parsePriceList(fullLambdaRegion('us-east-1'), META);

    // Act / Assess
    expect(regionPrices(book, 'us-east-1')?.region).toBe('us-east-1');
    expect(regionPrices(book, 'eu-west-1')).toBeUndefined();
    expect(regionPrices(book, 'constructor')).toBeUndefined();
  });
});
