import { describe, expect, it } from 'vitest';
import { checkEligibility } from '../../../src/model/lmi/eligibility.js';
import { cpuBusyFractionFor, cpuBusyFractionOverrideKey, cpuPerInvocation, environmentShapes, perEnvironmentConcurrency } from '../../../src/model/lmi/shape.js';

const traits = (runtime: string) => checkEligibility(runtime, 2048).traits;

describe('environmentShapes', () => {
  it('2048 MB: only ratio 2 gives at least 1 vCPU', () => {
    const shapes = environmentShapes(2048, [2, 4, 8]);

    expect(shapes).toEqual([{ ratio: 2, vCpus: 1, memoryMiB: 2048, roundedUp: false }]);
  });

  it('8192 MB: 4 vCPUs at 2, 2 at 4, 1 at 8', () => {
    const shapes = environmentShapes(8192, [2, 4, 8]);

    expect(shapes.map((s) => [s.ratio, s.vCpus, s.memoryMiB])).toEqual([
      [2, 4, 8192],
      [4, 2, 8192],
      [8, 1, 8192],
    ]);
  });

  it('below 2048 MB the LMI minimum is used', () => {
    expect(environmentShapes(512, [2, 4, 8])).toEqual(environmentShapes(2048, [2, 4, 8]));
  });

  it('3000 MB: memory rounded up to a whole number of vCPUs x ratio GiB; 4:1 offered at 1 vCPU / 4096 MB', () => {
    const shapes = environmentShapes(3000, [2, 4, 8]);

    // 2.93 GiB / 2 = 1.46 vCPU -> 2 vCPUs, 4096 MiB. Ratio 4 would need 0.73 vCPU: at 1 vCPU it
    // needs the same 4096 MiB, so it is a candidate; ratio 8 would raise memory to 8192: skipped.
    expect(shapes).toEqual([
      { ratio: 2, vCpus: 2, memoryMiB: 4096, roundedUp: true },
      { ratio: 4, vCpus: 1, memoryMiB: 4096, roundedUp: true },
    ]);
  });

  it.each([2049, 3008, 4095])('%i MB (2049-4095): the 4:1 shape is rounded up to 1 vCPU / 4096 MB, not skipped', (memoryMB) => {
    expect(environmentShapes(memoryMB, [2, 4, 8]).find((s) => s.ratio === 4)).toEqual({ ratio: 4, vCpus: 1, memoryMiB: 4096, roundedUp: true });
  });

  it('5000 MB: 8:1 at 1 vCPU needs 8192 MB, no more than 4:1 at 2 vCPUs, so it is offered', () => {
    expect(environmentShapes(5000, [2, 4, 8]).map((s) => [s.ratio, s.vCpus, s.memoryMiB])).toEqual([
      [2, 3, 6144],
      [4, 2, 8192],
      [8, 1, 8192],
    ]);
  });

  it('when every ratio needs < 1 vCPU the smallest is used at 1 vCPU, memory raised', () => {
    expect(environmentShapes(2048, [8, 4])).toEqual([{ ratio: 4, vCpus: 1, memoryMiB: 4096, roundedUp: true }]);
  });
});

describe('cpuPerInvocation', () => {
  it('single-threaded bound: duration x min(1, memory / 1769)', () => {
    const small = cpuPerInvocation({ memoryMB: 1024, avgDurationMs: 200, measuredCpuSeconds: null, singleThreaded: true, cpuBusyFraction: 1 });
    const big = cpuPerInvocation({ memoryMB: 4096, avgDurationMs: 200, measuredCpuSeconds: null, singleThreaded: true, cpuBusyFraction: 1 });

    expect(small.cpuShare).toBeCloseTo(1024 / 1769, 12);
    expect(small.cpuSecondsPerInvocation).toBeCloseTo(0.2 * (1024 / 1769), 12);
    expect(small.cpuSource).toBe('bound');
    expect(big.cpuShare).toBe(1);
    // Where the 1-vCPU cap binds, the figure says it rests on the single-threaded assumption.
    expect(big.cpuSource).toBe('bound-single-threaded');
  });

  it('multi-threaded bound: duration x min(6, memory / 1769)', () => {
    const mid = cpuPerInvocation({ memoryMB: 4096, avgDurationMs: 1000, measuredCpuSeconds: null, singleThreaded: false, cpuBusyFraction: 1 });
    const max = cpuPerInvocation({ memoryMB: 10240, avgDurationMs: 1000, measuredCpuSeconds: null, singleThreaded: false, cpuBusyFraction: 1 });

    expect(mid.cpuShare).toBeCloseTo(4096 / 1769, 12);
    expect(max.cpuShare).toBe(10240 / 1769 > 6 ? 6 : 10240 / 1769);
    expect(max.cpuSecondsPerInvocation).toBeCloseTo(max.cpuShare, 12);
  });

  it('with no known duration the CPU-s per invocation is unknown (null), not 0; the share still follows the bound', () => {
    const c = cpuPerInvocation({ memoryMB: 3538, avgDurationMs: null, measuredCpuSeconds: null, singleThreaded: false, cpuBusyFraction: 1 });

    expect(c.cpuSecondsPerInvocation).toBeNull();
    expect(c.cpuShare).toBeCloseTo(2, 12);
  });

  it('cpuBusyFraction below 1 makes the figure an assumption', () => {
    const c = cpuPerInvocation({ memoryMB: 2048, avgDurationMs: 100, measuredCpuSeconds: null, singleThreaded: true, cpuBusyFraction: 0.25 });

    expect(c.cpuShare).toBe(0.25);
    expect(c.cpuSecondsPerInvocation).toBeCloseTo(0.025, 12);
    expect(c.cpuSource).toBe('assumed');
  });

  it('a measured CPU figure replaces the bound', () => {
    const c = cpuPerInvocation({ memoryMB: 2048, avgDurationMs: 400, measuredCpuSeconds: 0.05, singleThreaded: true, cpuBusyFraction: 1 });

    expect(c).toEqual({ cpuSecondsPerInvocation: 0.05, cpuShare: 0.125, cpuSource: 'measured' });
  });
});

