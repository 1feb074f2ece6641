/**
 * An array of JSON records as columns, for the page's data: the functions' summaries repeat the
 * same keys thousands of times, and one column per key (a name, a runtime, a cost...) puts alike
 * values side by side for gzip. Exact for any JSON array: key order, optional keys, nested
 * records and values that are not records all come back as they were.
 *
 * A columnar array is {u, k, i, c, r}: u the keys in first-seen order, k each record shape (its
 * keys as indexes into u, in order), i each element's shape (-1: not a record, from r in order),
 * c per key its values of the records that have it (columnar again when they are records).
 * Any other array stays as it is (an array, so the two never mix up).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Columnar {
  u: string[];
  k: number[][];
  i: number[];
  c: (Json[] | Columnar)[];
  r: Json[];
}

const isRecord = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toColumns(values: readonly Json[]): Json[] | Columnar {
  if (!values.some(isRecord)) return values as Json[];
  const keyIndex = new Map<string, number>();
  const shapeIndex = new Map<string, number>();
  const out: Columnar = { u: [], k: [], i: [], c: [], r: [] };
  const columns: Json[][] = [];
  for (const v of values) {
    if (!isRecord(v)) {
      out.i.push(-1);
      out.r.push(v);
      continue;
    }
    const shape: number[] = [];
    for (const [key, value] of Object.entries(v)) {
      let at = keyIndex.get(key);
      if (at === undefined) {
        at = out.u.length;
        keyIndex.set(key, at);
        out.u.push(key);
        columns.push([]);
      }
      shape.push(at);
      (columns[at] as Json[]).push(value);
    }
    const id = shape.join(',');
    let s = shapeIndex.get(id);
    if (s === undefined) {
      s = out.k.length;
      shapeIndex.set(id, s);
      out.k.push(shape);
    }
    out.i.push(s);
  }
  out.c = columns.map(toColumns);
  return out;
}

export function fromColumns(packed: Json[] | Columnar): Json[] {
  if (Array.isArray(packed)) return packed;
  const columns = packed.c.map(fromColumns);
  const next = new Array<number>(columns.length).fill(0);
  let raw = 0;
  return packed.i.map((s) => {
    if (s < 0) return packed.r[raw++] as Json;
    const shape = packed.k[s];
    if (shape === undefined) throw new Error(`what-if data: record shape ${s} is missing`);
    // fromEntries makes own properties whatever the key (a "__proto__" key stays a key).
    return Object.fromEntries(shape.map((key) => [packed.u[key] as string, (columns[key] as Json[])[next[key]!++] as Json]));
  });
}
