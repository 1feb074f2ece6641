import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import data from '../../src/prices/bundled/price-list.json' with { type: 'json' };
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import { parsePriceList, regionPrices } from '../../src/prices/price-list.js';

// Expected figures: the pricing page and offer-file values of reference lmi-and-pricing.md 3-4.
describe('loadBundledPriceBook', () => {
  it('is the bundled book of 2026-11-22, with us-east-1 only', () => {
    // Act
    const book = loadBundledPriceBook();

    // Assess
    expect(book.source).toBe('bundled');
    expect(book.asOf).toBe('2026-11-22');
    expect(Object.keys(book.regions)).toEqual(['us-east-1']);
    expect(regionPrices(book, 'us-west-2')).toBeUndefined();
  });

  it('has the us-east-1 Lambda prices of the pricing page', () => {
    // Act
    const lambda = loadBundledPriceBook().regions['us-east-1']?.lambda;

    // Assess
    expect(lambda?.durationTiers.x86_64).toEqual([
      { fromGbSeconds: 0, toGbSeconds: 6e9, usdPerGbSecond: 0.0000166667 },
      { fromGbSeconds: 6e9, toGbSeconds: 15e9, usdPerGbSecond: 0.000015 },
      { fromGbSeconds: 15e9, toGbSeconds: Number.POSITIVE_INFINITY, usdPerGbSecond: 0.0000133334 },
    ]);
    expect(lambda?.durationTiers.arm64).toEqual([
      { fromGbSeconds: 0, toGbSeconds: 7.5e9, usdPerGbSecond: 0.0000133334 },
      { fromGbSeconds: 7.5e9, toGbSeconds: 18.75e9, usdPerGbSecond: 0.0000120001 },
      { fromGbSeconds: 18.75e9, toGbSeconds: Number.POSITIVE_INFINITY, usdPerGbSecond: 0.0000106667 },
    ]);
    expect(lambda?.requestUsd).toEqual({ x86_64: 2e-7, arm64: 2e-7 });
    expect(lambda?.provisionedConcurrencyUsdPerGbSecond).toEqual({ x86_64: 0.0000041667, arm64: 0.0000033334 });
    expect(lambda?.provisionedDurationUsdPerGbSecond).toEqual({ x86_64: 0.0000097222, arm64: 0.0000077778 });
    expect(lambda?.ephemeralStorageUsdPerGbSecond).toEqual({ x86_64: 0.0000000309, arm64: 0.0000000309 });
    expect(lambda?.lmiRequestUsd).toBe(2e-7);
  });

  it('has m7g.xlarge at $0.1632/h (pricing page LMI example), 4 vCPU, 16 GiB, arm64', () => {
    // Act
    const instances = loadBundledPriceBook().regions['us-east-1']?.instances ?? [];

    // Assess
    expect(instances.find((i) => i.instanceType === 'm7g.xlarge')).toEqual({
      instanceType: 'm7g.xlarge',
      family: 'm',
      architecture: 'arm64',
      vCpus: 4,
      memoryGiB: 16,
      onDemandUsdPerHour: 0.1632,
    });
  });

  it('has only C/M/R instances, with the family memory ratio and both architectures', () => {
    // Act
    const instances = loadBundledPriceBook().regions['us-east-1']?.instances ?? [];

    // Assess
    expect(instances.filter((i) => !['c', 'm', 'r'].includes(i.family))).toEqual([]);
    expect(instances.some((i) => i.instanceType.startsWith('t'))).toBe(false);
    const ratio = { c: 2, m: 4, r: 8 } as Record<string, number>;
    expect(instances.filter((i) => i.memoryGiB !== i.vCpus * (ratio[i.family] ?? Number.NaN))).toEqual([]);
    expect(new Set(instances.map((i) => i.architecture))).toEqual(new Set(['arm64', 'x86_64']));
  });

  it('prices every size linearly within its family (8xlarge = 2 x 4xlarge)', () => {
    // Act
    const instances = loadBundledPriceBook().regions['us-east-1']?.instances ?? [];

    // Assess: the per-vCPU price is one value per family (to 1e-9 $/h, float noise only).
    const perVCpu = new Map<string, number>();
    for (const i of instances) {
      const family = i.instanceType.split('.')[0] ?? '';
      const price = i.onDemandUsdPerHour / i.vCpus;
      const seen = perVCpu.get(family) ?? price;
      expect(Math.abs(price - seen), i.instanceType).toBeLessThan(1e-9);
      perVCpu.set(family, seen);
    }
    expect(perVCpu.size).toBe(18);
  });

  it('matches the EC2 table of SOURCES.md row by row', () => {
    // Prepare: the rows `| us-east-1 | <type> | <arch> | <vCPU> | <GiB> | <USD/h> | ...`.
    const sources = readFileSync(new URL('../../src/prices/bundled/SOURCES.md', import.meta.url), 'utf8');
    const rows = [...sources.matchAll(/^\| us-east-1 \| ([a-z0-9]+\.[a-z0-9]+) \| (\w+) \| (\d+) \| (\d+) \| ([\d.]+) \|/gm)].map((m) => ({
      instanceType: m[1],
      architecture: m[2],
      vCpus: Number(m[3]),
      memoryGiB: Number(m[4]),
      onDemandUsdPerHour: Number(m[5]),
    }));

    // Act
    const instances = loadBundledPriceBook().regions['us-east-1']?.instances ?? [];

    // Assess
    const byType = (a: { instanceType?: string }, b: { instanceType?: string }) => (a.instanceType ?? '').localeCompare(b.instanceType ?? '');
    expect(rows.length).toBeGreaterThan(0);
    expect(instances.map(({ instanceType, architecture, vCpus, memoryGiB, onDemandUsdPerHour }) => ({ instanceType, architecture, vCpus, memoryGiB, onDemandUsdPerHour })).sort(byType)).toEqual(rows.sort(byType));
  });

  it('warns only that LMI requests use the standard price', () => {
    // Act
    const book = loadBundledPriceBook();

    // Assess
    expect(book.warnings).toHaveLength(1);
    expect(book.warnings[0]).toMatch(/^us-east-1: no LMI request price/);
  });

  it('parses the same from the items as API strings (the file is in the exact GetProducts shape)', () => {
    // Prepare
    const strings = data.items.map((i) => JSON.stringify(i));

    // Act
    const fromStrings = parsePriceList(strings, { source: 'bundled', asOf: data.asOf });

    // Assess
    expect(fromStrings).toEqual(loadBundledPriceBook());
  });

  it('returns a fresh book on each call, so a caller cannot change the next one', () => {
    // Prepare
    const first = loadBundledPriceBook();
    first.warnings.push('changed');

    // Act
    const second = loadBundledPriceBook();

    // Assess
    expect(second.warnings).not.toContain('changed');
  });
});
