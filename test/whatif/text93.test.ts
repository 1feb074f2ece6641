import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from '../../src/whatif/text93.js';

describe('encodeText / decodeText', () => {
  it('round-trips any bytes, in printable ASCII without < and &, at 13 bits per 2 characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        // Act
        const text = encodeText(bytes);

        // Assess
        expect(decodeText(text)).toEqual(bytes);
        expect(text).toMatch(/^[\x20-\x7e]*$/);
        expect(text).not.toMatch(/[<&]/);
        expect(text.length).toBe(2 * Math.floor((8 * bytes.length) / 13) + ((8 * bytes.length) % 13 === 0 ? 0 : (8 * bytes.length) % 13 <= 6 ? 1 : 2));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every length from 0 to 40 of all-ones and all-zeros bytes (the tail cases)', () => {
    for (let n = 0; n <= 40; n++) {
      for (const fill of [0, 255]) {
        const bytes = new Uint8Array(n).fill(fill);
        expect(decodeText(encodeText(bytes))).toEqual(bytes);
      }
    }
  });

  it('names a character outside the alphabet', () => {
    expect(() => decodeText('ab<c')).toThrow(/character "<" at 2/);
  });
});
