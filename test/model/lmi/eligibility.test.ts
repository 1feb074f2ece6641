import { describe, expect, it } from 'vitest';
import { checkEligibility, parseRuntime } from '../../../src/model/lmi/eligibility.js';

describe('checkEligibility', () => {
  it.each([
    // runtime, eligible, needsRuntimeUpgrade, upgradeTo, language
    ['nodejs22.x', true, false, null, 'nodejs'],
    ['nodejs24.x', true, false, null, 'nodejs'],
    ['nodejs20.x', true, true, 'nodejs22.x', 'nodejs'],
    ['nodejs18.x', true, true, 'nodejs22.x', 'nodejs'],
    ['nodejs4.3', true, true, 'nodejs22.x', 'nodejs'],
    ['python3.13', true, false, null, 'python'],
    ['python3.14', true, false, null, 'python'],
    ['python3.9', true, true, 'python3.13', 'python'],
    ['python3.12', true, true, 'python3.13', 'python'],
    ['java21', true, false, null, 'java'],
    ['java25', true, false, null, 'java'],
    ['java17', true, true, 'java21', 'java'],
    ['java8.al2', true, true, 'java21', 'java'],
    ['java11', true, true, 'java21', 'java'],
    ['dotnet8', true, false, null, 'dotnet'],
    ['dotnet10', true, false, null, 'dotnet'],
    ['dotnet6', true, true, 'dotnet8', 'dotnet'],
    ['dotnetcore3.1', true, true, 'dotnet8', 'dotnet'],
    ['provided.al2023', true, false, null, 'provided'],
    ['provided.al2', true, true, 'provided.al2023', 'provided'],
    ['provided', true, true, 'provided.al2023', 'provided'],
  ] as const)('%s: eligible=%s upgrade=%s', (runtime, eligible, upgrade, upgradeTo, language) => {
    // Prepare / Act
    const e = checkEligibility(runtime, 4096);

    // Assess
    expect(e.eligible).toBe(eligible);
    expect(e.blockers).toEqual([]);
    expect(e.needsRuntimeUpgrade).toBe(upgrade);
    expect(e.upgradeTo).toBe(upgradeTo);
    expect(e.traits.language).toBe(language);
    expect(e.assumed).toBe(false);
    expect(e.needsMemoryIncrease).toBe(false);
  });

  it.each(['ruby3.3', 'ruby2.7', 'go1.x'])('%s is a blocker, priced with OS-only defaults', (runtime) => {
    const e = checkEligibility(runtime, 4096);

    expect(e.eligible).toBe(false);
    expect(e.blockers).toHaveLength(1);
    expect(e.blockers[0]).toContain(runtime);
    expect(e.assumed).toBe(true);
    expect(e.traits.concurrencyPerVCpu).toBe(8);
  });

  it('a container image (runtime null) is a blocker', () => {
    const e = checkEligibility(null, 4096);

    expect(e.eligible).toBe(false);
    expect(e.blockers[0]).toMatch(/container image/);
  });

  it.each([
    [128, true],
    [2047, true],
    [2048, false],
    [10240, false],
  ])('memory %i MB needs an increase: %s', (memoryMB, increase) => {
    expect(checkEligibility('nodejs22.x', memoryMB).needsMemoryIncrease).toBe(increase);
  });

  it('runtime defaults per vCPU: Node.js 64, Java 32, .NET 32, Python 16, OS-only 8 (low confidence)', () => {
    const perVCpu = ['nodejs22.x', 'java21', 'dotnet8', 'python3.13', 'provided.al2023'].map(
      (r) => [checkEligibility(r, 2048).traits.concurrencyPerVCpu, checkEligibility(r, 2048).traits.lowConfidence] as const,
    );

    expect(perVCpu).toEqual([
      [64, false],
      [32, false],
      [32, false],
      [16, false],
      [8, true],
    ]);
  });
});

describe('parseRuntime', () => {
  it('reads version parts', () => {
    expect(parseRuntime('python3.12')).toEqual({ language: 'python', version: [3, 12] });
    expect(parseRuntime('provided.al2023')).toEqual({ language: 'provided', version: [2023] });
    expect(parseRuntime('ruby3.3')).toBeNull();
  });
});
