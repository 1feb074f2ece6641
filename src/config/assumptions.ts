import type { Assumption } from '../report/types.js';
import { type Config, defaultConfig } from './schema.js';

/**
 * One line per config knob, keyed by dotted path, in schema order. This is the single source of
 * the descriptions shown in the report's assumptions table, the README and `--help`; a test
 * checks that every leaf of the schema has exactly one entry.
 */
export const KNOB_DESCRIPTIONS: Record<string, string> = {
  'pricing.freeTier':
    'Apply the Lambda free tier (1M requests + 400,000 GB-s per month) as one account-level credit.',
  'pricing.lambdaDiscount':
    'Compute Savings Plan discount on standard Lambda duration and provisioned concurrency (AWS: up to 17 %).',
  'billing.roundingMsPerInvocation':
    'Average ms added per invocation by Lambda rounding each billed duration up to 1 ms.',
  'billing.initFromBill':
    "With --reconcile and resource-level Cost Explorer data: price each covered function's duration at the bill's GB-s per invocation (INIT included), labelled \"from the bill\".",
  'lmi.discount':
    'Savings Plan / Reserved Instance discount on the EC2 part of LMI only (the management fee is never discounted); at most 0.72, the largest AWS quotes (EC2 Instance Savings Plans up to 72 %: https://aws.amazon.com/savingsplans/).',
  'lmi.managementFeeShare': 'LMI management fee as a share of the EC2 on-demand price (pricing page: 15 %).',
  'lmi.headroom': "Capacity kept per unit of demand: 2 = traffic may double (LMI's own default headroom).",
  'lmi.scaleOutMinutes': 'Minutes from demand rising to new LMI capacity serving it (LMI doubles within about 5 min).',
  'lmi.scaleInMinutes': 'Minutes demand must stay low before LMI capacity is released (LMI scales in gradually).',
  'lmi.minEnvironments': 'Minimum execution environments per function (LMI default 3, one per AZ).',
  'lmi.minInstances': 'Minimum instances per capacity provider (LMI launches 3 for AZ resiliency).',
  'lmi.instanceFamilies': 'EC2 instance families a capacity provider may use (LMI: C, M, R).',
  'lmi.allowedInstanceTypes': 'Restrict to these exact instance types; empty = every priced type of the families.',
  'lmi.memoryGiBPerVCpuOptions': 'Memory-to-vCPU ratios (GiB per vCPU) the model may choose for an execution environment.',
  'lmi.osReserveVCpu': 'vCPUs kept per instance for the OS and the Lambda agent (AWS sample calculator: 1).',
  'lmi.osReserveMemoryMiB': 'Memory kept per instance for the OS and the agent, MiB (AWS sample calculator: 1024).',
  'lmi.trustGroupTag': "Tag key naming a function's trust group; only functions of one group share a capacity provider.",
  'lmi.groupUntagged': 'Also group functions without the trust-group tag (mutual trust not known: off by default).',
  'lmi.cpuBusyFraction':
    "Share of an invocation's duration spent on CPU when not measured (1 = the safe bound).",
  'lmi.cpuBusyFractionByFunction':
    'Per-function `lmi.cpuBusyFraction` for functions without measured CPU, keyed by `<region>/<function name>` or the bare name (every region; the region form wins). Empty: every function uses `lmi.cpuBusyFraction`.',
  'lmi.cpuBound':
    'CPU bound of an unmeasured invocation: `full-share` = all the vCPUs standard Lambda gave it (memoryMB / 1769, at most 6), an upper bound for every runtime; `single-threaded` = at most 1 vCPU for Node.js and Python (smaller LMI sizing, but under-sizes code with native thread pools such as sharp, numpy or zlib).',
  'recommend.minSavingsPct': 'LMI must be cheaper by more than this percentage of standard cost to say `migrate`.',
  'recommend.minInvocations': 'Fewer invocations than this in the window gives `insufficient-data`.',
  'recommend.minWindowDays': 'A window shorter than this many days gives `insufficient-data`.',
  'recommend.maxUnknownShare':
    'More than this share of the window\'s periods with unknown metrics (CloudWatch gave no value) gives `insufficient-data`; below it, totals are extrapolated from the known periods.',
  'recommend.reviewCpuShare': 'Lowest unmeasured CPU share at which a cheaper LMI is still worth a `review`.',
  'recommend.maxThrottledShare':
    'Peak throttled share of invocations above which a cheaper LMI is `review`, not `migrate`.',
  'reconcile.maxDeviationPct':
    'With --reconcile: a modelled standard cost further than this many percent from the bill is a warning, also in the Slack and email digests.',
  'store.settleMinutes':
    'With a metric store (--store, the nightly Lambda): a UTC day is stored final, never read again, only once it ended this many minutes before the run (CloudWatch metrics arrive late); a younger day is read but kept unsettled and read again next run.',
};

/**
 * Dotted paths of every leaf of a config object (arrays and empty objects, such as the defaults of
 * keyed maps, are leaves), in key order.
 * Derived from the parsed defaults, so it follows the schema without walking zod internals.
 */
export function configLeafKeys(config: Config = defaultConfig()): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      keys.push(prefix);
    }
  };
  walk(config, '');
  return keys;
}

function valueAt(config: Config, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/**
 * The report's assumptions table: every knob with the value used, its default and what it means.
 *
 * @example
 * describeAssumptions(defaultConfig()).find((a) => a.key === 'lmi.headroom')?.value // 2
 */
export function describeAssumptions(config: Config): Assumption[] {
  const defaults = defaultConfig();
  return configLeafKeys(defaults).map((key) => ({
    key,
    value: valueAt(config, key),
    default: valueAt(defaults, key),
    description: KNOB_DESCRIPTIONS[key] ?? '(no description)',
  }));
}

/**
 * The knob table of README.md ("Configuration"): key, default, meaning. The README holds it as
 * committed text between markers; a test keeps the two equal.
 */
export function knobTableMarkdown(): string {
  const rows = describeAssumptions(defaultConfig()).map(
    (a) => `| \`${a.key}\` | \`${JSON.stringify(a.default)}\` | ${a.description.replaceAll('|', '\\|')} |`,
  );
  return ['| key | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
