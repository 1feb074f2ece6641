import fc from 'fast-check';
import { WHATIF_KNOBS, type KnobValues } from '../../src/whatif/knobs.js';

/** A value a control offers: min + k x step, written as the control writes it. */
function onStep(min: number, step: number, k: number): number {
  const decimals = (String(step).split('.')[1] ?? '').length;
  return Number((min + k * step).toFixed(decimals));
}

/** Random settings of every panel knob, on the controls' steps. */
export function knobSettings(): fc.Arbitrary<KnobValues> {
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
  return fc.record(parts);
}

/** Each knob alone at its lowest and highest value (the rest at the run's values). */
export function edgeSettings(): KnobValues[] {
  return WHATIF_KNOBS.flatMap((knob): KnobValues[] =>
    knob.kind === 'checkbox' ? [{ [knob.key]: true }, { [knob.key]: false }] : [{ [knob.key]: knob.min }, { [knob.key]: knob.max }],
  );
}
