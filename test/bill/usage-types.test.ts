import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  defaultUsageTypeTable,
  GROUP_OF_SUFFIX,
  parseUsageType,
  splitPrefix,
  usageItemOf,
  usageTypeTableFromPriceList,
} from '../../src/bill/usage-types.js';

const bundled = JSON.parse(readFileSync(new URL('../../src/prices/bundled/price-list.json', import.meta.url), 'utf8')) as {
  items: object[];
};

describe('parseUsageType', () => {
  const table = defaultUsageTypeTable();

  it('reads every Lambda item of the bundled price list as the line its group names', () => {
    const items = bundled.items.map(usageItemOf).filter((i) => i !== null);
    expect(items.length).toBe(10);
    const kindOfGroup: Record<string, string> = {
      'AWS-Lambda-Requests': 'requests',
      'AWS-Lambda-Duration': 'duration',
      'AWS-Lambda-Provisioned-Concurrency': 'pc',
      'AWS-Lambda-Duration-Provisioned': 'pcDuration',
      'AWS-Lambda-Storage-Duration': 'storage',
    };
    for (const item of items) {
      const parsed = parseUsageType(item.usagetype, table);
      expect(parsed.kind).toBe(kindOfGroup[item.group!.replace(/-ARM$/, '')]);
      if (parsed.kind === 'unknown') continue;
      expect(parsed.region).toBe(item.regionCode);
      expect(parsed.architecture).toBe(item.group!.endsWith('-ARM') ? 'arm64' : 'x86_64');
    }
  });

  it('reads region prefixes, ARM, PC, storage and LMI lines', () => {
    expect(parseUsageType('USW2-Lambda-GB-Second-ARM', table)).toMatchObject({ kind: 'duration', region: 'us-west-2', architecture: 'arm64' });
    expect(parseUsageType('EUW1-Request', table)).toMatchObject({ kind: 'requests', region: 'eu-west-1', architecture: 'x86_64' });
    expect(parseUsageType('USE1-Lambda-Provisioned-Concurrency', table)).toMatchObject({ kind: 'pc', region: 'us-east-1' });
    expect(parseUsageType('APN1-Lambda-Provisioned-GB-Second-ARM', table)).toMatchObject({ kind: 'pcDuration', region: 'ap-northeast-1', architecture: 'arm64' });
    expect(parseUsageType('Lambda-Storage-GB-Second', table)).toMatchObject({ kind: 'storage', region: 'us-east-1' });
    // The LMI strings of the AWSLambda price list (docs/reconciliation.md, "The usage-type table").
    expect(parseUsageType('USE2-Lambda-Managed-Instances-m7g.xlarge-Management-Hours', table)).toMatchObject({
      kind: 'lmiFee',
      region: 'us-east-2',
      instanceType: 'm7g.xlarge',
    });
    expect(parseUsageType('Lambda-Managed-Instances-c7i.8xlarge-Management-Hours', table)).toMatchObject({
      kind: 'lmiFee',
      region: 'us-east-1',
      instanceType: 'c7i.8xlarge',
    });
    expect(parseUsageType('Lambda-Managed-Instances-r8g.metal-24xl-Management-Hours', table)).toMatchObject({ instanceType: 'r8g.metal-24xl' });
    // The colon form assumed before is still read; a fee line without a type keeps it unknown (null).
    expect(parseUsageType('USE2-Lambda-Managed-Instances-Management-Hours:m7g.xlarge', table)).toMatchObject({
      kind: 'lmiFee',
      instanceType: 'm7g.xlarge',
    });
    expect(parseUsageType('Lambda-Managed-Instances-Management-Hours', table)).toMatchObject({ kind: 'lmiFee', instanceType: null });
    expect(parseUsageType('Lambda-Managed-Instances-Request', table)).toMatchObject({ kind: 'lmiRequests', region: 'us-east-1' });
    expect(parseUsageType('APN1-Lambda-Managed-Instances-Request-ARM', table)).toMatchObject({ kind: 'lmiRequests', region: 'ap-northeast-1' });
    expect(parseUsageType('Global-Lambda-GB-Second', table)).toMatchObject({ kind: 'freeTier', region: null });
  });

  it('returns unknown usage types with the reason, never drops them', () => {
    expect(parseUsageType('Lambda-SnapStart-Cache-GB-Second', table)).toEqual({
      usageType: 'Lambda-SnapStart-Cache-GB-Second',
      kind: 'unknown',
      reason: 'unknown Lambda usage type "Lambda-SnapStart-Cache-GB-Second"',
    });
    expect(parseUsageType('XYZ9-Lambda-GB-Second', table)).toMatchObject({ kind: 'unknown', reason: 'unknown region prefix "XYZ9"' });
  });

  it('splits the prefix only when it is a billing region code', () => {
    expect(splitPrefix('USW2-Request')).toEqual(['USW2', 'Request']);
    expect(splitPrefix('Request-ARM')).toEqual(['', 'Request-ARM']);
    expect(splitPrefix('Lambda-GB-Second')).toEqual(['', 'Lambda-GB-Second']);
  });
});

describe('usageTypeTableFromPriceList', () => {
  it('learns prefixes from items (usagetype + regionCode) over the built-in table', () => {
    const { table, problems } = usageTypeTableFromPriceList([
      { usagetype: 'XXX1-Lambda-GB-Second', regionCode: 'xx-new-1', group: 'AWS-Lambda-Duration' },
      { usagetype: 'Lambda-GB-Second', regionCode: 'us-east-1', group: 'AWS-Lambda-Duration' },
    ]);
    expect(problems).toEqual([]);
    expect(parseUsageType('XXX1-Request-ARM', table)).toMatchObject({ kind: 'requests', region: 'xx-new-1', architecture: 'arm64' });
  });

  it('reports a prefix given two regions, a group that contradicts the suffix, and a disagreement with the built-in table', () => {
    const { table, problems } = usageTypeTableFromPriceList([
      { usagetype: 'USW2-Request', regionCode: 'us-west-2', group: 'AWS-Lambda-Requests' },
      { usagetype: 'USW2-Request-ARM', regionCode: 'us-west-1', group: 'AWS-Lambda-Requests-ARM' },
      { usagetype: 'EUW1-Request', regionCode: 'eu-west-1', group: 'AWS-Lambda-Duration' },
      { usagetype: 'EUC1-Request', regionCode: 'eu-central-9', group: 'AWS-Lambda-Requests' },
    ]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/prefix "USW2" is both us-west-2 and us-west-1/);
    expect(problems[1]).toMatch(/EUW1-Request is in group AWS-Lambda-Duration/);
    expect(problems[2]).toMatch(/EUC1.*eu-central-9.*built-in table eu-central-1/);
    expect(parseUsageType('USW2-Request', table)).toMatchObject({ region: 'us-west-2' });
    expect(parseUsageType('EUC1-Request', table)).toMatchObject({ region: 'eu-central-9' });
  });

  it('the built-in table agrees with the bundled price list and every standard group is known', () => {
    const items = bundled.items.map(usageItemOf).filter((i) => i !== null);
    expect(usageTypeTableFromPriceList(items).problems).toEqual([]);
    expect(new Set(items.map((i) => i.group))).toEqual(new Set(Object.values(GROUP_OF_SUFFIX)));
  });
});
