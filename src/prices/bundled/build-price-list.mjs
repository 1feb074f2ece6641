#!/usr/bin/env node
// Writes price-list.json (the bundled price book) from the figures below, every one of which is
// listed with its source in SOURCES.md. Run: node src/prices/bundled/build-price-list.mjs
// It prints the EC2 rows of SOURCES.md so the two files are made from the same table.
// Sizes not in the reference are derived linearly (EC2 prices scale linearly within a family:
// xlarge = 2 x large, ...), with exact decimal arithmetic (BigInt, 10 decimals as the API gives).
import { writeFileSync } from 'node:fs';

const AS_OF = '2026-11-22';
const REGION = 'us-east-1';
const LOCATION = 'US East (N. Virginia)';
const BILLING_LOCATION = 'US East (Northern Virginia)';
const TERM = 'JRTCKXETXF'; // the OnDemand offer term code
// Rate codes are `<sku>.<term>.<rate>`; only the two tier-1 rate codes below are known, the
// others are marked BUNDLED.
const RATE = 'BUNDLED';
const VERSION = 'bundled-2026-11-22';
const PUBLICATION_DATE = '2026-11-22T00:00:00Z';

const SCALE = 10n ** 10n;
const toFixed10 = (decimal) => {
  const [int, frac = ''] = decimal.split('.');
  return BigInt(int) * SCALE + BigInt((frac + '0000000000').slice(0, 10));
};
const fromFixed10 = (value) => `${value / SCALE}.${(value % SCALE).toString().padStart(10, '0')}`;
const short = (value) => fromFixed10(value).replace(/0+$/, '').replace(/\.$/, '');

function dimension(sku, rateSuffix, { unit, begin = '0', end = 'Inf', usd, description }) {
  const rateCode = `${sku}.${TERM}.${rateSuffix}`;
  return [rateCode, { unit, endRange: end, description, appliesTo: [], rateCode, beginRange: begin, pricePerUnit: { USD: usd } }];
}

function item({ family, attributes, sku, dimensions, serviceCode }) {
  return {
    product: { productFamily: family, attributes, sku },
    serviceCode,
    terms: {
      OnDemand: {
        [`${sku}.${TERM}`]: {
          priceDimensions: Object.fromEntries(dimensions),
          sku,
          effectiveDate: PUBLICATION_DATE,
          offerTermCode: TERM,
          termAttributes: {},
        },
      },
    },
    version: VERSION,
    publicationDate: PUBLICATION_DATE,
  };
}

// ---- Lambda (reference aws-apis.md 3 and lmi-and-pricing.md 3; us-east-1 usagetypes carry no prefix)
function lambdaItem({ sku, group, usagetype, groupDescription, dimensions }) {
  const attributes = {
    servicecode: 'AWSLambda',
    ...(groupDescription ? { groupDescription } : {}),
    usagetype,
    locationType: 'AWS Region',
    location: LOCATION,
    regionCode: REGION,
    servicename: 'AWS Lambda',
    operation: '',
    group,
  };
  return item({ family: 'Serverless', attributes, sku, dimensions, serviceCode: 'AWSLambda' });
}

