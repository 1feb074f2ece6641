import { LmiAdvisorError } from '../errors.js';
import type { ReportModel } from '../report/types.js';

/**
 * report.json: the ReportModel as built (key order kept, numbers unrounded), 2-space indented,
 * with a trailing newline. A NaN or Infinity would silently become `null` ("unknown") in
 * JSON.stringify, hiding a bug behind an honest-looking gap, so it is an error instead.
 */
export function renderJson(model: ReportModel): string {
  return `${JSON.stringify(model, finiteOnly, 2)}\n`;
}

function finiteOnly(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const where = describeHolder(this);
    throw new LmiAdvisorError(`report.json: non-finite number (${String(value)}) at key "${key}"${where}`);
  }
  return value;
}

function describeHolder(holder: unknown): string {
  if (holder === null || typeof holder !== 'object') return '';
  const h = holder as Record<string, unknown>;
  return typeof h.name === 'string' ? ` of "${h.name}"` : '';
}
