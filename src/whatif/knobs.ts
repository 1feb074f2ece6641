/**
 * The knobs the what-if panel moves, with the control each gets. Their ranges are the schema's
 * (src/config/schema.ts); the steps are what a slider offers (any valid value also comes in
 * through the URL hash). Knobs that change the replayed series itself (scale-out and scale-in
 * delays) need the per-period data the page does not carry: they are shown read-only.
 */
import { type Config, configSchema } from '../config/schema.js';

export interface NumberKnob {
  key: string;
  label: string;
  kind: 'range' | 'number';
  min: number;
  max: number;
  step: number;
  /** How the value is shown beside the control. */
  unit: 'share' | 'pct' | 'x' | 'count';
}

export interface BooleanKnob {
  key: string;
  label: string;
  kind: 'checkbox';
}

export type Knob = NumberKnob | BooleanKnob;

export const WHATIF_KNOBS: readonly Knob[] = [
  { key: 'lmi.cpuBusyFraction', label: 'CPU share of duration, where not measured', kind: 'range', min: 0.01, max: 1, step: 0.01, unit: 'share' },
  { key: 'lmi.discount', label: "Savings Plan / RI discount on LMI's EC2 part", kind: 'range', min: 0, max: 0.72, step: 0.01, unit: 'share' },
  { key: 'pricing.lambdaDiscount', label: 'Compute Savings Plan discount on Lambda', kind: 'range', min: 0, max: 0.17, step: 0.01, unit: 'share' },
  { key: 'lmi.headroom', label: 'Capacity kept per unit of demand', kind: 'range', min: 1, max: 10, step: 0.1, unit: 'x' },
  { key: 'lmi.minEnvironments', label: 'Minimum execution environments per function', kind: 'number', min: 0, max: 15000, step: 1, unit: 'count' },
  { key: 'recommend.minSavingsPct', label: 'Savings needed to say migrate, % of standard', kind: 'range', min: 0, max: 100, step: 1, unit: 'pct' },
  { key: 'lmi.groupUntagged', label: 'Untagged functions may share a capacity provider', kind: 'checkbox' },
];

/**
 * The per-function CPU share (lmi.cpuBusyFractionByFunction) of a function without measured CPU:
 * one control per such function, its knob named `lmi.cpuBusyFractionByFunction.<region>/<name>`
 * in the values, the URL hash and the tests.
 */
export const CPU_OVERRIDE_KEY = 'lmi.cpuBusyFractionByFunction';
const OVERRIDE_PREFIX = `${CPU_OVERRIDE_KEY}.`;
export const CPU_OVERRIDE_KNOB: NumberKnob = { key: CPU_OVERRIDE_KEY, label: 'CPU share of duration for this function', kind: 'number', min: 0.01, max: 1, step: 0.01, unit: 'share' };

/** `lmi.cpuBusyFractionByFunction.us-east-1/api` */
export function overrideKey(region: string, name: string): string {
  return `${OVERRIDE_PREFIX}${region}/${name}`;
}

/** The `<region>/<name>` of an override knob, or null for any other key. */
export function overrideTarget(key: string): string | null {
  return key.startsWith(OVERRIDE_PREFIX) ? key.slice(OVERRIDE_PREFIX.length) : null;
}

/** Shown, not movable: the replayed served concurrency depends on them. */
export const READ_ONLY_KNOBS: readonly string[] = ['lmi.scaleOutMinutes', 'lmi.scaleInMinutes'];

export type KnobValues = Record<string, number | boolean>;

/**
 * The warm-up's steps: each moves lmi.headroom (re-sizes every function) and lmi.discount
 * (re-prices every sizing) by that many of the knob's steps, mirrored where a move leaves the
 * range. Three values of each besides the run's: more headroom values than the demand scopes a
 * replay keeps (replay-compact.ts MAX_KEPT_SCOPES), so the load also takes the paths that re-use a dropped
 * scope's demands (their first use de-optimised the re-sizing's compiled code in a reader's first
 * change); moves of several steps, so verdicts and plans change as a reader's move changes them.
 * Moving lmi.cpuBusyFraction too made no change measured faster (its cost is the re-sizing itself).
 */
const WARM_UP_MOVES: readonly Readonly<Record<string, number>>[] = [
  { 'lmi.headroom': 1, 'lmi.discount': 1 },
  { 'lmi.headroom': 3, 'lmi.discount': 3 },
  { 'lmi.headroom': -2, 'lmi.discount': 2 },
];

/** `value` moved `steps` steps of `knob`, mirrored into its range, rounded to the step's decimals (0.3 + 0.01 is 0.31, not 0.31000000000000005). */
function moved(knob: NumberKnob, value: number, steps: number): number {
  const at = (k: number): number => Number((value + k * knob.step).toFixed(6));
  const there = at(steps);
  if (there >= knob.min && there <= knob.max) return there;
  return Math.min(knob.max, Math.max(knob.min, at(-steps)));
}

