import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyData } from '../../src/whatif/json.js';
import { codedByStructure, joinParts, packData, splitParts, unpackData } from '../../src/whatif/pack.js';
import type { KnobValues } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
import { extractCompactReplay, type CompactReplayData } from '../../src/whatif/replay-compact.js';
import { loadSample } from './sample.js';

/** Whether packData range-codes the replay: arrays of matching lengths, whole numbers below 2^50, naturals where counts are. */
function packedByCoder(r: CompactReplayData): boolean {
  const whole = (v: number) => Number.isSafeInteger(v) && Math.abs(v) < 2 ** 50;
  const natural = (v: number) => whole(v) && v >= 0;
  const all = (list: ArrayLike<number>, test: (v: number) => boolean) => Array.from(list).every(test);
  return (
    r.servedValues.length === r.servedLengths.length &&
    r.pairServed.length === r.pairConcurrency.length &&
    r.pairServed.length === r.pairInvocations.length &&
    r.markGaps.length === r.markPairs.length &&
    all(r.servedValues, whole) && all(r.servedLengths, natural) && all(r.pairServed, whole) && all(r.pairConcurrency, whole) &&
    all(r.pairInvocations, natural) && all(r.markGaps, natural) && all(r.markPairs, natural)
  );
}

const NUMBER_ARRAYS = ['servedValues', 'servedLengths', 'pairServed', 'pairConcurrency', 'pairInvocations', 'markGaps', 'markPairs'] as const;

