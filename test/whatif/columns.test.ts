import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromColumns, type Json, toColumns } from '../../src/whatif/columns.js';

describe('toColumns / fromColumns', () => {
  it('gives back any JSON array exactly: key order, optional keys, nested records, other values', () => {
    // Records of a few shapes (so columns form), nested, among values that are not records.
    const key = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', '');
    const leaf = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
    const { value } = fc.letrec<{ value: Json; record: Json }>((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('record')),
      record: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), (generated) => {
        // Prepare: as JSON.parse gives them (plain objects, own "__proto__" keys).
        const values = JSON.parse(JSON.stringify(generated)) as Json[];

        // Act
        const back = fromColumns(JSON.parse(JSON.stringify(toColumns(values))));

        // Assess
        expect(JSON.stringify(back)).toBe(JSON.stringify(values));
        expect(back.map((v) => (typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : null))).toEqual(
          values.map((v) => (typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : null)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('puts each key of alike records in one column', () => {
    // Act
    const packed = toColumns([{ name: 'a', memoryMB: 128 }, { name: 'b', memoryMB: 256, tags: { team: 'x' } }, null]);

    // Assess
    expect(packed).toEqual({ u: ['name', 'memoryMB', 'tags'], k: [[0, 1], [0, 1, 2]], i: [0, 1, -1], c: [['a', 'b'], [128, 256], { u: ['team'], k: [[0]], i: [0], c: [['x']], r: [] }], r: [null] });
  });
});
