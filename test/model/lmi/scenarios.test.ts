/**
 * The hand-made scenario snapshots (fixtures/scenarios, see its README) through the LMI sizing.
 * Lines are parsed directly (not with the snapshot reader) so this stays a test of the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sizeLmi } from '../../../src/model/lmi/size.js';
import type { FunctionProfile, SnapshotHeader } from '../../../src/source/profile.js';
import { testConfig, testRegionPrices, usageOf } from './helpers.js';

function scenario(file: string) {
  const [header, ...lines] = readFileSync(new URL(`../../../fixtures/scenarios/${file}`, import.meta.url), 'utf8').trim().split('\n');
  const window = (JSON.parse(header!) as SnapshotHeader).window;
  const profile = JSON.parse(lines[0]!) as FunctionProfile;
  const sizing = sizeLmi(profile, usageOf(profile), { window, prices: testRegionPrices(), config: testConfig() })!;
  return { profile, sizing };
}

describe('LMI sizing of the scenario snapshots', () => {
  it('steady.ndjson: a steady load needs no throttles', () => {
    const { sizing } = scenario('steady.ndjson');

    expect(sizing.result.throttledInvocations).toBe(0);
    expect(sizing.risks.join('\n')).not.toMatch(/throttled|coarse/);
  });

  it('triple-burst.ndjson: x3 from one minute to the next is throttled while scaling out', () => {
    const { profile, sizing } = scenario('triple-burst.ndjson');

    // Node.js 1024 MB at the safe bound: 1024 / 1769 of a vCPU per request -> 1 per 1-vCPU EE,
    // so before the burst capacity is 2 x the recent peak; the burst peak (17) exceeds 2 x 6.
    const peakBefore = Math.max(...profile.series.concurrencyMax.slice(0, 600).map((c) => c ?? 0));
    expect(sizing.result.perEnvironmentConcurrency).toBe(1);
    expect(Math.max(...profile.series.concurrencyMax.map((c) => c ?? 0))).toBeGreaterThan(2 * peakBefore);
    expect(sizing.result.throttledInvocations).toBeGreaterThan(0);
    expect(sizing.risks.some((r) => r.includes('throttled'))).toBe(true);
  });

  it('coarse-3600.ndjson: hourly data gives the coarse-data risk', () => {
    const { sizing } = scenario('coarse-3600.ndjson');

    expect(sizing.result.throttledInvocations).toBe(0);
    expect(sizing.risks).toContain('coarse data: bursts within 60-minute periods are not seen');
  });

  it('idle.ndjson: an idle function still pays the 3-instance floor', () => {
    const { sizing } = scenario('idle.ndjson');

    expect(sizing.result.peakInstances).toBe(3);
    expect(sizing.result.instanceHours).toBeCloseTo(3 * 730, 9);
    expect(sizing.result.needsMemoryIncrease).toBe(true);
  });
});