/** The typed array kind the decoder must give values: the narrowest that holds each exactly. */
function narrowest(values: readonly number[]): string {
  if (values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffff && !Object.is(v, -0))) return 'Uint16Array';
  if (values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff && !Object.is(v, -0))) return 'Uint32Array';
  return 'Float64Array';
}

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
    expect(packed.json.length + packed.coded.length).toBeLessThan(stringifyData(data).length);
  });

  it('round-trips profiles whose fields differ from, equal, or look like the marker of the summary\'s', async () => {
    // Prepare
    const { data } = await loadSample();
    const [a, b, ...rest] = data.functions;
    if (!a || !b) throw new Error('sample: fewer than 2 functions');
    const cases = [
      { ...data, functions: [{ ...a, profile: { ...a.profile, memoryMB: a.profile.memoryMB + 1, tags: { other: 'x' } } }, b, ...rest] },
      { ...data, functions: [{ ...a, profile: { ...a.profile, name: '\u0000=' } }, b, ...rest] },
    ];

    for (const input of cases) {
      // Act
      const back = unpackData(packData(input));

      // Assess
      expect(stringifyData(back)).toBe(stringifyData(input));
    }
  });

  it('codes the sample replays by their structure, and round-trips them through joinParts / splitParts', async () => {
    // Prepare
    const { data } = await loadSample();
    const sized = data.functions.filter((f) => f.sizing !== null).length;

    // Act
    const packed = packData(data);
    const parts = splitParts(joinParts(packed.json, packed.coded));
    const back = unpackData({ json: parts.gzippedJson, coded: parts.coded });

    // Assess: same data; the structured coding takes a few bytes per run at most (plain varints took 2 or more).
    expect(stringifyData(back)).toBe(stringifyData(data));
    const runs = data.functions.reduce((n, f) => n + (f.sizing?.replay.servedValues.length ?? 0), 0);
    expect(sized).toBeGreaterThan(0);
    expect(packed.coded.length).toBeLessThan(2 * runs);
    for (const f of data.functions) if (f.sizing) expect(codedByStructure(f.sizing.replay)).toBe(true);
  });

  it('round-trips what extractCompactReplay gives for random series, windows and scaling delays (the structured coding)', async () => {
    const { data, profiles } = await loadSample();
    const template = data.functions.find((f) => f.sizing !== null);
    const profile = profiles[0];
    if (!template?.sizing || !profile) throw new Error('sample: no sized function');
    const sized = template.sizing;
    const series = fc.integer({ min: 1, max: 700 }).chain((periods) =>
      fc.record({
        periods: fc.constant(periods),
        concurrency: fc.array(fc.option(fc.oneof(fc.nat({ max: 12 }), fc.nat({ max: 400 })), { freq: 12 }), { minLength: periods, maxLength: periods }),
        invocations: fc.array(fc.option(fc.nat({ max: 10 ** 6 }), { freq: 12 }), { minLength: periods, maxLength: periods }),
        scaleOutMinutes: fc.nat({ max: 8 }),
        scaleInMinutes: fc.nat({ max: 30 }),
      }),
    );
    let structured = 0;
    fc.assert(
      fc.property(fc.array(series, { minLength: 1, maxLength: 3 }), (cases) => {
        // Prepare: each case its own window of `periods` minutes and delays (the page reads them from the config).
        const functions = cases.map(({ periods, concurrency, invocations }) => {
          const window = { start: '2026-11-07T00:00:00Z', end: new Date(Date.parse('2026-11-07T00:00:00Z') + periods * 60_000).toISOString().replace('.000Z', 'Z'), periodSeconds: 60 as const };
          const lmi = { ...data.config.lmi, scaleOutMinutes: cases[0]!.scaleOutMinutes, scaleInMinutes: cases[0]!.scaleInMinutes };
          const replay = extractCompactReplay({ ...profile, series: { ...profile.series, concurrencyMax: concurrency, invocations, durationMsSum: invocations } }, window, lmi, 100);
          expect(codedByStructure(replay)).toBe(true);
          if (replay.markGaps.length > 0) structured++;
          return { ...template, sizing: { ...sized, replay } };
        });
        const config = { ...data.config, lmi: { ...data.config.lmi, scaleOutMinutes: cases[0]!.scaleOutMinutes, scaleInMinutes: cases[0]!.scaleInMinutes } };
        const input = { ...data, config, functions };

        // Act
        const packed = packData(input);
        const back = unpackData(packed);

        // Assess
        expect(stringifyData(back)).toBe(stringifyData(input));
      }),
      { numRuns: 200 },
    );
    expect(structured).toBeGreaterThan(50);
  });

  it('round-trips replays of the extracted shape with random runs, pairs, marks and peaks', async () => {
    const { data } = await loadSample();
    const template = data.functions.find((f) => f.sizing !== null);
    if (!template?.sizing) throw new Error('sample: no sized function');
    const sized = template.sizing;
    // Runs that cover `periods` (lengths >= 1, a step between runs), pairs ascending, marks per
    // bucket rising in served level and concurrency among the pairs the bucket can hold: the
    // structured coding; a mark off its candidates falls back to the plain coding.
    const shaped = fc
      .record({
        steps: fc.array(fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0), { minLength: 0, maxLength: 40 }),
        start: fc.integer({ min: 0, max: 5000 }),
        cuts: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 41, maxLength: 41 }),
        bucketPeriods: fc.integer({ min: 1, max: 50 }),
        pairSteps: fc.array(fc.tuple(fc.nat({ max: 3 }), fc.integer({ min: -2, max: 30 }), fc.nat({ max: 10 ** 7 })), { maxLength: 30 }),
        marks: fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 40 })), { maxLength: 40 }),
        peaks: fc.array(fc.option(fc.integer({ min: -10, max: 6000 }), { freq: 5 }), { minLength: 400, maxLength: 400 }),
      })
      .map(({ steps, start, cuts, bucketPeriods, pairSteps, marks, peaks }) => {
        const servedValues = [start];
        for (const d of steps) servedValues.push((servedValues.at(-1) as number) + d);
        const servedLengths = servedValues.map((_, i) => cuts[i] as number);
        const periods = servedLengths.reduce((a, b) => a + b, 0);
        const pairServed: number[] = [];
        const pairConcurrency: number[] = [];
        const pairInvocations: number[] = [];
        let level = servedValues[0] as number;
        for (const [up, above, inv] of pairSteps) {
          level += up;
          const same = pairServed.at(-1) === level;
          pairServed.push(level);
          pairConcurrency.push(same ? (pairConcurrency.at(-1) as number) + 1 + Math.abs(above) : level + above);
          pairInvocations.push(inv);
        }
        const buckets = Math.ceil(periods / bucketPeriods);
        const markGaps: number[] = [];
        const markPairs: number[] = [];
        let bucket = 0;
        for (const [gap, pair] of marks) {
          if (bucket + gap >= buckets || pairServed.length === 0) break;
          markGaps.push(gap);
          bucket += gap;
          markPairs.push(pair % pairServed.length);
        }
        return { periods, servedValues, servedLengths, pairServed, pairConcurrency, pairInvocations, markGaps, markPairs, bucketPeriods, bucketPeak: peaks.slice(0, buckets) };
      })
      .filter((r) => r.bucketPeak.length === Math.ceil(r.periods / r.bucketPeriods));
    fc.assert(
      fc.property(fc.array(shaped, { minLength: 1, maxLength: 4 }), (replays) => {
        // Prepare
        const functions = replays.map((r) => ({ ...template, sizing: { ...sized, replay: { ...sized.replay, ...r } } }));
        const input = { ...data, functions };

        // Act
        const back = unpackData(packData(input));

        // Assess
        expect(stringifyData(back)).toBe(stringifyData(input));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the arrays as typed arrays, the narrowest kind that holds every value, and peaks as doubles with NaN for null', async () => {
    const { data } = await loadSample();
    const template = data.functions.find((f) => f.sizing !== null);
    if (!template?.sizing) throw new Error('sample: no sized function');
    const sized = template.sizing;
    const values = fc.oneof(
      fc.array(fc.nat({ max: 0xffff }), { maxLength: 20 }),
      fc.array(fc.oneof(fc.nat({ max: 0xffff }), fc.integer({ min: 0xffff, max: 2 ** 32 - 1 })), { maxLength: 20 }),
      fc.array(fc.oneof(fc.nat({ max: 3 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), { maxLength: 20 }),
    );
    // The plain coding (any whole numbers; marks not among their candidates), so each array's values are free.
    const replay = fc
      .tuple(values, values, values, values, fc.array(fc.option(fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), { maxLength: 20 }))
      .map(([a, b, c, d, bucketPeak]): CompactReplayData => {
        const runs = Math.min(a.length, b.length);
        const pairs = Math.min(b.length, c.length, d.length);
        const marks = Math.min(c.length, d.length);
        return {
          ...sized.replay,
          servedValues: a.slice(0, runs),
          servedLengths: b.slice(0, runs).map(Math.abs),
          pairServed: c.slice(0, pairs),
          pairConcurrency: d.slice(0, pairs).map((v) => v - 1),
          pairInvocations: b.slice(0, pairs).map(Math.abs),
          markGaps: c.slice(0, marks).map(Math.abs),
          markPairs: d.slice(0, marks).map(Math.abs),
          bucketPeak,
        };
      });
    fc.assert(
      fc.property(fc.array(replay, { minLength: 1, maxLength: 4 }), (replays) => {
        // Prepare
        const input = { ...data, functions: replays.map((r) => ({ ...template, sizing: { ...sized, replay: r } })) };

        // Act
        const back = unpackData(packData(input));

        // Assess: every replay coded (none left in the JSON), each kind as narrow as the values allow, each value exact (null peaks: NaN).
        expect(replays.every(packedByCoder)).toBe(true);
        back.functions.forEach((f, i) => {
          const expected = replays[i] as CompactReplayData;
          const got = f.sizing?.replay as CompactReplayData;
          for (const key of NUMBER_ARRAYS) {
            const want = [...(expected[key] as number[])];
            expect(got[key].constructor.name, key).toBe(narrowest(want));
            expect(Array.from(got[key]), key).toEqual(want);
          }
          expect(got.bucketPeak).toBeInstanceOf(Float64Array);
          expect(Array.from(got.bucketPeak, (p) => (Number.isNaN(p) ? null : p))).toEqual(expected.bucketPeak);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('gives the model the same report over the decoded (typed) arrays as over the plain ones', async () => {
    // Prepare
    const sample = await loadSample();
    const back = unpackData(packData(sample.data));
    const typed = back.functions.filter((f) => f.sizing && f.sizing.replay.servedValues instanceof Uint16Array).length;
    expect(typed).toBeGreaterThan(0);

    const settings: KnobValues[] = [{}, { 'lmi.discount': 0.4, 'lmi.headroom': 1.7 }, { 'lmi.cpuBusyFraction': 0.2, 'lmi.minEnvironments': 4, 'lmi.groupUntagged': true }];
    for (const values of settings) {
      // Act
      const fromPlain = whatIfReport(JSON.parse(stringifyData(sample.data)), sample.config(values));
      const fromTyped = whatIfReport(back, sample.config(values));

      // Assess
      expect(fromTyped).toEqual(fromPlain);
    }
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
