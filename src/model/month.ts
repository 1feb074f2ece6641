import type { SnapshotWindow } from '../source/profile.js';
import { windowHours } from '../source/profile.js';

/** Hours in the report's month: AWS bills and quotes monthly figures on 730 h (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

/** Factor turning a window total into a 730-h month: 730 / window hours. */
export function monthScale(window: SnapshotWindow): number {
  return HOURS_PER_MONTH / windowHours(window);
}

/** Seconds in the report's month (730 h), e.g. for provisioned concurrency configured all month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
