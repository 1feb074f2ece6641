import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotError } from '../../src/errors.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { openSnapshot, validateSnapshot } from '../../src/source/snapshot-reader.js';

const SCENARIOS = join(import.meta.dirname, '../../fixtures/scenarios');
const BAD = join(SCENARIOS, 'bad');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snapshot-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<SnapshotError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

const HEADER = {
  schema: 'lmi-advisor.snapshot/v1',
  capturedAt: '2026-11-20T03:00:00Z',
  accountId: '123456789012',
  window: { start: '2026-11-20T00:00:00Z', end: '2026-11-20T00:05:00Z', periodSeconds: 60 },
};

function line(overrides: Record<string, unknown> = {}, series: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region: 'us-east-1',
    name: 'api',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memoryMB: 1024,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: {},
    ...overrides,
    series: {
      invocations: [10, 10, null, 10, 10],
      durationMsSum: [1000, 1000, null, 1000, 1000],
      concurrencyMax: [1, 1, null, 1, 1],
      ...series,
    },
  };
}

let counter = 0;
async function snapshotFile(lines: (string | object)[], suffix = '.ndjson'): Promise<string> {
  const path = join(dir, `s${counter++}${suffix}`);
  await writeFile(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return path;
}

describe('openSnapshot', () => {
  const open = (path: string) => openSnapshot(path);
  const validate = (path: string) => validateSnapshot(path);
  async function readAll(path: string): Promise<FunctionProfile[]> {
    const { profiles } = await open(path);
    const out: FunctionProfile[] = [];
    for await (const p of profiles) out.push(p);
    return out;
  }

  describe('openSnapshot on the bad fixtures', () => {
    it.each([
      ['wrong-type.ndjson', 3, 'memoryMB', /expected number, received string/],
      ['wrong-length.ndjson', 2, 'series.invocations', /expected 10 points, got 9/],
      ['negative-count.ndjson', 2, 'series.invocations[4]', /negative value -3/],
      ['nan-string.ndjson', 2, 'series.durationMsSum[3]', /expected a finite number or null, got string "NaN"/],
      ['absurd-invocations.ndjson', 2, 'series.invocations[2]', /1e\+200 is more than Lambda can produce in a period/],
      ['absurd-duration.ndjson', 2, 'series.durationMsSum[7]', /1e\+100 is more than Lambda can produce in a period/],
      ['unknown-schema.ndjson', 1, 'schema', /unknown schema "lmi-advisor.snapshot\/v9"/],
      ['bad-json.ndjson', 3, null, /invalid JSON/],
      ['duplicate-function.ndjson', 3, 'name', /duplicate function us-east-1\/dup-api \(first on line 2\)/],
    ])('%s is rejected at line %i, field %s', async (file, lineNumber, field, detail) => {
      // Prepare
      const path = join(BAD, file);
      // Act
      const error = await rejection(validate(path));
      // Assess
      expect(error.file).toBe(path);
      expect(error.line).toBe(lineNumber);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(detail);
    });

    it('names file, line and field in the message', async () => {
      const error = await rejection(validate(join(BAD, 'wrong-length.ndjson')));
      expect(error.message).toBe(`${join(BAD, 'wrong-length.ndjson')}:2 field series.invocations: expected 10 points, got 9`);
    });

    it('rejects a truncated gzip file with a clear message', async () => {
      const error = await rejection(validate(join(BAD, 'truncated.ndjson.gz')));
      expect(error.field).toBeNull();
      expect(error.message).toMatch(/corrupt or truncated gzip data/);
    });

    it('yields the good lines before the bad one, then throws', async () => {
      // Prepare
      const { profiles } = await open(join(BAD, 'wrong-type.ndjson'));
      const seen: string[] = [];
      // Act
      const error = await rejection(
        (async () => {
          for await (const p of profiles) seen.push(p.name);
        })(),
      );
      // Assess
      expect(seen).toEqual(['ok-api']);
      expect(error.line).toBe(3);
    });
  });

  describe('openSnapshot on good input', () => {
    it('reads the steady scenario: header and one profile of 1440 points', async () => {
      const { header, profiles } = await open(join(SCENARIOS, 'steady.ndjson'));
      const all: FunctionProfile[] = [];
      for await (const p of profiles) all.push(p);
      expect(header.window).toEqual({ start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60 });
      expect(all.map((p) => p.name)).toEqual(['steady-api']);
      expect(all[0]?.series.invocations).toHaveLength(1440);
      expect(all[0]?.series.invocations[0]).toBe(6000);
    });

    it('reads plain and gzip alike, by content not by extension', async () => {
      // Prepare: gzip bytes under a plain name, plain bytes under a .gz name
      const plain = await readFile(join(SCENARIOS, 'triple-burst.ndjson'));
      const gzipNamedPlain = join(dir, 'gzip-inside.ndjson');
      const plainNamedGzip = join(dir, 'plain-inside.ndjson.gz');
      await writeFile(gzipNamedPlain, gzipSync(plain));
      await writeFile(plainNamedGzip, plain);
      // Act
      const fromPlain = await readAll(join(SCENARIOS, 'triple-burst.ndjson'));
      const fromGzip = await readAll(gzipNamedPlain);
      const fromMisnamed = await readAll(plainNamedGzip);
      // Assess
      expect(fromPlain).toHaveLength(1);
      expect(fromGzip).toEqual(fromPlain);
      expect(fromMisnamed).toEqual(fromPlain);
    });

    it('keeps null points as unknown and ignores unknown fields', async () => {
      const path = await snapshotFile([{ ...HEADER, recorder: 'v9' }, { ...line(), futureField: { a: 1 } }]);
      const { header, profiles } = await open(path);
      const [profile] = await (async () => {
        const out: FunctionProfile[] = [];
        for await (const p of profiles) out.push(p);
        return out;
      })();
      expect(header).not.toHaveProperty('recorder');
      expect(profile).not.toHaveProperty('futureField');
      expect(profile?.series.invocations).toEqual([10, 10, null, 10, 10]);
    });

    it('accepts blank trailing lines and CRLF line ends', async () => {
      const path = join(dir, 'crlf.ndjson');
      await writeFile(path, `${JSON.stringify(HEADER)}\r\n${JSON.stringify(line())}\r\n\r\n\n`);
      const result = await validate(path);
      expect(result.functions).toBe(1);
    });

    it('reads the optional fields', async () => {
      const path = await snapshotFile([
        { ...HEADER, regions: ['us-east-1'], prices: { asOf: '2026-11-01', source: 'live', items: ['{}'] }, warnings: [{ code: 'partial-data', message: 'm' }] },
        line(
          { runtime: null, packageType: 'Image', reservedConcurrency: null, capacityProviderArn: null, memoryUsedMBMax: 700, cpuSecondsPerInvocation: 0.05 },
          { errors: [0, 0, 0, 0, 0], throttles: [0, 1, 0, 0, 0], durationMsMax: [200, 200, null, 200, 200] },
        ),
      ]);
      const { header, profiles } = await open(path);
      const all: FunctionProfile[] = [];
      for await (const p of profiles) all.push(p);
      expect(header.prices?.source).toBe('live');
      expect(header.warnings).toEqual([{ code: 'partial-data', message: 'm' }]);
      expect(all[0]).toMatchObject({ runtime: null, packageType: 'Image', memoryUsedMBMax: 700, cpuSecondsPerInvocation: 0.05 });
      expect(all[0]?.series.throttles).toEqual([0, 1, 0, 0, 0]);
    });
  });

  describe('openSnapshot rejects', () => {
    it.each([
      ['architecture x86', line({ architecture: 'x86' }), 'architecture'],
      ['memoryMB 64', line({ memoryMB: 64 }), 'memoryMB'],
      ['memoryMB 40000', line({ memoryMB: 40000 }), 'memoryMB'],
      ['negative provisioned concurrency', line({ provisionedConcurrency: -1 }), 'provisionedConcurrency'],
      ['negative concurrency point', line({}, { concurrencyMax: [1, -1, 1, 1, 1] }), 'series.concurrencyMax[1]'],
      ['negative duration point', line({}, { durationMsSum: [1, 1, -0.5, 1, 1] }), 'series.durationMsSum[2]'],
      ['missing required series', line({}, { concurrencyMax: undefined }), 'series.concurrencyMax'],
      ['series not an array', line({}, { invocations: '10,10,10,10,10' }), 'series.invocations'],
      ['optional series of the wrong length', line({}, { errors: [0, 0] }), 'series.errors'],
      ['tags not strings', line({ tags: { team: 1 } }), 'tags.team'],
    ])('%s', async (_name, fn, field) => {
      const path = await snapshotFile([HEADER, fn]);
      const error = await rejection(validate(path));
      expect(error.line).toBe(2);
      expect(error.field).toBe(field);
    });

    it('a non-finite number (1e999 parses to Infinity)', async () => {
      const text = JSON.stringify(line()).replace('"invocations":[10,', '"invocations":[1e999,');
      const path = await snapshotFile([HEADER, text]);
      const error = await rejection(validate(path));
      expect(error.field).toBe('series.invocations[0]');
      expect(error.message).toMatch(/got Infinity/);
    });

    it.each([
      ['periodSeconds 120', { ...HEADER.window, periodSeconds: 120 }, 'window.periodSeconds'],
      ['end equal to start', { ...HEADER.window, end: HEADER.window.start }, 'window.end'],
      ['end before start', { ...HEADER.window, end: '2026-11-19T00:00:00Z' }, 'window.end'],
      ['length not a multiple of the period', { ...HEADER.window, end: '2026-11-20T00:05:30Z' }, 'window.end'],
      ['start not a date', { ...HEADER.window, start: 'yesterday' }, 'window.start'],
    ])('a header with %s', async (_name, window, field) => {
      const path = await snapshotFile([{ ...HEADER, window }, line()]);
      const error = await rejection(open(path));
      expect(error.line).toBe(1);
      expect(error.field).toBe(field);
    });

    it('a missing file (line 0: the file as a whole)', async () => {
      const path = join(dir, 'nope.ndjson');
      const error = await rejection(open(path));
      expect(error.line).toBe(0);
      expect(error.message).toBe(`${path}: file not found`);
    });

    it('an empty file', async () => {
      const path = await snapshotFile([]);
      const error = await rejection(open(path));
      expect(error.line).toBe(1);
      expect(error.message).toMatch(/empty file/);
    });

    it('a blank line between functions', async () => {
      const path = await snapshotFile([HEADER, line(), '', line({ name: 'other' })]);
      const error = await rejection(validate(path));
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/blank line inside/);
    });

    it('a function line where the header should be', async () => {
      const path = await snapshotFile([line()]);
      const error = await rejection(open(path));
      expect(error.line).toBe(1);
      expect(error.field).toBe('schema');
    });

    it('the same name in two regions is not a duplicate', async () => {
      const path = await snapshotFile([HEADER, line(), line({ region: 'us-west-2' })]);
      await expect(validate(path)).resolves.toMatchObject({ functions: 2 });
    });
  });
});

