import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitModels, IntegerModel, RangeDecoder, RangeEncoder, SmallIntegerModel } from '../../src/whatif/range-coder.js';

describe('RangeEncoder / RangeDecoder', () => {
  it('decodes exactly what was coded: whole numbers up to 2^53 - 1 in contexts (both models), bits, raw bits', () => {
    const item = fc.oneof(
      fc.record({ kind: fc.constant('int' as const), context: fc.nat({ max: 4 }), value: fc.oneof(fc.nat({ max: 40 }), fc.nat(), fc.maxSafeNat()) }),
      fc.record({ kind: fc.constant('bit' as const), context: fc.nat({ max: 2 }), value: fc.nat({ max: 1 }) }),
      fc.record({ kind: fc.constant('small' as const), context: fc.nat({ max: 2 }), value: fc.oneof(fc.nat({ max: 8 }), fc.nat({ max: 40 }), fc.maxSafeNat()) }),
      fc.record({ kind: fc.constant('raw' as const), context: fc.integer({ min: 1, max: 16 }), value: fc.nat({ max: 65535 }) }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 400 }), (items) => {
        // Prepare
        const make = () => ({ ints: new IntegerModel(5, 8), bits: new BitModels(3), small: new SmallIntegerModel(3, 3) });
        const enc = new RangeEncoder();
        const m = make();

        // Act
        for (const { kind, context, value } of items) {
          if (kind === 'int') m.ints.encode(enc, context, value);
          else if (kind === 'bit') enc.bit(m.bits, context, value);
          else if (kind === 'small') m.small.encode(enc, context, value);
          else enc.raw(value % 2 ** context, context);
        }
        const bytes = enc.finish();
        const dec = new RangeDecoder(bytes);
        const d = make();
        const back = items.map(({ kind, context }) =>
          kind === 'int' ? d.ints.decode(dec, context) : kind === 'bit' ? dec.bit(d.bits, context) : kind === 'small' ? d.small.decode(dec, context) : dec.raw(context),
        );

        // Assess
        expect(back).toEqual(items.map(({ kind, context, value }) => (kind === 'raw' ? value % 2 ** context : value)));
      }),
      { numRuns: 300 },
    );
  });

  it('carries through long runs of 0xff bytes (skewed bits near probability 1)', () => {
    // Prepare: many likely bits, then unlikely ones, pushes low to the carry boundary often.
    const bits: number[] = [];
    for (let i = 0; i < 20000; i++) bits.push(i % 997 === 0 ? 0 : 1);
    const enc = new RangeEncoder();
    const m = new BitModels(1);

    // Act
    for (const b of bits) enc.bit(m, 0, b);
    const dec = new RangeDecoder(enc.finish());
    const d = new BitModels(1);

    // Assess
    expect(bits.map(() => dec.bit(d, 0))).toEqual(bits);
  });

  it('refuses a number it cannot code', () => {
    const enc = new RangeEncoder();
    const m = new IntegerModel(1);
    expect(() => m.encode(enc, 0, -1)).toThrow(/cannot be coded/);
    expect(() => m.encode(enc, 0, 0.5)).toThrow(/cannot be coded/);
    expect(() => m.encode(enc, 1, 3)).toThrow(/cannot be coded/);
  });
});
