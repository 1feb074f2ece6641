/** The LMI model: sizing one function alone, and packing several on one capacity provider. */
export type { CapacityRuns, GroupMember, LmiContext, LmiSizing } from './types.js';
export { sizeLmi, CPU_SHARE_GRID, TRAFFIC_SCALE_GRID } from './size.js';
export { planCapacityProvider } from './group.js';
export { lmiMonthlyCost, monthFactor, HOURS_PER_MONTH, type LmiCost, type LmiCostInput } from './cost.js';
export { checkEligibility, parseRuntime, LMI_MIN_MEMORY_MB, type Eligibility, type RuntimeTraits } from './eligibility.js';
