import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { writeSnapshot } from './snapshot-builder.js';

/**
 * The class behind issue 8 items 2, 10 and 12: whatever the command line, the --now value or the
 * config file (hostile YAML included), `analyze` gives a valid report (exit 0) or exit 2 with a
 * message naming the place (a flag, or the file), never exit 1.
 */

const CLOCK = new Date('2026-11-22T06:00:00Z');
const clock = () => CLOCK;

let dir: string;
let snapshot: string;
let runs = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-cli-props-'));
  snapshot = join(dir, 'account.ndjson.gz');
  await writeSnapshot(snapshot);
  await writeFile(join(dir, 'a-file'), 'x');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** --now candidates: well-formed, calendar-impossible, future, zone-less, garbage. */
const nowValue = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1969, max: 2030 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom('Z', '+00:00', '-05:30', '+24:00', '', '+14:00'),
    )
    .map(([y, mo, d, h, mi, s, z]) => `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${z}`),
  fc.constantFrom('2027-06-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-22T06:04:59Z', '2026-11-22T06:05:01Z', 'now', '', '2026-11-21'),
  fc.string({ maxLength: 30 }),
);

/** Config texts: valid knobs, wrong types, unknown keys, YAML anchors and alias bombs, garbage. */
const yamlBomb = fc.integer({ min: 2, max: 10 }).map((depth) => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < depth; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${new Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  return lines.join('\n');
});
const knobValue = fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }));
const configObject = fc.dictionary(
  fc.constantFrom('pricing', 'lmi', 'recommend', 'billing', 'bogus'),
  fc.dictionary(
    fc.constantFrom('freeTier', 'lambdaDiscount', 'headroom', 'discount', 'minInvocations', 'minWindowDays', 'allowedInstanceTypes', 'instanceFamilies', 'typo'),
    knobValue,
  ),
);
const configFile = fc.oneof(
  configObject.map((o) => ({ ext: '.json', text: JSON.stringify(o) })),
  configObject.map((o) => ({ ext: '.yaml', text: JSON.stringify(o) })), // JSON is YAML too
  yamlBomb.map((text) => ({ ext: '.yaml', text })),
  fc.constantFrom(
    'lmi:\n  instanceFamilies: &f [c, m]\nrecommend:\n  minWindowDays: 1\n',
    'lmi: *nothing\n',
    'lmi:\n  headroom: 2\n  headroom: 3\n',
    '- a\n- b\n',
    '!!binary aGVsbG8=\n',
    'lmi: {allowedInstanceTypes: [c7g.large, zz9.huge]}\n',
    '\ufeffpricing:\n  freeTier: false\n',
    '{"pricing": {"lambdaDiscount": 1e400}}',
  ).map((text) => ({ ext: text.startsWith('{') ? '.json' : '.yaml', text })),
  fc.string({ maxLength: 60 }).map((text) => ({ ext: fc.sample(fc.constantFrom('.yaml', '.json', '.yml'), 1)[0]!, text })),
);

/** One option of the command line; `null` = left out. */
const option = fc.oneof(
  { arbitrary: fc.constant(null), weight: 4 },
  { arbitrary: nowValue.map((v) => ['--now', v]), weight: 2 },
  fc.constantFrom(['--format', 'json'], ['--format', 'json,md'], ['--format', 'xml'], ['--format', ''], ['--format', 'JSON, html']),
  fc.constantFrom(['--quiet'], ['--debug']),
  // Live-only options: refused with --snapshot.
  fc.constantFrom(['--regions', 'us-east-1'], ['--days', '3'], ['--include', 'a*'], ['--resolution', '300'], ['--no-live-prices'], ['--optional-metrics'], ['--tag', 'a=b']),
  fc.constantFrom(['--unknown-flag'], ['--days'], ['--out', '<a-file>'], ['--snapshot', '<dir>'], ['--snapshot', '<missing>']),
);

describe('analyze: any command line, --now or config is a report or exit 2 naming the place', () => {
  it('never exits 1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(option, { maxLength: 4 }), fc.option(configFile, { nil: undefined }), async (options, config) => {
        // Prepare
        const run = runs++;
        const out = join(dir, `out-${run}`);
        const argv = ['analyze', '--snapshot', snapshot, '--out', out];
        if (config) {
          const path = join(dir, `cfg-${run}${config.ext}`);
          await writeFile(path, config.text);
          argv.push('--config', path);
        }
        for (const o of options) {
          if (o === null) continue;
          argv.push(
            ...o.map((word) => word.replace('<a-file>', join(dir, 'a-file')).replace('<dir>', dir).replace('<missing>', join(dir, 'missing.ndjson'))),
          );
        }
        // Act
        const result = await runCli(argv, false, clock);
        // Assess
        expect([0, 2], `${argv.join(' ')}\n${result.stderr}`).toContain(result.code);
        if (result.code === 2) {
          // The message names a flag, a config key or a file; nothing was written.
          expect(result.stderr).toMatch(/^lmi-advisor: (error: )?/);
          expect(result.stderr, argv.join(' ')).toMatch(/--[a-z]|option|\.(yaml|yml|json|ndjson(\.gz)?)\b|\/[\w.-]+: |missing\.ndjson|argument/);
          expect(existsSync(join(out, 'report.json'))).toBe(false);
        } else if (argv.includes('--format') === false || existsSync(join(out, 'report.json'))) {
          const text = await readFile(join(out, 'report.json'), 'utf8').catch(() => null);
          if (text !== null) {
            const report = JSON.parse(text) as { run: { command: string } };
            expect(report.run.command.startsWith('lmi-advisor analyze --snapshot ')).toBe(true);
          }
        }
      }),
      { numRuns: 80 },
    );
  });
});
