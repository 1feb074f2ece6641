/**
 * The knob changes the model benches apply, in order and cumulatively as the panel does
 * (bench/whatif-model.ts, bench/whatif-sizing.ts): three that re-size every function, the CPU
 * share, a discount seen before, then knobs that re-size nothing or only some.
 */
export const WHATIF_STEPS: readonly (readonly [string, number | boolean])[] = [
  ['lmi.discount', 0.3],
  ['lmi.headroom', 1.5],
  ['lmi.discount', 0.2],
  ['lmi.cpuBusyFraction', 0.5],
  ['lmi.discount', 0.3],
  ['recommend.minSavingsPct', 20],
  ['lmi.minEnvironments', 5],
  ['lmi.groupUntagged', true],
  ['pricing.lambdaDiscount', 0.1],
  ['lmi.discount', 0.45],
];