const lambdaItems = [];
for (const [arch, suffix, sku] of [
  ['x86_64', '', 'GU2ZS9HVP6QTQ7KE'],
  ['arm64', '-ARM', 'BUNDLED-USE1-LAMBDA-REQUESTS-ARM'],
]) {
  lambdaItems.push(
    lambdaItem({
      sku,
      group: `AWS-Lambda-Requests${suffix}`,
      usagetype: `Request${suffix}`,
      groupDescription: 'Invocation call for a Lambda function',
      dimensions: [dimension(sku, RATE, { unit: 'Requests', usd: '0.0000002000', description: `AWS Lambda - Total Requests${arch === 'arm64' ? ' ARM' : ''} - ${BILLING_LOCATION}` })],
    }),
  );
}
const tiers = {
  x86_64: { sku: 'TG3M4CAGBA3NYQBH', tier1Rate: 'CUKFZ388N3', bounds: ['0', '6000000000', '15000000000', 'Inf'], usd: ['0.0000166667', '0.0000150000', '0.0000133334'] },
  arm64: { sku: '72SBSFWPMDTH8S3J', tier1Rate: '6NBUNBXSC3', bounds: ['0', '7500000000', '18750000000', 'Inf'], usd: ['0.0000133334', '0.0000120001', '0.0000106667'] },
};
for (const [arch, t] of Object.entries(tiers)) {
  const suffix = arch === 'arm64' ? '-ARM' : '';
  lambdaItems.push(
    lambdaItem({
      sku: t.sku,
      group: `AWS-Lambda-Duration${suffix}`,
      usagetype: `Lambda-GB-Second${suffix}`,
      groupDescription: 'Invocation duration weighted by memory assigned to function',
      dimensions: t.usd.map((usd, i) =>
        dimension(t.sku, i === 0 ? t.tier1Rate : `BUNDLED-T${i + 1}`, {
          unit: 'Lambda-GB-Second',
          begin: t.bounds[i],
          end: t.bounds[i + 1],
          usd,
          description: `AWS Lambda - Total Compute${suffix ? ' ARM' : ''} - ${BILLING_LOCATION}-Tier-${i + 1}`,
        }),
      ),
    }),
  );
}
const singles = [
  ['AWS-Lambda-Provisioned-Concurrency', 'Lambda-Provisioned-Concurrency', 'Lambda-GB-Second', { x86_64: '0.0000041667', arm64: '0.0000033334' }, { x86_64: 'BMKCD2ZCEYKTYYCB', arm64: 'BUNDLED-USE1-LAMBDA-PC-ARM' }, 'provisioned concurrency'],
  ['AWS-Lambda-Duration-Provisioned', 'Lambda-Provisioned-GB-Second', 'Lambda-GB-Second', { x86_64: '0.0000097222', arm64: '0.0000077778' }, { x86_64: 'BUNDLED-USE1-LAMBDA-PC-DURATION', arm64: 'BUNDLED-USE1-LAMBDA-PC-DURATION-ARM' }, 'duration with provisioned concurrency'],
  ['AWS-Lambda-Storage-Duration', 'Lambda-Storage-GB-Second', 'GB-Seconds', { x86_64: '0.0000000309', arm64: '0.0000000309' }, { x86_64: 'BUNDLED-USE1-LAMBDA-STORAGE', arm64: 'BUNDLED-USE1-LAMBDA-STORAGE-ARM' }, 'ephemeral storage above 512 MB'],
];
for (const [group, usagetype, unit, usd, skus, what] of singles) {
  for (const arch of ['x86_64', 'arm64']) {
    const suffix = arch === 'arm64' ? '-ARM' : '';
    const sku = skus[arch];
    lambdaItems.push(
      lambdaItem({
        sku,
        group: `${group}${suffix}`,
        usagetype: `${usagetype}${suffix}`,
        dimensions: [dimension(sku, RATE, { unit, usd: usd[arch], description: `Bundled: AWS Lambda ${what}, ${arch} - ${LOCATION}` })],
      }),
    );
  }
}

// ---- EC2 on-demand Linux, shared tenancy (reference lmi-and-pricing.md 4)
// [family, known sizes -> $/h as the reference gives them, source, confidence, date]
const SIZES = [
  ['large', 2],
  ['xlarge', 4],
  ['2xlarge', 8],
  ['4xlarge', 16],
  ['8xlarge', 32],
];
const GIB_PER_VCPU = { c: 2, m: 4, r: 8 };
const INSTANCE_FAMILY = { c: 'Compute optimized', m: 'General purpose', r: 'Memory optimized' };
const GRAVITON = { 6: 'AWS Graviton2 Processor', 7: 'AWS Graviton3 Processor', 8: 'AWS Graviton4 Processor' };
const FAMILIES = [
  ['c7g', { large: '0.0725', xlarge: '0.145', '2xlarge': '0.29', '4xlarge': '0.58' }, '[SAMPLE] calculator.js; AWS offer-file quote; many code tables', 'H', 'not stated'],
  ['m7g', { large: '0.0816', xlarge: '0.1632', '2xlarge': '0.3264', '4xlarge': '0.6528' }, '[PRICE] LMI worked example (xlarge $0.1632); [SAMPLE]', 'H', 'not stated'],
  ['r7g', { large: '0.1071', xlarge: '0.2142', '2xlarge': '0.4284', '4xlarge': '0.8568' }, 'several independent tables ([SAMPLE] rounds xlarge to 0.2140)', 'M', 'not stated'],
  ['c8g', { large: '0.07976', xlarge: '0.15952', '2xlarge': '0.31904', '4xlarge': '0.63808' }, 'code comment "AWS Price List API, read 2026-10-05" (large); sprinters-sh/sprinters.sh docs/aws-regions.md per-vCPU table', 'M', '2026-10-05 (large); 2026-03'],
  ['m8g', { large: '0.08976', xlarge: '0.17952', '2xlarge': '0.35904', '4xlarge': '0.71808' }, 'sprinters-sh/sprinters.sh per-vCPU table (4xlarge quoted directly)', 'M', '2026-03'],
  ['r8g', { large: '0.11782', xlarge: '0.23564', '2xlarge': '0.47128', '4xlarge': '0.94256' }, 'sprinters-sh/sprinters.sh per-vCPU 0.05891; a 4-dp table gives 0.1178/0.2356', 'M', '2026-03'],
  ['c7i', { large: '0.08925', xlarge: '0.1785', '2xlarge': '0.357' }, 'code comment "Price List API"; [FINDER] pricing.py', 'M', 'not stated'],
  ['m7i', { large: '0.1008', xlarge: '0.2016', '2xlarge': '0.4032' }, '[FINDER] pricing.py; sprinters', 'M', 'not stated'],
  ['r7i', { large: '0.1323', xlarge: '0.2646', '2xlarge': '0.5292' }, '[FINDER] pricing.py; sprinters', 'M', 'not stated'],
  ['c6g', { large: '0.068' }, 'many public price tables', 'M', 'not stated'],
  ['m6g', { large: '0.077' }, 'many public price tables', 'M', 'not stated'],
  ['r6g', { large: '0.1008' }, 'many public price tables', 'M', 'not stated'],
  ['c6i', { large: '0.085' }, 'many public price tables', 'M', 'not stated'],
  ['m6i', { large: '0.096' }, 'many public price tables', 'M', 'not stated'],
  ['r6i', { large: '0.126' }, 'many public price tables', 'M', 'not stated'],
  ['c5', { large: '0.085' }, 'many public price tables', 'M', 'not stated'],
  ['m5', { large: '0.096' }, 'many public price tables', 'M', 'not stated'],
  ['r5', { large: '0.126' }, 'many public price tables', 'M', 'not stated'],
];
// c5 has no 8xlarge (its sizes go 4xlarge -> 9xlarge); every other family here has one.
const MISSING_SIZES = new Set(['c5.8xlarge']);