/**
 * The values the page puts on show while it loads, unseen, before the run's again (browser.ts):
 * `values` with the knobs of each of WARM_UP_MOVES moved by it. The browser has then
 * compiled the re-sizing, report, diff and DOM paths, and met the shapes a reader's change meets,
 * before the reader's first change (after the load's one sizing at the run's values they run
 * interpreted or half-optimised, and a first change paid for it). Measured at 10,000 functions:
 * README, what-if bench.
 */
export function warmUpSteps(values: KnobValues): KnobValues[] {
  return WARM_UP_MOVES.map((moves) => {
    const out: KnobValues = { ...values };
    for (const knob of WHATIF_KNOBS) {
      const steps = moves[knob.key];
      const value = values[knob.key];
      if (steps === undefined || knob.kind === 'checkbox' || typeof value !== 'number') continue;
      out[knob.key] = moved(knob, value, steps);
    }
    return out;
  });
}

export function knobValue(config: Config, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
  return value;
}

/** The knobs' values in a config, with the CPU share overrides that apply to `functions`. */
export function knobValues(config: Config, functions: readonly { region: string; name: string }[] = []): KnobValues {
  const out: KnobValues = {};
  for (const knob of WHATIF_KNOBS) out[knob.key] = knobValue(config, knob.key) as number | boolean;
  const byFunction = config.lmi.cpuBusyFractionByFunction;
  for (const { region, name } of functions) {
    const regional = `${region}/${name}`;
    const value = Object.hasOwn(byFunction, regional) ? byFunction[regional] : Object.hasOwn(byFunction, name) ? byFunction[name] : undefined;
    if (value !== undefined) out[overrideKey(region, name)] = value;
  }
  return out;
}

/** `base` with the given knobs set, validated by the config schema (throws on a bad value). */
export function applyKnobs(base: Config, values: KnobValues): Config {
  const input = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
  const lmi = input.lmi as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    const target = overrideTarget(key);
    if (target !== null) {
      lmi.cpuBusyFractionByFunction = { ...(lmi.cpuBusyFractionByFunction as Record<string, number>), [target]: value };
      continue;
    }
    if (!WHATIF_KNOBS.some((k) => k.key === key)) throw new Error(`not a what-if knob: ${key}`);
    const [section, name] = key.split('.') as [string, string];
    (input[section] as Record<string, unknown>)[name] = value;
  }
  return configSchema.parse(input);
}

/** The config file (YAML) that makes `analyze --config` use these knob values. */
export function knobsAsYaml(values: KnobValues): string {
  const sections = new Map<string, string[]>();
  for (const knob of WHATIF_KNOBS) {
    const value = values[knob.key];
    if (value === undefined) continue;
    const [section, name] = knob.key.split('.') as [string, string];
    const lines = sections.get(section) ?? [];
    lines.push(`  ${name}: ${String(value)}`);
    sections.set(section, lines);
  }
  const overrides = Object.entries(values)
    .flatMap(([key, value]) => {
      const target = overrideTarget(key);
      // JSON strings are YAML double-quoted scalars.
      return target === null ? [] : [`    ${JSON.stringify(target)}: ${String(value)}`];
    })
    .sort();
  if (overrides.length > 0) {
    const lines = sections.get('lmi') ?? [];
    lines.push('  cpuBusyFractionByFunction:', ...overrides);
    sections.set('lmi', lines);
  }
  return [...sections].map(([section, lines]) => `${section}:\n${lines.join('\n')}\n`).join('');
}

/** URL hash form: `#lmi.discount=0.28&lmi.groupUntagged=true` (only the knobs given). */
export function knobsToHash(values: KnobValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&');
}

/** Parses a hash; unknown keys and unparsable values are reported, not applied. */
export function knobsFromHash(hash: string): { values: KnobValues; ignored: string[] } {
  const values: KnobValues = {};
  const ignored: string[] = [];
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const [rawKey, raw = ''] = part.split('=');
    const key = decodeURIComponent(rawKey ?? '');
    const knob = overrideTarget(key) !== null ? CPU_OVERRIDE_KNOB : WHATIF_KNOBS.find((k) => k.key === key);
    const text = decodeURIComponent(raw);
    if (!knob) {
      ignored.push(key);
    } else if (knob.kind === 'checkbox') {
      if (text === 'true' || text === 'false') values[key] = text === 'true';
      else ignored.push(key);
    } else {
      const n = Number(text);
      if (text !== '' && Number.isFinite(n)) values[key] = n;
      else ignored.push(key);
    }
  }
  return { values, ignored };
}

/** The value as shown beside its control. */
export function formatKnob(knob: Knob, value: number | boolean): string {
  if (knob.kind === 'checkbox') return value ? 'yes' : 'no';
  const n = value as number;
  switch (knob.unit) {
    case 'share':
      return `${n} (${Number((n * 100).toFixed(2))} %)`;
    case 'pct':
      return `${n} %`;
    case 'x':
      return `${n}x`;
    default:
      return String(n);
  }
}
