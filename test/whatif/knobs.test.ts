import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, defaultConfig } from '../../src/config/schema.js';
import { applyKnobs, CPU_OVERRIDE_KEY, knobsAsYaml, overrideKey, knobsFromHash, knobsToHash, knobValues, warmUpSteps, WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';
import { edgeSettings, knobSettings } from './settings.js';

// Functions without measured CPU: each has a CPU share override knob.
const FUNCTIONS = [
  { region: 'us-east-1', name: 'api' },
  { region: 'eu-west-1', name: 'img_resize-2' },
];

describe('what-if knobs', () => {
  it('the offered YAML, read as a config file, is the config the page computes with', () => {
    fc.assert(
      fc.property(knobSettings(FUNCTIONS), (values) => {
        expect(configSchema.parse(parse(knobsAsYaml(values)))).toEqual(applyKnobs(defaultConfig(), values));
      }),
      { numRuns: 200 },
    );
  });

  it('the URL hash gives back the same values', () => {
    for (const values of [...edgeSettings(FUNCTIONS), ...fc.sample(knobSettings(FUNCTIONS), { numRuns: 50, seed: 1 })]) {
      expect(knobsFromHash(`#${knobsToHash(values)}`)).toEqual({ values, ignored: [] });
    }
  });

  it('names what a link holds that it cannot use, and rejects values outside the schema', () => {
    // Act
    const parsed = knobsFromHash('#lmi.discount=abc&lmi.nope=1&lmi.groupUntagged=yes&lmi.headroom=3');

    // Assess
    expect(parsed).toEqual({ values: { 'lmi.headroom': 3 }, ignored: ['lmi.discount', 'lmi.nope', 'lmi.groupUntagged'] });
    expect(() => applyKnobs(defaultConfig(), { 'lmi.discount': 5 })).toThrow();
    expect(() => applyKnobs(defaultConfig(), { 'lmi.scaleOutMinutes': 1 })).toThrow(/not a what-if knob/);
    expect(knobValues(defaultConfig())['lmi.headroom']).toBe(2);
  });
});

describe('what-if warm-up steps (the unseen updates at load)', () => {
  it('move lmi.headroom and lmi.discount a few steps within their bounds, and nothing else; the config takes them', () => {
    for (const values of [...edgeSettings(FUNCTIONS), ...fc.sample(knobSettings(FUNCTIONS), { numRuns: 200, seed: 3 })]) {
      // Act
      const steps = warmUpSteps(values);

      // Assess
      expect(steps).toHaveLength(3);
      for (const warm of steps) {
        expect(Object.keys(warm).sort()).toEqual(Object.keys(values).sort());
        for (const key of Object.keys(values)) {
          const knob = WHATIF_KNOBS.find((k) => k.key === key);
          if (key !== 'lmi.headroom' && key !== 'lmi.discount') {
            expect(warm[key]).toBe(values[key]);
            continue;
          }
          if (knob === undefined || knob.kind === 'checkbox') throw new Error(`no number knob ${key}`);
          const moved = warm[key] as number;
          const away = Math.abs(moved - (values[key] as number)) / knob.step;
          expect(Math.abs(away - Math.round(away))).toBeLessThan(1e-6);
          expect(Math.round(away)).toBeGreaterThanOrEqual(1);
          expect(Math.round(away)).toBeLessThanOrEqual(3);
          expect(moved).toBeGreaterThanOrEqual(knob.min);
          expect(moved).toBeLessThanOrEqual(knob.max);
        }
        expect(() => applyKnobs(defaultConfig(), warm)).not.toThrow();
      }
      // Three headroom values besides the run's: more than the two demand scopes a replay keeps, so
      // the warm-up re-uses a dropped scope's demands before a reader's change does.
      if (typeof values['lmi.headroom'] === 'number') {
        expect(new Set([values['lmi.headroom'], ...steps.map((warm) => warm['lmi.headroom'])]).size).toBe(4);
      }
    }
  });

  it('mirror a move that leaves the range, and round to the step', () => {
    const at = (values: KnobValues): [unknown, unknown][] => warmUpSteps(values).map((warm) => [warm['lmi.headroom'], warm['lmi.discount']]);
    expect(at({ 'lmi.headroom': 2, 'lmi.discount': 0.3 })).toEqual([
      [2.1, 0.31],
      [2.3, 0.33],
      [1.8, 0.32],
    ]);
    expect(at({ 'lmi.headroom': 10, 'lmi.discount': 0.72 })).toEqual([
      [9.9, 0.71],
      [9.7, 0.69],
      [9.8, 0.7],
    ]);
    expect(at({ 'lmi.headroom': 1, 'lmi.discount': 0 })).toEqual([
      [1.1, 0.01],
      [1.3, 0.03],
      [1.2, 0.02],
    ]);
    expect(warmUpSteps({ 'lmi.headroom': 10, 'lmi.discount': 0.72, 'lmi.minEnvironments': 3 })[0]).toEqual({
      'lmi.headroom': 9.9,
      'lmi.discount': 0.71,
      'lmi.minEnvironments': 3,
    });
  });
});

describe('what-if CPU share overrides (lmi.cpuBusyFractionByFunction)', () => {
  it("reads a config's overrides per function (region form first), and writes them back as region/name", () => {
    // Prepare
    const config = configSchema.parse({ lmi: { cpuBusyFractionByFunction: { api: 0.3, 'eu-west-1/img_resize-2': 0.4, 'us-east-1/img_resize-2': 0.9 } } });

    // Act
    const values = knobValues(config, [...FUNCTIONS, { region: 'eu-west-1', name: 'api' }, { region: 'us-east-1', name: 'other' }]);

    // Assess
    expect(values[overrideKey('us-east-1', 'api')]).toBe(0.3);
    expect(values[overrideKey('eu-west-1', 'api')]).toBe(0.3);
    expect(values[overrideKey('eu-west-1', 'img_resize-2')]).toBe(0.4);
    expect(Object.keys(values).filter((k) => k.startsWith(CPU_OVERRIDE_KEY))).toHaveLength(3);
    expect(applyKnobs(config, { [overrideKey('us-east-1', 'api')]: 0.5 }).lmi.cpuBusyFractionByFunction).toEqual({
      api: 0.3,
      'eu-west-1/img_resize-2': 0.4,
      'us-east-1/img_resize-2': 0.9,
      'us-east-1/api': 0.5,
    });
    expect(() => applyKnobs(config, { [overrideKey('us-east-1', 'api')]: 0 })).toThrow();
    expect(knobsFromHash(`#${CPU_OVERRIDE_KEY}.us-east-1/api=abc`).ignored).toEqual([`${CPU_OVERRIDE_KEY}.us-east-1/api`]);
  });
});

describe('what-if knob ranges', () => {
  // The sliders must offer exactly what a config file may say: a range wider than the schema
  // gives figures `analyze --config` refuses; a narrower one hides allowed values.
  const withKnob = (key: string, value: number): unknown => {
    const [section, name] = key.split('.') as [string, string];
    return { [section]: { [name]: value } };
  };
  for (const knob of WHATIF_KNOBS) {
    if (knob.kind === 'checkbox') continue;
    it(`${knob.key}: the slider's max is the config schema's max`, () => {
      expect(configSchema.safeParse(withKnob(knob.key, knob.max)).success).toBe(true);
      expect(configSchema.safeParse(withKnob(knob.key, knob.max + knob.step)).success).toBe(false);
      expect(configSchema.safeParse(withKnob(knob.key, knob.min)).success).toBe(true);
    });
  }
});