describe('openSnapshot iteration', () => {
  it('closes the file when the consumer stops early, and reads again afterwards', async () => {
    // Prepare
    const path = join(import.meta.dirname, '../../fixtures/sample-account.ndjson.gz');
    const { profiles } = await openSnapshot(path);
    const names: string[] = [];
    // Act
    for await (const p of profiles) {
      names.push(p.name);
      if (names.length === 2) break;
    }
    const again = await validateSnapshot(path);
    // Assess
    expect(names).toHaveLength(2);
    expect(again.functions).toBeGreaterThanOrEqual(30);
  });

  it('reads the file anew on each iteration of profiles', async () => {
    const { profiles } = await openSnapshot(join(SCENARIOS, 'idle.ndjson'));
    const names = async () => {
      const out: string[] = [];
      for await (const p of profiles) out.push(p.name);
      return out;
    };
    expect(await names()).toEqual(['idle-hook']);
    expect(await names()).toEqual(['idle-hook']);
  });
});

describe('openSnapshot: over-long lines and unusable paths (issue 8 item 12)', () => {
  const cap = 4096;
  const good = JSON.stringify(line());
  const long = `{"pad":"${'x'.repeat(cap)}"}`;

  it.each([
    ['plain, second line', false, [JSON.stringify(HEADER), long, good], 2],
    ['gzip, second line', true, [JSON.stringify(HEADER), long, good], 2],
    ['plain, third line', false, [JSON.stringify(HEADER), good, long], 3],
    ['gzip, last line without a newline', true, [JSON.stringify(HEADER), good, good.replace('"api"', '"b"'), long], 4],
  ])('%s: refused at its own line number', async (_label, gz, lines, lineNumber) => {
    // Prepare
    const text = lines.join('\n') + (lines[lines.length - 1] === long && _label.includes('without') ? '' : '\n');
    const path = join(dir, `long-${String(lineNumber)}-${gz ? 'gz' : 'plain'}.ndjson${gz ? '.gz' : ''}`);
    await writeFile(path, gz ? gzipSync(text) : text);
    // Act
    const opened = await openSnapshot(path, { maxLineBytes: cap });
    const error = await rejection((async () => {
      for await (const _p of opened.profiles) {
        /* read through */
      }
    })());
    // Assess
    expect(error.line).toBe(lineNumber);
    expect(error.message).toBe(`${path}:${lineNumber}: line longer than ${cap} bytes (no snapshot line is that long); not read further`);
  });

  it('an over-long header is line 1', async () => {
    const path = join(dir, 'long-header.ndjson');
    await writeFile(path, `${long}\n${good}\n`);
    const error = await rejection(openSnapshot(path, { maxLineBytes: cap }));
    expect(error.line).toBe(1);
  });

  it('a directory or a missing file is named without a line number', async () => {
    const asDir = await rejection(openSnapshot(dir));
    expect(asDir.message).toBe(`${dir}: is a directory, not a snapshot file`);
    const missing = await rejection(openSnapshot(join(dir, 'missing.ndjson')));
    expect(missing.message).toBe(`${join(dir, 'missing.ndjson')}: file not found`);
  });
});

describe('function names (issue 8 item 11: what ListFunctions returns, the snapshot holds)', () => {
  it.each([
    ['dotted.name', true],
    ['<b>*x*_y_&', true],
    ['x'.repeat(170), true],
    ['x'.repeat(171), false],
    ['', false],
    ['evil\u001b[2Jname', false],
  ])('%j readable: %s', async (name, ok) => {
    const path = join(dir, `name-${ok}-${name.length}.ndjson`);
    await writeFile(path, `${JSON.stringify(HEADER)}\n${JSON.stringify(line({ name }))}\n`);
    const act = validateSnapshot(path);
    if (ok) await expect(act).resolves.toMatchObject({ functions: 1 });
    else expect((await rejection(act)).field).toBe('name');
  });
});
