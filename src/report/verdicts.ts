import type { Recommendation } from './types.js';
import { RECOMMENDATIONS } from './types.js';

/**
 * The one definition of each verdict. src/model/recommend.ts decides by these rules; the README
 * (between `<!-- verdicts:start -->` and `<!-- verdicts:end -->`, kept equal by
 * test/report/verdicts.test.ts) and the report's legend print this text. Change the rules and
 * this text together.
 */

export const VERDICT_LABELS: Record<Recommendation, string> = {
  migrate: 'Migrate',
  review: 'Review',
  stay: 'Stay',
  'insufficient-data': 'Insufficient data',
  ineligible: 'Ineligible',
};

/** Markdown prose (backticks for knobs); the HTML legend renders the code spans. */
export const VERDICT_DEFINITIONS: Record<Recommendation, string> = {
  migrate:
    'LMI, for the function alone at the CPU figure used (measured, assumed or the safe bound), costs less than standard Lambda by more than `recommend.minSavingsPct` % of the standard cost, and no review risk stands. Only `migrate` functions are in the recommended plan and its savings.',
  review:
    'A person must decide before moving, and the saving is never counted in the totals nor shown without its condition. Either LMI is cheaper by more than `recommend.minSavingsPct` % but a risk must be accepted first (the replay throttles more than `recommend.maxThrottledShare` of the invocations, the runtime must be upgraded, memory must rise to 2048 MB, Python per-process memory is not measured, or metrics are coarser than 1 minute); or CPU is not measured, LMI costs more at the CPU figure used, and it is cheaper only if CPU work stays under a break-even share of the duration (CPU-seconds per second of duration; above 100 % it is said as vCPUs busy on average) that is at least `recommend.reviewCpuShare`.',
  stay:
    'Keep the function where it runs: standard Lambda is cheaper at the CPU figure used (with unmeasured CPU, LMI wins only below `recommend.reviewCpuShare`, if at all), or LMI is cheaper by no more than `recommend.minSavingsPct` %, or the function already runs on LMI (not re-assessed). When LMI is cheaper, the reason it stays is shown next to the figure. Under every verdict, an LMI saving whose replay throttles more than `recommend.maxThrottledShare` of the invocations says so next to the figure.',
  'insufficient-data':
    'No verdict: the data cannot carry one. The standard cost or the LMI sizing is unknown (no prices for the region, unreadable provisioned concurrency, unknown metrics), or there were fewer than `recommend.minInvocations` invocations, a window shorter than `recommend.minWindowDays` days, or more than `recommend.maxUnknownShare` of the periods with unknown metrics. A figure shown is an unchecked estimate.',
  ineligible:
    'Something blocks LMI for the function as it is (for example a container image: LMI runs managed runtimes only). It is priced as if it could run, for information only.',
};

/** The README block: one bullet per verdict, in report order. */
export function verdictDefinitionsMarkdown(): string {
  return RECOMMENDATIONS.map((r) => `- \`${r}\` (${VERDICT_LABELS[r]}): ${VERDICT_DEFINITIONS[r]}`).join('\n');
}
