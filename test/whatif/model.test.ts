import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
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

  it('covers every knob of the panel', () => {
    expect(edgeSettings().flatMap((s) => Object.keys(s))).toEqual(expect.arrayContaining(WHATIF_KNOBS.map((k) => k.key)));
  });
});
