import fc from 'fast-check';
import { CPU_OVERRIDE_KNOB, overrideKey, WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';

/** A function without measured CPU, which gets a CPU share override control. */
export interface Unmeasured {
  region: string;
  name: string;
}

/** Up to three CPU share overrides among `functions`, on the control's steps. */
function overrideSettings(functions: readonly Unmeasured[]): fc.Arbitrary<KnobValues> {
  if (functions.length === 0) return fc.constant({});
  const { min, max, step } = CPU_OVERRIDE_KNOB;
  const share = fc.integer({ min: 0, max: Math.round((max - min) / step) }).map((k) => onStep(min, step, k));
  return fc
    .array(fc.tuple(fc.constantFrom(...functions), share), { maxLength: 3 })
    .map((pairs) => Object.fromEntries(pairs.map(([f, v]) => [overrideKey(f.region, f.name), v])));
}

/** A value a control offers: min + k x step, written as the control writes it. */
function onStep(min: number, step: number, k: number): number {
  const decimals = (String(step).split('.')[1] ?? '').length;
  return Number((min + k * step).toFixed(decimals));
}

/** Random settings of every panel knob, on the controls' steps, and CPU share overrides of `functions`. */
export function knobSettings(functions: readonly Unmeasured[] = []): fc.Arbitrary<KnobValues> {
  const parts: Record<string, fc.Arbitrary<number | boolean>> = {};
  for (const knob of WHATIF_KNOBS) {
    if (knob.kind === 'checkbox') parts[knob.key] = fc.boolean();
    else {
      const steps = Math.round((knob.max - knob.min) / knob.step);
      // minEnvironments: small counts are where the figures move; the edges cover the top.
      const top = knob.key === 'lmi.minEnvironments' ? 60 : steps;
      parts[knob.key] = fc.integer({ min: 0, max: top }).map((k) => onStep(knob.min, knob.step, k));
    }
  }
  return fc.tuple(fc.record(parts), overrideSettings(functions)).map(([knobs, overrides]) => ({ ...knobs, ...overrides }));
}

/** Each knob alone at its lowest and highest value (the rest at the run's values), and one override. */
export function edgeSettings(functions: readonly Unmeasured[] = []): KnobValues[] {
  const edges = WHATIF_KNOBS.flatMap((knob): KnobValues[] =>
    knob.kind === 'checkbox' ? [{ [knob.key]: true }, { [knob.key]: false }] : [{ [knob.key]: knob.min }, { [knob.key]: knob.max }],
  );
  const first = functions[0];
  if (first === undefined) return edges;
  const key = overrideKey(first.region, first.name);
  return [...edges, { [key]: CPU_OVERRIDE_KNOB.min }, { [key]: CPU_OVERRIDE_KNOB.max }, { 'lmi.cpuBusyFraction': 0.2, [key]: 1 }];
}
