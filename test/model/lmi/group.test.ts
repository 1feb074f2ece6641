import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { monthFactor } from '../../../src/model/lmi/cost.js';
import { planCapacityProvider } from '../../../src/model/lmi/group.js';
import { candidateInstanceTypes, environmentsPerInstance } from '../../../src/model/lmi/instances.js';
import { ceilSafe } from '../../../src/model/lmi/replay.js';
import { sizeLmi } from '../../../src/model/lmi/size.js';
import type { GroupMember } from '../../../src/model/lmi/types.js';
import type { Config } from '../../../src/config/schema.js';
import { testConfig, testProfile, testRegionPrices, testWindow, usageOf } from './helpers.js';

const DAY = 1440;

function member(name: string, concurrency: number[], config: Config): GroupMember {
  const profile = testProfile({ name, concurrency });
  const sizing = sizeLmi(profile, usageOf(profile), { window: testWindow(concurrency.length), prices: testRegionPrices(), config })!;
  return { name, memoryMB: profile.memoryMB, result: sizing.result, capacity: sizing.capacity, invocations: usageOf(profile).invocations };
}

function plan(members: GroupMember[], config: Config, periods: number) {
  return planCapacityProvider({
    name: 'cp-1',
    region: 'us-east-1',
    architecture: 'arm64',
    trustGroup: 'team-a',
    members,
    prices: testRegionPrices(),
    config,
    window: testWindow(periods),
  });
}

