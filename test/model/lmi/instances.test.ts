import { describe, expect, it } from 'vitest';
import { checkEligibility } from '../../../src/model/lmi/eligibility.js';
import {
  candidateInstanceTypes,
  cheapestType,
  cheapestTypeOf,
  environmentsPerInstance,
  histogramDemand,
  instancesFor,
  keptInstancePeriods,
  typeOptions,
} from '../../../src/model/lmi/instances.js';
import { environmentHistogram, histogram } from '../../../src/model/lmi/replay.js';
import { environmentShapes, perEnvironmentConcurrency } from '../../../src/model/lmi/shape.js';
import { testConfig, testInstances } from './helpers.js';

const reserve = { vCpu: 1, memoryMiB: 1024 };

describe('environmentsPerInstance (AWS sample calculator formula)', () => {
  it('c7g.xlarge (4 vCPU, 8 GiB) with 2 GB / 1 vCPU EEs holds min(3, 3) = 3', () => {
    expect(environmentsPerInstance({ vCpus: 4, memoryGiB: 8 }, { vCpus: 1, memoryMiB: 2048 }, reserve)).toBe(3);
  });

  it('memory can be the tighter bound: m7g.xlarge with 8 GB / 1 vCPU EEs holds 1', () => {
    // CPU allows (4 - 1) / 1 = 3, memory (16384 - 1024) / 8192 = 1.
    expect(environmentsPerInstance({ vCpus: 4, memoryGiB: 16 }, { vCpus: 1, memoryMiB: 8192 }, reserve)).toBe(1);
  });

  it('an EE larger than the instance does not fit (0)', () => {
    expect(environmentsPerInstance({ vCpus: 2, memoryGiB: 4 }, { vCpus: 2, memoryMiB: 4096 }, reserve)).toBe(0);
  });
});

describe('instancesFor', () => {
  it('never fewer than minInstances; ceil(EEs / k) above', () => {
    expect(instancesFor(0, 3, 3)).toBe(3);
    expect(instancesFor(9, 3, 3)).toBe(3);
    expect(instancesFor(10, 3, 3)).toBe(4);
  });
});

describe('AWS sample calculator worked case', () => {
  // CALCULATOR_METHODOLOGY.md: Python, 100 concurrency, 512 MB per execution, "balanced"
  // workload (25 % CPU -> 4 per vCPU), c7g.xlarge -> 25 EEs, 3 EEs/instance, 9 base instances
  // (the calculator then adds its own x1.5 buffer: 14; this model's buffer is lmi.headroom on EEs).
  it('gives 4 per EE, 25 EEs and 9 instances before the buffer', () => {
    const [shape] = environmentShapes(Math.max(2048, 512 * 4), [2]);
    const perEE = perEnvironmentConcurrency({ shape: shape!, traits: checkEligibility('python3.13', 2048).traits, cpuShare: 0.25, processMemoryMB: 512 });
    const envHist = environmentHistogram(histogram(Float64Array.of(100)), { perEnvironment: perEE.perEnvironment, headroom: 1, minEnvironments: 3 }, 1);
    const k = environmentsPerInstance({ vCpus: 4, memoryGiB: 8 }, shape!, reserve);

    expect(perEE.perEnvironment).toBe(4);
    expect(envHist.values[0]).toBe(25);
    expect(k).toBe(3);
    expect(instancesFor(25, k, 3)).toBe(9);
  });
});

describe('candidateInstanceTypes and typeOptions', () => {
  it('keeps the architecture, the families and the allow-list', () => {
    const all = testInstances();
    const lmi = testConfig({ instanceFamilies: ['c', 'm'], allowedInstanceTypes: [] }).lmi;

    const arm = candidateInstanceTypes(all, 'arm64', lmi);
    const allowed = candidateInstanceTypes(all, 'arm64', testConfig({ allowedInstanceTypes: ['m7g.xlarge', 'c7i.large'] }).lmi);

    expect(arm.every((t) => t.architecture === 'arm64' && t.family !== 'r')).toBe(true);
    expect(arm).toHaveLength(8);
    expect(allowed.map((t) => t.instanceType)).toEqual(['m7g.xlarge']);
  });

  it('drops a type that holds no more EEs than a cheaper one', () => {
    const types = candidateInstanceTypes(testInstances(), 'arm64', testConfig().lmi);

    const options = typeOptions(types, { vCpus: 1, memoryMiB: 2048 }, testConfig().lmi);

    // m7g.large holds 1 EE (CPU bound) like c7g.large but costs more.
    expect(options.map((o) => o.price.instanceType)).not.toContain('m7g.large');
    expect(options.map((o) => o.price.instanceType)).toContain('c7g.large');
    // Every kept option is cheaper per hour than all options holding more EEs.
    for (let i = 1; i < options.length; i++) {
      expect(options[i]!.perInstance).toBeLessThan(options[i - 1]!.perInstance);
      expect(options[i]!.rates.totalUsdPerHour).toBeLessThan(options[i - 1]!.rates.totalUsdPerHour);
    }
  });

  it('cheapestType agrees with trying every type on every period', () => {
    const lmi = testConfig().lmi;
    const types = candidateInstanceTypes(testInstances(), 'arm64', lmi);
    const env = { vCpus: 1, memoryMiB: 2048 };
    const series = Float64Array.from({ length: 500 }, (_, i) => Math.floor(40 + 35 * Math.sin(i / 17)));
    const hist = histogram(series);
    const envHist = environmentHistogram(hist, { perEnvironment: 10, headroom: 2, minEnvironments: 3 }, 1);

    const choice = cheapestType(envHist, typeOptions(types, env, lmi), lmi.minInstances);

    let bruteBest = Infinity;
    for (const t of types) {
      const k = environmentsPerInstance(t, env, reserve);
      if (k < 1) continue;
      let instances = 0;
      for (const c of series) instances += instancesFor(Math.max(3, Math.ceil(Math.ceil(c / 10) * 2)), k, 3);
      bruteBest = Math.min(bruteBest, instances * t.onDemandUsdPerHour * 1.15);
    }
    expect(choice!.costUnits).toBeCloseTo(bruteBest, 9);
  });

  it('a demand that keeps its instance-periods prices as the histogram does, across discounts (option lists)', () => {
    const series = Float64Array.from({ length: 700 }, (_, i) => Math.floor(60 + 50 * Math.sin(i / 23)));
    const envHist = environmentHistogram(histogram(series), { perEnvironment: 7, headroom: 1.5, minEnvironments: 3 }, 1);
    const kept = keptInstancePeriods(histogramDemand(envHist));
    for (const discount of [0, 0.3, 0.72, 0.1, 0.3]) {
      const lmi = testConfig({ discount }).lmi;
      const types = candidateInstanceTypes(testInstances(), 'x86_64', lmi);
      const options = typeOptions(types, { vCpus: 2, memoryMiB: 4096 }, lmi);

      // Act, Assess: the same choice, to the bit, and the cached option list is the list built.
      expect(cheapestTypeOf(kept, options, lmi.minInstances)).toEqual(cheapestType(envHist, options, lmi.minInstances));
      expect(typeOptions(types, { vCpus: 2, memoryMiB: 4096 }, lmi)).toBe(options);
      expect(typeOptions([...types], { vCpus: 2, memoryMiB: 4096 }, lmi)).toEqual(options);
    }
  });
});
