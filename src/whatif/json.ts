/**
 * JSON for the page's data: price tiers end at Infinity, which JSON.stringify would turn into
 * null. Infinities travel as the numbers 1e999 and -1e999, which JSON.parse reads back as
 * Infinity and -Infinity itself (no reviver: it cost a call per value on the page's load).
 */
const POSITIVE = '\u0000+Infinity';
const NEGATIVE = '\u0000-Infinity';
const POSITIVE_TOKEN = JSON.stringify(POSITIVE);
const NEGATIVE_TOKEN = JSON.stringify(NEGATIVE);

export function stringifyData(value: unknown): string {
  // Typed arrays (the decoded replays, pack.ts) as the arrays they stand for (a NaN peak: null).
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v === Infinity ? POSITIVE : v === -Infinity ? NEGATIVE : ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v,
  );
  // Whole string tokens, matched from the start, so a marker is only ever a value of its own.
  return text.replace(/"(?:[^"\\]|\\.)*"/g, (token) => (token === POSITIVE_TOKEN ? '1e999' : token === NEGATIVE_TOKEN ? '-1e999' : token));
}

export function parseData<T>(text: string): T {
  return JSON.parse(text) as T;
}
