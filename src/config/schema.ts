import * as z from 'zod';

/**
 * Every assumption of the model is a knob here, with its default and the reason for it.
 * Unknown keys are errors (strict objects), so a typo never silently falls back to a default.
 * The one-line meaning of each knob, shown in the report and the README, is in
 * `KNOB_DESCRIPTIONS` (src/config/assumptions.ts); a test keeps both key sets equal.
 */

const ratio = z.union([z.literal(2), z.literal(4), z.literal(8)]);

export const pricingSchema = z
  .strictObject({
    /** Lambda free tier: 1M requests + 400,000 GB-s per month, one credit per account. */
    freeTier: z.boolean().default(true),
    /** Compute Savings Plan discount on standard Lambda duration and PC (AWS: up to 17 %). */
    lambdaDiscount: z.number().min(0).max(0.17).default(0),
  })
  .prefault({});

export const billingSchema = z
  .strictObject({
    /** Average ms added per invocation by Lambda's round-up to 1 ms. */
    roundingMsPerInvocation: z.number().min(0).max(1).default(0.5),
    /** Use the bill's GB-s per invocation (INIT included) where Cost Explorer covers the function. */
    initFromBill: z.boolean().default(false),
  })
  .prefault({});

export const lmiSchema = z
  .strictObject({
    /**
     * Savings Plan / RI discount on the EC2 part only (the 15 % fee is never discounted). At most
     * 72 %: the largest discount AWS quotes (EC2 Instance Savings Plans "up to 72 %",
     * https://aws.amazon.com/savingsplans/; the LMI example on https://aws.amazon.com/lambda/pricing/).
     */
    discount: z.number().min(0).max(0.72).default(0),
    /** Management fee as a share of the EC2 on-demand price (pricing page: 15 %). */
    managementFeeShare: z.number().min(0).max(1).default(0.15),
    /** Capacity kept per unit of demand: 2 = traffic may double (LMI's own default headroom). */
    headroom: z.number().min(1).max(10).default(2),
    /** Minutes from demand rising to new capacity serving it (LMI doubles within ~5 min). */
    scaleOutMinutes: z.number().min(0).max(120).default(5),
    /** Minutes demand must stay low before capacity is released (LMI scales in gradually). */
    scaleInMinutes: z.number().min(0).max(24 * 60).default(15),
    /** Minimum execution environments per function (LMI default 3, one per AZ). */
    minEnvironments: z.number().int().min(0).max(15000).default(3),
    /** Minimum instances per capacity provider (LMI launches 3 for AZ resiliency). */
    minInstances: z.number().int().min(1).max(1000).default(3),
    /** Instance families the capacity provider may use (LMI: C, M, R). */
    instanceFamilies: z.array(z.enum(['c', 'm', 'r'])).min(1).default(['c', 'm', 'r']),
    /** Restrict to these instance types (exact names); empty = every priced type of the families. */
    allowedInstanceTypes: z.array(z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/)).default([]),
    /** Memory-to-vCPU ratios the model may choose for an execution environment. */
    memoryGiBPerVCpuOptions: z.array(ratio).min(1).default([2, 4, 8]),
    /** vCPUs kept per instance for the OS and the Lambda agent (AWS sample calculator: 1). */
    osReserveVCpu: z.number().min(0).max(4).default(1),
    /** Memory kept per instance for the OS and the agent, MiB (AWS sample calculator: 1024). */
    osReserveMemoryMiB: z.number().int().min(0).max(16384).default(1024),
    /** Tag key naming a function's trust group; only functions of one group share a provider. */
    trustGroupTag: z.string().min(1).max(128).default('lmi-advisor:trust-group'),
    /** Group functions without the tag too (mutual trust not known: off by default). */
    groupUntagged: z.boolean().default(false),
    /** Share of an invocation's duration spent on CPU when not measured (1 = the safe bound). */
    cpuBusyFraction: z.number().gt(0).max(1).default(1),
    /**
     * Per-function cpuBusyFraction for functions without measured CPU, keyed by
     * `<region>/<function name>` or by the bare name (every region); the region form wins.
     */
    cpuBusyFractionByFunction: z
      .record(z.string().regex(/^([a-z0-9-]+\/)?[A-Za-z0-9_-]{1,140}$/, 'a function name or <region>/<function name>'), z.number().gt(0).max(1))
      .default({}),
    /**
     * CPU bound of an unmeasured invocation: `full-share` = every vCPU standard Lambda gave it
     * (memoryMB / 1769, at most 6), for every runtime; `single-threaded` = at most 1 vCPU for
     * Node.js and Python. Native thread pools (sharp/libvips, numpy, zlib) exceed 1 vCPU, so only
     * the full share is an upper bound (issue 8, item 4).
     */
    cpuBound: z.enum(['full-share', 'single-threaded']).default('full-share'),
  })
  .prefault({});

export const recommendSchema = z
  .strictObject({
    /** LMI must be cheaper by more than this percentage of standard cost to say `migrate`. */
    minSavingsPct: z.number().min(0).max(100).default(10),
    /** Fewer invocations than this in the window gives `insufficient-data`. */
    minInvocations: z.number().int().min(0).default(1000),
    /** A window shorter than this many days gives `insufficient-data`. */
    minWindowDays: z.number().min(0).max(455).default(7),
    /** More than this share of periods with unknown metrics gives `insufficient-data`. */
    maxUnknownShare: z.number().min(0).max(1).default(0.2),
    /** Lowest unmeasured CPU share at which a cheaper LMI is still worth a `review`. */
    reviewCpuShare: z.number().gt(0).max(1).default(0.25),
    /** Peak throttled share of invocations above which a cheaper LMI is `review`, not `migrate`. */
    maxThrottledShare: z.number().min(0).max(1).default(0.001),
  })
  .prefault({});

export const reconcileSchema = z
  .strictObject({
    /** A modelled standard cost further than this from the bill (%) is a warning (and digest line). */
    maxDeviationPct: z.number().min(0).max(100).default(5),
  })
  .prefault({});

export const storeSchema = z
  .strictObject({
    /**
     * A day is stored final (never read again) only when it ended at least this many minutes
     * before the run: CloudWatch metrics arrive late, so a younger day is read but kept unsettled.
     */
    settleMinutes: z.number().int().min(0).max(24 * 60).default(30),
  })
  .prefault({});

export const configSchema = z.strictObject({
  pricing: pricingSchema,
  billing: billingSchema,
  lmi: lmiSchema,
  recommend: recommendSchema,
  reconcile: reconcileSchema,
  store: storeSchema,
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The config with every default applied. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
