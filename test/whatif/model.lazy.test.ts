/**
 * whatIfReport with `lazy` (the page's report: FunctionFigures whose rarely read figures are
 * computed on first read) against the plain report of the same knobs, built on a fresh copy of
 * the data: deep equal once every lazy figure is read, and JSON byte for byte. The lazy reports
 * of a sequence of settings share one data object (its kept sizings and their memos, as on the
 * page), and are read after later settings were built over the same sizings: a lazy figure
 * computed from another setting's inputs (a memo keyed too loosely) fails here.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FunctionFigures } from '../../src/model/build-report.js';
import { firstReason, type ReportModel } from '../../src/report/types.js';
import type { WhatIfData } from '../../src/whatif/data.js';
import type { KnobValues } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
import { loadSample, type Sample } from './sample.js';
import { edgeSettings, knobSettings } from './settings.js';

/** The report with every FunctionFigures replaced by its plain object (every lazy figure read). */
function plain(report: ReportModel): ReportModel {
  return { ...report, functions: report.functions.map((f) => (f instanceof FunctionFigures ? f.toJSON() : f)) };
}

describe('whatIfReport lazy: the plain report once read', () => {
  let sample: Sample;
  const fresh = (): WhatIfData => JSON.parse(JSON.stringify(sample.data)) as WhatIfData;
  beforeAll(async () => {
    sample = await loadSample();
  });

  /** Builds the lazy reports of `settings` one after the other over one data object, then reads each against its plain twin. */
  function expectSequence(settings: KnobValues[], readFirstHalfEarly: boolean): void {
    // Prepare
    const data = fresh();
    // Act: every lazy report built before any is read in full (some read in part at once).
    const lazy = settings.map((values) => {
      const report = whatIfReport(data, sample.config(values), { lazy: true });
      if (readFirstHalfEarly) {
        report.functions.slice(0, Math.ceil(report.functions.length / 2)).forEach((f) => {
          void firstReason(f);
          void f.lmi;
        });
      }
      return report;
    });
    // Assess
    settings.forEach((values, i) => {
      const expected = whatIfReport(fresh(), sample.config(values));
      const report = lazy[i]!;
      expect(report.functions.length).toBeGreaterThan(0);
      expect(report.functions.every((f) => f instanceof FunctionFigures)).toBe(true);
      expect(expected.functions.every((f) => Object.getPrototypeOf(f) === Object.prototype)).toBe(true);
      expect(report.functions.map(firstReason)).toEqual(expected.functions.map((f) => f.reasons[0] ?? ''));
      expect(JSON.stringify(report)).toBe(JSON.stringify(expected));
      expect(plain(report)).toStrictEqual(expected);
    });
  }

  it('at the edge of every knob, one after the other', () => {
    const edges = edgeSettings(sample.unmeasured);
    expectSequence([{}, ...edges], false);
    expectSequence([...edges].reverse(), true);
  });

  it('for random knob settings', () => {
    fc.assert(
      fc.property(fc.array(knobSettings(sample.unmeasured), { minLength: 2, maxLength: 4 }), fc.boolean(), (settings, early) => {
        expectSequence(settings, early);
      }),
      { numRuns: 12 },
    );
  });

  it('the figures read field by field equal the plain ones', () => {
    const values: KnobValues = { 'lmi.discount': 0.35, 'lmi.cpuBusyFraction': 0.3 };
    const lazy = whatIfReport(fresh(), sample.config(values), { lazy: true });
    const expected = whatIfReport(fresh(), sample.config(values));
    lazy.functions.forEach((f, i) => {
      const e = expected.functions[i]!;
      // The other order than toJSON's: the traffic break-even and the reasons first, lmi last.
      expect(f.breakEvenInvocationsPerMonth).toBe(e.breakEvenInvocationsPerMonth);
      expect(f.reasons).toEqual(e.reasons);
      expect(f.chart).toEqual(e.chart);
      expect(f.lmi).toEqual(e.lmi);
      expect(f.lmi).toBe(f.lmi);
    });
  });
});
