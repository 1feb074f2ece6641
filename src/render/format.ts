/**
 * Presentation formatting. The model keeps every figure unrounded; rounding happens here, once,
 * half-up (away from zero), so the same model always prints the same text on every machine
 * (no locale, no Intl). `null` is "unknown", never "$0.00".
 */

export const UNKNOWN = 'unknown';

/**
 * Rounds half-up (away from zero) at `decimals` places. The product is first cut to 15
 * significant digits so binary noise (1.005 * 100 = 100.49999999999999) does not round down.
 */
export function roundHalfUp(value: number, decimals: number): number {
  // Whole numbers (counts) are already rounded at any decimals >= 0: the same result, faster.
  if (Number.isInteger(value) && decimals >= 0 && Math.abs(value) < 1e12) return value === 0 ? 0 : value;
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 ? -rounded : rounded;
}

/** Thousands separators on an already rounded, non-negative number rendered with `decimals`. */
function group(value: number, decimals: number): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const dot = fixed.indexOf('.');
  const wholeEnd = dot === -1 ? fixed.length : dot;
  if (wholeEnd <= 3) return fixed;
  // 1e+21 and up (toFixed writes an exponent) and Infinity (a huge value rounded): as the reference does.
  const first = fixed.charCodeAt(0);
  if (first < 48 || first > 57 || fixed.includes('e')) return groupSlow(fixed);
  // By hand, a comma every three digits from the dot (the what-if page formats every row on each change).
  let out = fixed.slice(0, ((wholeEnd - 1) % 3) + 1);
  for (let i = out.length; i < wholeEnd; i += 3) out += `,${fixed.slice(i, i + 3)}`;
  return out + fixed.slice(wholeEnd);
}

/** The reference for group: thousands separators by regex on the whole part. */
export function groupSlow(fixed: string): string {
  const [whole = '0', frac] = fixed.split('.');
  const grouped = whole.length <= 3 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

function sign(value: number): string {
  return value < 0 ? '-' : '';
}

/** `$1,234.57`; `-$3.10`; `unknown` for null. */
export function formatUsd(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const rounded = roundHalfUp(value, decimals);
  if (rounded === 0) return `$${group(0, decimals)}`;
  return `${sign(rounded)}$${group(rounded, decimals)}`;
}

/** Whole dollars for headlines and chart labels: `$12,346`. */
export function formatUsdWhole(value: number | null | undefined): string {
  return formatUsd(value, 0);
}

/** A count or measure with thousands separators: `1,234,567` or `12.5`. */
export function formatNumber(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const rounded = roundHalfUp(value, decimals);
  if (rounded === 0) return group(0, decimals);
  return `${sign(rounded)}${group(rounded, decimals)}`;
}

/**
 * Compact count for axis labels and large totals: 950, 12.3k, 4.56M, 7.8B (3 significant digits).
 */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  // Rounding may carry into the next unit (999,999 -> 1000k): pick the unit after rounding.
  for (let u = units.length - 1; u >= 0; u--) {
    const unit = units[u];
    if (!unit) continue;
    const [size, suffix] = unit;
    const next = units[u - 1];
    if (abs < size || (next && abs >= next[0])) continue;
    const scaled = abs / size;
    const decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
    const rounded = roundHalfUp(scaled, decimals);
    if (rounded >= 1000 && next) return formatCompact(Math.sign(value) * next[0]);
    const fixed = rounded.toFixed(decimals);
    // Drop trailing zeros of the fraction only (310 stays 310, 4.50 becomes 4.5).
    const text = decimals > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
    return `${sign(value)}${text}${suffix}`;
  }
  if (roundHalfUp(abs, 0) >= 1000) return formatCompact(Math.sign(value) * 1000);
  return formatNumber(value, abs !== 0 && abs < 10 && !Number.isInteger(value) ? 1 : 0);
}

/** A share 0..1 as a percentage: 0.1234 -> `12.3 %`. */
export function formatPercent(share: number | null | undefined, decimals = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return UNKNOWN;
  // A small non-zero share is not "0 %": say it is below the last shown digit.
  if (share !== 0 && roundHalfUp(share * 100, decimals) === 0) {
    return `${share < 0 ? '> -' : '< '}${formatNumber(10 ** -decimals, decimals)} %`;
  }
  return `${formatNumber(share * 100, decimals)} %`;
}

/** A ratio such as the busy-time premium: 2.345 -> `2.35x`. */
export function formatRatio(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  return `${formatNumber(value, decimals)}x`;
}

/** Milliseconds: `123.5 ms`, `2.35 s` above 10 s. */
export function formatDurationMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  if (value >= 10_000) return `${formatNumber(value / 1000, 2)} s`;
  return `${formatNumber(value, 1)} ms`;
}

/** Any config value for the assumptions table, deterministic (arrays comma-joined). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return UNKNOWN;
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(formatValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `2026-11-07T00:00:00Z` -> `2026-11-07 00:00 UTC`; other strings are returned as they are. */
export function formatTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** `2026-11-07T00:00:00Z` -> `2026-11-07`. */
export function formatDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 10);
}

/** CloudWatch period in words. */
export function formatPeriod(periodSeconds: number): string {
  if (periodSeconds % 3600 === 0) {
    const h = periodSeconds / 3600;
    return h === 1 ? '1 hour' : `${h} hours`;
  }
  if (periodSeconds % 60 === 0) {
    const m = periodSeconds / 60;
    return m === 1 ? '1 minute' : `${m} minutes`;
  }
  return `${periodSeconds} seconds`;
}