const ec2Items = [];
const rows = [];
for (const [family, known, source, confidence, date] of FAMILIES) {
  const letter = family[0];
  const generation = Number(/\d+/.exec(family)[0]);
  const graviton = /^[cmr]\d+g/.test(family);
  // Largest quoted size is the base of the linear extrapolation.
  const baseIndex = Math.max(...Object.keys(known).map((s) => SIZES.findIndex(([n]) => n === s)));
  const [baseSize, baseVCpu] = SIZES[baseIndex];
  const basePrice = toFixed10(known[baseSize]);
  for (const [size, vCpu] of SIZES) {
    const type = `${family}.${size}`;
    if (MISSING_SIZES.has(type)) continue;
    let price;
    let provenance;
    if (known[size] !== undefined) {
      price = toFixed10(known[size]);
      provenance = 'reference table';
    } else {
      // Only sizes above the base are derived, by whole multiples, so the result is exact.
      if (vCpu % baseVCpu !== 0) throw new Error(`cannot derive ${type}`);
      price = basePrice * BigInt(vCpu / baseVCpu);
      provenance = `derived: ${vCpu / baseVCpu} x ${family}.${baseSize}`;
    }
    const memoryGiB = vCpu * GIB_PER_VCPU[letter];
    const sku = `BUNDLED-USE1-${family.toUpperCase()}-${size.toUpperCase()}`;
    const attributes = {
      servicecode: 'AmazonEC2',
      servicename: 'Amazon Elastic Compute Cloud',
      instanceType: type,
      instanceFamily: INSTANCE_FAMILY[letter],
      vcpu: String(vCpu),
      memory: `${memoryGiB} GiB`,
      ...(graviton ? { physicalProcessor: GRAVITON[generation] } : {}),
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      preInstalledSw: 'NA',
      capacitystatus: 'Used',
      licenseModel: 'No License required',
      regionCode: REGION,
      location: LOCATION,
      locationType: 'AWS Region',
      usagetype: `BoxUsage:${type}`,
      operation: 'RunInstances',
      currentGeneration: 'Yes',
    };
    const usd = fromFixed10(price);
    ec2Items.push(
      item({
        family: 'Compute Instance',
        attributes,
        sku,
        serviceCode: 'AmazonEC2',
        dimensions: [dimension(sku, RATE, { unit: 'Hrs', usd, description: `$${short(price)} per On Demand Linux ${type} Instance Hour` })],
      }),
    );
    rows.push(`| ${REGION} | ${type} | ${graviton ? 'arm64' : 'x86_64'} | ${vCpu} | ${memoryGiB} | ${short(price)} | ${provenance} | ${source} | ${confidence} | ${date} |`);
  }
}

const out = {
  asOf: AS_OF,
  note:
    'Bundled fallback prices, us-east-1 only, read from the project reference tables on 2026-11-22 (see SOURCES.md for each figure). ' +
    'Item shape as GetProducts returns it; SKUs starting BUNDLED-, rate codes ending BUNDLED/BUNDLED-Tn, versions and dates are synthetic. ' +
    'Prefer live prices (Price List API) when available.',
  items: [...lambdaItems, ...ec2Items],
};
writeFileSync(new URL('./price-list.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(rows.join('\n'));
