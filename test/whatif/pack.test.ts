import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyData } from '../../src/whatif/json.js';
import { packData, unpackData } from '../../src/whatif/pack.js';
import type { CompactReplayData } from '../../src/whatif/replay-compact.js';
import { loadSample } from './sample.js';

// The page's bytes must give back the very data the run collected: packing never rounds.
describe('packData / unpackData', () => {
  it('round-trips the sample account exactly and is smaller than its JSON', async () => {
    // Prepare
    const { data } = await loadSample();

    // Act
    const packed = packData(data);
    const back = unpackData(packed);

    // Assess
    expect(stringifyData(back)).toBe(stringifyData(data));
    expect(packed.length).toBeLessThan(stringifyData(data).length);
  });

  it('round-trips any replay, whole numbers in columns and others kept in the JSON', async () => {
    const { data } = await loadSample();
    const template = data.functions.find((f) => f.sizing !== null);
    if (!template?.sizing) throw new Error('sample: no sized function');
    const sized = template.sizing;
    const whole = fc.integer({ min: -(2 ** 52), max: 2 ** 52 });
    const value = fc.oneof(whole, fc.integer({ min: -300, max: 300 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    // Parallel arrays of one length (as extracted), and any other shape too (kept in the JSON).
    const parallel = fc.integer({ min: 0, max: 30 }).chain((runs) =>
      fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })).chain(([pairs, marks]) =>
        fc.record({
          servedValues: fc.array(value, { minLength: runs, maxLength: runs }),
          servedLengths: fc.array(fc.nat(), { minLength: runs, maxLength: runs }),
          pairServed: fc.array(value, { minLength: pairs, maxLength: pairs }),
          pairConcurrency: fc.array(value, { minLength: pairs, maxLength: pairs }),
          pairInvocations: fc.array(fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })), { minLength: pairs, maxLength: pairs }),
          markGaps: fc.array(fc.nat(), { minLength: marks, maxLength: marks }),
          markPairs: fc.array(fc.nat(), { minLength: marks, maxLength: marks }),
          bucketPeak: fc.array(fc.option(value), { maxLength: 30 }),
        }),
      ),
    );
    const anyShape = fc.record({
      servedValues: fc.array(value, { maxLength: 30 }),
      servedLengths: fc.array(fc.nat(), { maxLength: 30 }),
      pairServed: fc.array(value, { maxLength: 30 }),
      pairConcurrency: fc.array(value, { maxLength: 30 }),
      pairInvocations: fc.array(fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })), { maxLength: 30 }),
      markGaps: fc.array(fc.nat(), { maxLength: 30 }),
      markPairs: fc.array(fc.nat(), { maxLength: 30 }),
      bucketPeak: fc.array(fc.option(value), { maxLength: 30 }),
    });
    const replay: fc.Arbitrary<CompactReplayData> = fc.oneof(parallel, parallel, anyShape).map((arrays) => ({ ...sized.replay, ...arrays }));
    fc.assert(
      fc.property(fc.array(fc.option(replay), { minLength: 1, maxLength: 5 }), (replays) => {
        // Prepare
        const functions = replays.map((r) => ({ ...template, sizing: r === null ? null : { ...sized, replay: r } }));
        const input = { ...data, functions };

        // Act
        const back = unpackData(packData(input));

        // Assess: -0 is the only value that comes back as another (0); JSON makes both 0 anyway.
        expect(JSON.parse(stringifyData(back))).toEqual(JSON.parse(stringifyData(input)));
      }),
      { numRuns: 200 },
    );
  });
});