describe('planCapacityProvider', () => {
  it('grouping pays the 3-instance floor once', () => {
    // Prepare: two light functions, 1 EE each (minEnvironments 1, no headroom): alone each pays 3 instances.
    const config = testConfig({ minEnvironments: 1, headroom: 1, cpuBusyFraction: 0.01 });
    const a = member('a', new Array(DAY).fill(1), config);
    const b = member('b', new Array(DAY).fill(1), config);

    // Act
    const p = plan([a, b], config, DAY)!;

    // Assess: 2 EEs fit on the 3 c7g.large of the floor; the group costs one function's instances.
    expect(a.result.peakInstances).toBe(3);
    expect(p.instanceType).toBe('c7g.large');
    expect(p.peakInstances).toBe(3);
    expect(p.instanceHours).toBeCloseTo(3 * 730, 9);
    expect(p.ec2Usd + p.managementFeeUsd).toBeCloseTo(3 * 730 * 0.0725 * 1.15, 9);
    expect(p.requestsUsd).toBeCloseTo(a.result.requestsUsd + b.result.requestsUsd, 9);
    expect(p.dedicatedTotalUsd).toBeCloseTo(a.result.totalUsd + b.result.totalUsd, 9);
    expect(p.dedicatedTotalUsd - p.totalUsd).toBeCloseTo(b.result.ec2Usd + b.result.managementFeeUsd, 9);
    expect(p.functions).toEqual(['a', 'b']);
    expect(p.functionSettings[0]).toEqual({
      name: 'a',
      memoryMB: 2048,
      memoryGiBPerVCpu: 2,
      perEnvironmentConcurrency: a.result.perEnvironmentConcurrency,
      minEnvironments: 1,
      maxEnvironments: 1,
    });
    expect(p.memoryGiBPerVCpu).toBe(2);
    // 3 instances x 2 vCPUs.
    expect(p.maxVCpuCount).toBe(6);
    expect(p.standardTotalUsd).toBe(0);
  });

  it('matches packing every period by hand, for random members (property)', () => {
    const config = testConfig({ minInstances: 1 });
    const base = member('base', [1, 1], config).result;
    const types = candidateInstanceTypes(testRegionPrices().instances, 'arm64', config.lmi);
    const shapes = [
      { vCpusPerEnvironment: 1, memoryMB: 2048 },
      { vCpusPerEnvironment: 2, memoryMB: 8192 },
      { vCpusPerEnvironment: 4, memoryMB: 8192 },
    ];
    const runsArb = fc.array(fc.tuple(fc.nat({ max: 40 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0, 1, 2), runsArb), { minLength: 1, maxLength: 4 }), (spec) => {
        // Every member is cut or padded to the same number of periods.
        const periods = Math.max(...spec.map(([, runs]) => runs.reduce((a, [, n]) => a + n, 0)));
        const members: GroupMember[] = spec.map(([s, runs], i) => {
          const expanded: number[] = runs.flatMap(([c, n]) => new Array<number>(n).fill(c));
          while (expanded.length < periods) expanded.push(expanded[expanded.length - 1]!);
          const capacity: number[] = [];
          const lengths: number[] = [];
          for (const c of expanded) {
            if (capacity.length > 0 && capacity[capacity.length - 1] === c) lengths[lengths.length - 1]! += 1;
            else (capacity.push(c), lengths.push(1));
          }
          return {
            name: `f${i}`,
            memoryMB: 2048,
            result: { ...base, ...shapes[s]!, totalUsd: 1 },
            capacity: { capacity: Uint32Array.from(capacity), runLengths: Uint32Array.from(lengths), periodSeconds: 60 },
            invocations: 0,
            expanded,
          };
        });
        const p = plan(members, config, periods)!;
        let best = Infinity;
        for (const t of types) {
          const ks = members.map((m) => environmentsPerInstance(t, { vCpus: m.result.vCpusPerEnvironment, memoryMiB: m.result.memoryMB }, { vCpu: 1, memoryMiB: 1024 }));
          if (ks.some((k) => k < 1)) continue;
          let instancePeriods = 0;
          for (let q = 0; q < periods; q++) {
            let frac = 0;
            members.forEach((m, i) => (frac += (m as unknown as { expanded: number[] }).expanded[q]! / ks[i]!));
            instancePeriods += Math.max(1, Math.ceil(frac - 1e-9));
          }
          best = Math.min(best, instancePeriods * t.onDemandUsdPerHour * 1.15);
        }
        const windowHours = (periods * 60) / 3600;
        expect(p.ec2Usd + p.managementFeeUsd).toBeCloseTo((best * (60 / 3600) * 730) / windowHours, 6);
        expect(p.maxVCpuCount % 2).toBe(0);
        expect(p.maxVCpuCount).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 100 },
    );
  });

  it('instance-periods and peak equal a period-by-period count, exactly, for one type (property)', () => {
    // One allowed type, so the plan's figures are that type's; zero-length runs inside a series
    // (superseded by the next run at the same period) and members of several shapes.
    const type = 'm7g.4xlarge';
    const config = testConfig({ minInstances: 2, allowedInstanceTypes: [type] });
    const price = testRegionPrices().instances.find((t) => t.instanceType === type)!;
    const base = member('base', [1, 1], config).result;
    const shapes = [
      { vCpusPerEnvironment: 1, memoryMB: 2048 },
      { vCpusPerEnvironment: 2, memoryMB: 8192 },
      { vCpusPerEnvironment: 4, memoryMB: 4096 },
    ];
    const runsArb = fc.array(fc.tuple(fc.nat({ max: 60 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0, 1, 2), runsArb, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 5 }), (spec) => {
        const periods = Math.max(...spec.map(([, runs, tail]) => runs.reduce((a, [, n]) => a + n, 0) + tail));
        const members = spec.map(([s, runs], i) => {
          const used = runs.reduce((a, [, n]) => a + n, 0);
          const all: [number, number][] = [...runs, [runs[runs.length - 1]![0] + 1, periods - used]];
          const expanded = all.flatMap(([c, n]) => new Array<number>(n).fill(c));
          return {
            name: `f${i}`,
            memoryMB: 2048,
            result: { ...base, ...shapes[s]!, totalUsd: 1 },
            capacity: { capacity: Uint32Array.from(all.map(([c]) => c)), runLengths: Uint32Array.from(all.map(([, n]) => n)), periodSeconds: 60 },
            invocations: 0,
            shape: s,
            expanded,
          };
        });
        const p = plan(members, config, periods)!;
        // By hand: per period, each shape's EEs (in the order shapes first appear), over EEs per instance.
        const order = [...new Set(members.map((m) => m.shape))];
        const ks = order.map((s) => environmentsPerInstance(price, { vCpus: shapes[s]!.vCpusPerEnvironment, memoryMiB: shapes[s]!.memoryMB }, { vCpu: 1, memoryMiB: 1024 }));
        let instancePeriods = 0;
        let peak = 0;
        for (let q = 0; q < periods; q++) {
          let frac = 0;
          order.forEach((s, j) => (frac += members.filter((m) => m.shape === s).reduce((a, m) => a + m.expanded[q]!, 0) / ks[j]!));
          const instances = Math.max(2, ceilSafe(frac));
          instancePeriods += instances;
          peak = Math.max(peak, instances);
        }
        expect(p.instanceType).toBe(type);
        expect(p.peakInstances).toBe(peak);
        expect(p.instanceHours).toBe(instancePeriods * (60 / 3600) * monthFactor(testWindow(periods)));
      }),
      { numRuns: 200 },
    );
  });

  it('the kept type lists give the figures of a cold module, whatever the order the settings come in', async () => {
    // Prepare: members of several shapes, planned alone and together under several discounts and reserves.
    const configs = [
      testConfig({ cpuBusyFraction: 0.2 }),
      testConfig({ cpuBusyFraction: 0.2, discount: 0.3 }),
      testConfig({ cpuBusyFraction: 0.2, osReserveVCpu: 0 }),
      testConfig({ cpuBusyFraction: 0.2, discount: 0.3, managementFeeShare: 0.2 }),
    ];
    const members = [member('a', new Array(DAY).fill(4), configs[0]!), member('b', new Array(DAY).fill(40), configs[0]!)];
    const big = { ...members[1]!, name: 'big', result: { ...members[1]!.result, vCpusPerEnvironment: 4, memoryMB: 8192 } };
    const groups = [[members[0]!], [members[1]!], [big], [members[0]!, big], [...members, big]];
    // One price list for every call: the lists are kept per candidate list, found per price list.
    const prices = testRegionPrices();
    const args = (g: GroupMember[], config: Config) => ({
      name: 'cp-1',
      region: 'us-east-1',
      architecture: 'arm64' as const,
      trustGroup: 'team-a',
      members: g,
      prices,
      config,
      window: testWindow(DAY),
    });
    // Act: every (group, config) twice over in this module (kept lists), once per fresh module (cold).
    const warm = [...configs, ...configs.slice().reverse()].flatMap((c) => groups.map((g) => JSON.stringify(planCapacityProvider(args(g, c)))));
    const cold: string[] = [];
    for (const c of [...configs, ...configs.slice().reverse()]) {
      for (const g of groups) {
        vi.resetModules();
        const fresh = await import('../../../src/model/lmi/group.js');
        cold.push(JSON.stringify(fresh.planCapacityProvider(args(g, c))));
      }
    }
    // Assess
    expect(warm).toEqual(cold);
    expect(new Set(warm).size).toBeGreaterThan(groups.length);
  });

  it('members by level plan as by their runs, through a sequence of plans of one provider (kept table) (property)', () => {
    // Prepare: a pool of functions, each with fixed runs over levels (its served runs) and two
    // capacities per level; each step changes one thing of the provider planned the step before.
    const config = testConfig({ minInstances: 1 });
    const base = member('base', [1, 1], config).result;
    const shapes = [
      { vCpusPerEnvironment: 1, memoryMB: 2048 },
      { vCpusPerEnvironment: 2, memoryMB: 8192 },
    ];
    const periods = 40;
    const fnArb = fc
      .array(fc.tuple(fc.nat({ max: 3 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 12 })
      .map((runs) => {
        const used = runs.reduce((a, [, n]) => a + n, 0);
        const all = used < periods ? [...runs, [0, periods - used] as [number, number]] : runs;
        let left = periods;
        const runLength = all.map(([, n]) => {
          const len = Math.min(n, left);
          left -= len;
          return len;
        });
        return { runLevel: Uint16Array.from(all.map(([l]) => l)), runLength };
      });
    const stepArb = fc.tuple(fc.constantFrom('member', 'levels', 'shape', 'copy'), fc.nat({ max: 5 }));
    fc.assert(
      fc.property(
        fc.array(fnArb, { minLength: 6, maxLength: 6 }),
        fc.array(fc.array(fc.nat({ max: 30 }), { minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 2 }),
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        (fns, variants, steps) => {
          const state = fns.map((_, i) => ({ in: i < 4, variant: 0, shape: i % 2, levelCapacity: variants[0]!.slice() }));
          const planOf = (members: GroupMember[]) =>
            planCapacityProvider({ name: 'cp-kept', region: 'us-east-1', architecture: 'arm64', trustGroup: 'team-a', members, prices: testRegionPrices(), config, window: testWindow(periods) });
          for (const [kind, f] of [['copy', 0] as const, ...steps]) {
            const s = state[f]!;
            if (kind === 'member') s.in = !s.in;
            if (kind === 'levels') s.variant = 1 - s.variant;
            if (kind === 'shape') s.shape = 1 - s.shape;
            // A new array of the same capacities (or of the other variant's).
            s.levelCapacity = variants[s.variant]!.slice();
            const chosen = fns.flatMap((fn, i) => (state[i]!.in ? [{ fn, s: state[i]!, name: `f${i}` }] : []));
            if (chosen.length < 2) continue;
            const byLevel: GroupMember[] = chosen.map(({ fn, s: st, name }) => {
              const levelPeriods = [0, 0, 0, 0];
              fn.runLevel.forEach((l, r) => (levelPeriods[l]! += fn.runLength[r]!));
              const leveled = { levelCapacity: st.levelCapacity, levelPeriods, runLevel: fn.runLevel, runLength: fn.runLength };
              const expanded = [...fn.runLevel].flatMap((l, r) => new Array<number>(fn.runLength[r]!).fill(st.levelCapacity[l]!));
              const runs = { capacity: Uint32Array.from(expanded), runLengths: new Uint32Array(expanded.length).fill(1), periodSeconds: 60 };
              return { name, memoryMB: 2048, result: { ...base, ...shapes[st.shape]!, totalUsd: 1 }, capacity: { ...runs, leveled }, invocations: 10 };
            });
            const byRuns = byLevel.map((m) => ({ ...m, capacity: { ...m.capacity, leveled: null } }));

            // Act, assess: the kept table's plan is the plan of the runs (merged afresh).
            expect(JSON.stringify(planOf(byLevel))).toBe(JSON.stringify(planOf(byRuns)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a member whose capacity does not cover the window', () => {
    const config = testConfig();
    const a = member('a', new Array(10).fill(1), config);

    expect(() => plan([a], config, 12)).toThrow(/member a has 10 periods/);
  });

  it('null without members or without a type that holds every member', () => {
    const config = testConfig({ allowedInstanceTypes: ['c7g.large'] });
    const big = member('big', [1, 1], testConfig({}));
    const huge = { ...big, result: { ...big.result, vCpusPerEnvironment: 4, memoryMB: 8192 } };

    expect(plan([], config, 2)).toBeNull();
    expect(plan([huge], config, 2)).toBeNull();
  });
});
