import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';
import { summaryOf, whatIfReport } from '../../src/whatif/model.js';
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

  it('covers every knob of the panel', () => {
    expect(edgeSettings().flatMap((s) => Object.keys(s))).toEqual(expect.arrayContaining(WHATIF_KNOBS.map((k) => k.key)));
  });
});
