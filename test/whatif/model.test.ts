import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { sizingProfile, summaryOf, whatIfReport } from '../../src/whatif/model.js';
import { loadSample, type Sample } from './sample.js';
import { edgeSettings, knobSettings } from './settings.js';

// The page's model (compact data) against analyze (full series), report for report.
describe('whatIfReport on the sample account', () => {
  let sample: Sample;
  beforeAll(async () => {
    sample = await loadSample();
  });

  async function expectSame(values: KnobValues) {
    const expected = await sample.analyze(values);
    const actual = whatIfReport(JSON.parse(JSON.stringify(sample.data)), sample.config(values));
    expect(actual).toEqual(expected);
  }

  it('rebuilds the base report exactly from the compact data', async () => {
    await expectSame({});
  });

  it.each(edgeSettings())('equals analyze at the edge %j', async (values) => {
    await expectSame(values);
  });

  it('equals analyze for random knob settings', async () => {
    await fc.assert(fc.asyncProperty(knobSettings(), expectSame), { numRuns: 12 });
  });

  it('a CPU share override equal to lmi.cpuBusyFraction still names the override, after the same share without it (kept sizings)', async () => {
    const [target] = sample.unmeasured;
    if (target === undefined) throw new Error('the sample has no function without measured CPU');
    const data = JSON.parse(JSON.stringify(sample.data));
    const without: KnobValues = { 'lmi.cpuBusyFraction': 0.05 };
    const withOverride: KnobValues = { ...without, [`lmi.cpuBusyFractionByFunction.${target.region}/${target.name}`]: 0.05 };
    // The same data object throughout, as the page keeps it: the second report re-uses what the first sized.
    expect(whatIfReport(data, sample.config(without))).toEqual(await sample.analyze(without));
    const report = whatIfReport(data, sample.config(withOverride));
    expect(report).toEqual(await sample.analyze(withOverride));
    const f = report.functions.find((x) => x.region === target.region && x.name === target.name);
    expect(f?.lmi?.cpuAssumedBy).toBe(`lmi.cpuBusyFractionByFunction."${target.region}/${target.name}"`);
    // And back: the override gone, the global share named again.
    expect(whatIfReport(data, sample.config(without))).toEqual(await sample.analyze(without));
  });

  it('a summary built field by field is the spread it replaces, key order included', () => {
    for (const f of sample.data.functions) {
      const cost = null;
      const sizing = null;
      const built = summaryOf(f.summary, cost, sizing);
      const spread = { ...f.summary, cost, sizing };
      expect(Object.keys(built)).toEqual(Object.keys(spread));
      expect(built).toEqual(spread);
    }
  });

  it('the profile sizeLmi reads carries every field of the decoded profile, the series left empty', () => {
    // Every field set (Required: a field added to FunctionProfile must be added here, and then to sizingProfile).
    const full: Required<Omit<FunctionProfile, 'series'>> = {
      region: 'eu-west-1',
      name: 'f',
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      memoryMB: 1024,
      timeoutSeconds: 30,
      ephemeralStorageMB: 512,
      provisionedConcurrency: 2,
      reservedConcurrency: 5,
      packageType: 'Zip',
      tags: { team: 'a' },
      capacityProviderArn: 'arn:aws:lambda:eu-west-1:1:capacity-provider:x',
      memoryUsedMBMax: 300,
      cpuSecondsPerInvocation: 0.2,
      initMsPerInvocation: 3,
    };
    const built = sizingProfile(full);
    expect(built).toEqual({ ...full, series: { invocations: [], durationMsSum: [], concurrencyMax: [] } });
    for (const f of sample.data.functions) {
      const { series, ...rest } = sizingProfile(f.profile);
      expect(series.concurrencyMax).toHaveLength(0);
      // Absent optional fields come out as undefined: equal to the decoded profile field for field.
      expect(rest).toEqual(f.profile);
    }
  });

  it('covers every knob of the panel', () => {
    expect(edgeSettings().flatMap((s) => Object.keys(s))).toEqual(expect.arrayContaining(WHATIF_KNOBS.map((k) => k.key)));
  });
});