describe('perEnvironmentConcurrency', () => {
  const shape1 = { ratio: 2, vCpus: 1, memoryMiB: 2048, roundedUp: false };
  const shape4 = { ratio: 2, vCpus: 4, memoryMiB: 8192, roundedUp: false };

  it('runtime cap: Node.js 64 per vCPU when CPU is light', () => {
    const c = perEnvironmentConcurrency({ shape: shape4, traits: traits('nodejs22.x'), cpuShare: 0.01, processMemoryMB: null });

    expect(c).toEqual({ perEnvironment: 256, setting: 256, limitedBy: 'runtime' });
  });

  it('CPU cap: floor(vCPUs / cpuShare)', () => {
    const c = perEnvironmentConcurrency({ shape: shape4, traits: traits('java21'), cpuShare: 0.3, processMemoryMB: null });

    // 4 / 0.3 = 13.3 -> 13 (runtime would allow 128).
    expect(c).toEqual({ perEnvironment: 13, setting: 13, limitedBy: 'cpu' });
  });

  it('a share above the EE vCPUs: setting 1, sized at vCPUs / share (the invocation runs longer)', () => {
    const c = perEnvironmentConcurrency({ shape: shape1, traits: traits('java21'), cpuShare: 3, processMemoryMB: null });

    // 3 vCPU-seconds per second of Lambda duration on 1 vCPU: 3x longer, so 1/3 invocation per EE.
    expect(c.setting).toBe(1);
    expect(c.limitedBy).toBe('cpu');
    expect(c.perEnvironment).toBeCloseTo(1 / 3, 12);
  });

  it('Python memory cap: measured process memory allows more than configured memory', () => {
    const measured = perEnvironmentConcurrency({ shape: shape4, traits: traits('python3.13'), cpuShare: 0.05, processMemoryMB: 300 });
    const configured = perEnvironmentConcurrency({ shape: shape4, traits: traits('python3.13'), cpuShare: 0.05, processMemoryMB: 1024 });

    // 8192 / 300 = 27 processes; 8192 / 1024 = 8; runtime 16 x 4 = 64, CPU 4 / 0.05 = 80.
    expect(measured).toEqual({ perEnvironment: 27, setting: 27, limitedBy: 'memory' });
    expect(configured).toEqual({ perEnvironment: 8, setting: 8, limitedBy: 'memory' });
  });

  it('Python runtime cap when memory and CPU allow more', () => {
    const c = perEnvironmentConcurrency({ shape: shape1, traits: traits('python3.13'), cpuShare: 0.01, processMemoryMB: 100 });

    expect(c).toEqual({ perEnvironment: 16, setting: 16, limitedBy: 'runtime' });
  });
});

describe('cpuBusyFractionFor / cpuBusyFractionOverrideKey', () => {
  it('without overrides the default; each override map read as it is (the empty check is kept per map object)', () => {
    const none = { cpuBusyFraction: 0.4, cpuBusyFractionByFunction: {} };
    expect(cpuBusyFractionFor(none, 'us-east-1', 'f')).toBe(0.4);
    expect(cpuBusyFractionOverrideKey(none, 'us-east-1', 'f')).toBeNull();
    // A new map (the what-if panel builds one per change) with overrides, after the empty one.
    const some = { cpuBusyFraction: 0.4, cpuBusyFractionByFunction: { f: 0.2, 'us-east-1/g': 0.3 } };
    expect(cpuBusyFractionFor(some, 'us-east-1', 'f')).toBe(0.2);
    expect(cpuBusyFractionFor(some, 'us-east-1', 'g')).toBe(0.3);
    expect(cpuBusyFractionFor(some, 'eu-west-1', 'g')).toBe(0.4);
    expect(cpuBusyFractionOverrideKey(some, 'us-east-1', 'g')).toBe('lmi.cpuBusyFractionByFunction."us-east-1/g"');
    expect(cpuBusyFractionFor(none, 'us-east-1', 'f')).toBe(0.4);
  });
});
