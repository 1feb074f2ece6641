/**
 * JSON for the page's data: price tiers end at Infinity, which JSON.stringify would turn into
 * null. Infinities travel as a marker string and come back as numbers.
 */
const POSITIVE = '\u0000+Infinity';
const NEGATIVE = '\u0000-Infinity';

export function stringifyData(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v === Infinity ? POSITIVE : v === -Infinity ? NEGATIVE : v,
  );
}

export function parseData<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => (v === POSITIVE ? Infinity : v === NEGATIVE ? -Infinity : v)) as T;
}
