import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_MS,
  collectionReproduceValues,
  OPTION_SPECS,
  type OptionName,
  parseCollection,
  parseInstant,
  parseNow,
  reproduceCommand,
} from '../../src/cli/options.js';
import { UserInputError } from '../../src/errors.js';
import { runCli } from './run-cli.js';
import { writeSnapshot } from './snapshot-builder.js';

/** The machine's clock in these tests (after the test snapshot's capturedAt). */
const CLOCK = new Date('2026-11-22T06:00:00Z');
const clock = () => CLOCK;

let dir: string;
let snapshot: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-options-'));
  snapshot = join(dir, 'account.ndjson.gz');
  await writeSnapshot(snapshot);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--now: a real instant, not in the future', () => {
  it.each([
    ['2026-02-30T00:00:00Z', 'is not a calendar date (2026-02 has 28 days)'],
    ['2026-04-31T00:00:00Z', 'is not a calendar date (2026-04 has 30 days)'],
    ['2026-13-01T00:00:00Z', 'there is no month 13'],
    ['2026-00-10T00:00:00Z', 'there is no month 00'],
    ['2026-01-01T24:00:00Z', 'is not a time of day'],
    ['2026-01-01T23:60:00Z', 'is not a time of day'],
    ['2026-01-01T23:59:60Z', 'is not a time of day'],
    ['2026-01-01T10:00:00+24:00', 'impossible zone offset'],
    ['2026-01-01', 'is not an ISO-8601 date-time with a zone'],
    ['2026-01-01T10:00:00', 'is not an ISO-8601 date-time with a zone'],
  ])('refuses %s naming the flag', (value, why) => {
    expect(() => parseInstant(value)).toThrow(UserInputError);
    expect(() => parseInstant(value)).toThrow(`--now: "${value}" `);
    expect(() => parseInstant(value)).toThrow(why);
  });

  it('accepts real instants with any zone, leap days included', () => {
    expect(parseInstant('2028-02-29T12:00:00Z').toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(parseInstant('2026-11-21T03:00:00+01:30').toISOString()).toBe('2026-11-21T01:30:00.000Z');
    expect(parseInstant('2026-11-21T03:00Z').toISOString()).toBe('2026-11-21T03:00:00.000Z');
  });

  it('refuses an instant beyond the clock plus the skew allowance, accepts one within', () => {
    const within = new Date(CLOCK.getTime() + CLOCK_SKEW_MS).toISOString();
    const beyond = new Date(CLOCK.getTime() + CLOCK_SKEW_MS + 1000).toISOString();
    expect(parseNow(within, CLOCK).toISOString()).toBe(within);
    expect(() => parseNow(beyond, CLOCK)).toThrow(/--now: .* is in the future/);
  });

  // The same rule through every command that takes --now (no AWS call is made: exit 2 first).
  const commands: [string, string[]][] = [
    ['analyze --snapshot', ['analyze', '--snapshot', '<snapshot>']],
    ['analyze --live', ['analyze', '--live', '--regions', 'us-east-1']],
    ['record', ['record', '--regions', 'us-east-1', '--out', '<dir>/x.ndjson']],
    ['run', ['run', '--regions', 'us-east-1']],
  ];
  for (const [label, args] of commands) {
    it.each([['2027-06-01T00:00:00Z', 'is in the future'], ['2026-02-30T00:00:00Z', 'is not a calendar date']])(`${label}: --now %s is exit 2 naming --now`, async (now, why) => {
      const argv = [...args.map((a) => a.replace('<snapshot>', snapshot).replace('<dir>', dir)), '--now', now, '--out', join(dir, 'never')];
      if (args[0] === 'record') argv.splice(argv.length - 2, 2);
      const run = await runCli(argv, false, clock);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^lmi-advisor: error: --now: /);
      expect(run.stderr).toContain(why);
      await expect(readdir(join(dir, 'never'))).rejects.toThrow();
    });
  }
});

describe('options that do not apply are exit 2, never ignored', () => {
  const liveOnly = (Object.keys(OPTION_SPECS) as OptionName[]).filter((name) => !(OPTION_SPECS[name].modes as readonly string[]).includes('snapshot'));
  const sample: Record<string, string[]> = {
    regions: ['us-east-1'],
    days: ['3'],
    profile: ['p'],
    include: ['api-*'],
    exclude: ['x'],
    tag: ['team=a'],
    'exclude-tag': ['team=b'],
    resolution: ['300'],
    'optional-metrics': [],
    'no-live-prices': [],
    store: ['/tmp/lmi-store'],
    accounts: ['111111111111'],
    org: [],
    ou: ['ou-ab12-cdefgh12'],
    'exclude-accounts': ['111111111111'],
    'role-name': ['reader'],
    'external-id': ['x-1'],
    concurrency: ['2'],
  };

  it('every live-only option has a sample here', () => {
    expect(liveOnly.sort()).toEqual(Object.keys(sample).sort());
  });

  it.each(liveOnly)('analyze --snapshot with --%s: exit 2 naming it, nothing written', async (name) => {
    const out = join(dir, `never-${name}`);
    const run = await runCli(['analyze', '--snapshot', snapshot, `--${name}`, ...(sample[name] ?? []), '--out', out], false, clock);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: --${name} does not apply with --snapshot`);
    await expect(readdir(out)).rejects.toThrow();
  });

  it.each([
    [['analyze', '--live', '--regions', 'us-east-1', '--concurrency', '2'], '--concurrency applies only with --accounts, --org or --exclude-accounts'],
    [['run', '--regions', 'us-east-1', '--role-name', 'reader'], '--role-name applies only with --accounts, --org or --exclude-accounts'],
    [['analyze', '--live', '--regions', 'us-east-1', '--accounts', '111111111111', '--reconcile'], '--reconcile does not apply with account options'],
    [['run', '--regions', 'us-east-1', '--org', '--reconcile'], '--reconcile does not apply with account options'],
  ])('%j: exit 2 before any AWS call, nothing written', async (args, message) => {
    const out = join(dir, `never-org-${args.join('-')}`);
    const run = await runCli([...args, '--out', out], false, clock);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('an option a command does not have at all is exit 2 naming it (record has no --config)', async () => {
    const run = await runCli(['record', '--regions', 'us-east-1', '--out', join(dir, 'x.ndjson'), '--config', 'c.yaml'], false, clock);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--config'");
  });

  it.each([
    [['--resolution', '45'], '--resolution: expected auto, 60, 300 or 3600'],
    [['--format', 'xml'], '--format: unknown format "xml"'],
    [['--tag', 'novalue'], '--tag: expected key=value'],
    [['--include', ''], '--include: empty pattern'],
  ])('run has the collection options: %j is parsed (and refused) like analyze --live', async (args, message) => {
    const run = await runCli(['run', '--regions', 'us-east-1', ...args, '--out', join(dir, 'never-run')], false, clock);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('--help', () => {
  /** The help text of one option (up to the next option line). */
  const help = (text: string, flags: string) => new RegExp(`${flags}((?!\\n {2}-)[\\s\\S])*`).exec(text)?.[0] ?? '';

  it.each([['analyze'], ['record'], ['run']])('%s: defaults unquoted, required options marked', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\(default: "/);
    const flat = run.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/--days <n> [^(]*\(1-455\) \(default: 14\)/);
    expect(flat).toMatch(/--resolution <s> .*? 3600 \(default: auto\)/);
    if (command === 'analyze') {
      expect(help(run.stdout, '--snapshot <file>')).toContain('(required unless --live)');
      expect(help(run.stdout, '--regions <list>')).toContain('(required with --live)');
      expect(flat).toContain('--out <dir> directory the report files are written to (default: reports)');
    } else {
      expect(help(run.stdout, '--regions <list>')).toContain('(required)');
    }
    if (command === 'record') expect(help(run.stdout, '--out <file>')).toContain('(required)');
    if (command === 'run') expect(flat).toMatch(/--publish <list> [^(]*\(default: dir\)/);
  });
});

describe('run.command: every option that changes a figure', () => {
  it('quotes values for the shell and leaves out what does not change a figure', () => {
    const collection = parseCollection(
      {
        regions: 'us-east-1,eu-west-1',
        days: '7',
        now: '2026-11-21T03:00:00Z',
        resolution: 'auto',
        include: ['api-*', "it's"],
        exclude: ['x'],
        tag: ['team=a b'],
        excludeTag: ['env=dev'],
        optionalMetrics: true,
        livePrices: false,
        profile: 'finops',
      },
      CLOCK,
    );
    const command = reproduceCommand(['run'], collectionReproduceValues(collection, 300, 'my cfg.yaml'));
    expect(command).toBe(
      "lmi-advisor run --regions us-east-1,eu-west-1 --days 7 --now 2026-11-21T03:00:00.000Z --resolution 300 --profile finops --include 'api-*' --include 'it'\\''s' --exclude x --tag 'team=a b' --exclude-tag env=dev --optional-metrics --no-live-prices --config 'my cfg.yaml'",
    );
  });

  it('names every live option marked as changing a figure', () => {
    const collection = parseCollection(
      { regions: 'us-east-1', days: '14', resolution: 'auto', include: ['a'], exclude: ['b'], tag: ['k=v'], excludeTag: ['k=w'], optionalMetrics: true, livePrices: false, profile: 'p', store: 's3://b/store' },
      CLOCK,
    );
    const command = reproduceCommand(['analyze', '--live'], collectionReproduceValues(collection, 60, 'c.yaml', { reconcile: true }));
    // --accounts and --org exclude each other: an organization run names one or the other.
    const byAccounts = reproduceCommand(['run'], collectionReproduceValues(collection, 60, 'c.yaml', { accounts: { accounts: ['111111111111', '222222222222'], exclude: ['222222222222'], roleName: 'reader' } }));
    const byOrg = reproduceCommand(['run'], collectionReproduceValues(collection, 60, 'c.yaml', { accounts: { org: true, ous: ['ou-ab12-cdefgh12'], roleName: 'reader' } }));
    for (const [name, spec] of Object.entries(OPTION_SPECS)) {
      if (!spec.reproduce || !(spec.modes as readonly string[]).includes('live')) continue;
      const account = (['accounts', 'org', 'ou', 'exclude-accounts', 'role-name'] as string[]).includes(name);
      if (account) expect(`${byAccounts}\n${byOrg}`, name).toMatch(new RegExp(`--${name}( |$)`, 'm'));
      else expect(command, name).toContain(`--${name}`);
    }
    expect(byAccounts).toContain('--accounts 111111111111,222222222222 --exclude-accounts 222222222222 --role-name reader');
    expect(byOrg).toContain('--org --ou ou-ab12-cdefgh12 --role-name reader');
    expect(byOrg).not.toContain('--accounts');
    // A single-account run names no account option.
    expect(command).not.toMatch(/--(accounts|org|ou|exclude-accounts|role-name|external-id|concurrency)\b/);
    // --now is the clock when not given: the reproduce line pins it.
    expect(command).toContain(`--now ${CLOCK.toISOString()}`);
  });

  it('analyze --snapshot: the command of the report holds the snapshot, config and now', async () => {
    const config = join(dir, 'cfg.yaml');
    await writeFile(config, 'recommend:\n  minWindowDays: 1\n');
    const out = join(dir, 'reproduce');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', config, '--now', '2026-11-22T00:00:00Z', '--out', out, '--format', 'json'], false, clock);
    expect(run.code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { run: { command: string } };
    expect(report.run.command).toBe(`lmi-advisor analyze --snapshot ${snapshot} --config ${config} --now 2026-11-22T00:00:00.000Z`);
  });
});

describe('--now: property', () => {
  it('any date-time string is either refused naming --now, or read as exactly the instant written (no roll-over)', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2030 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (y, mo, d, h, mi, s) => {
          const pad = (n: number) => String(n).padStart(2, '0');
          const text = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`;
          let parsed: Date;
          try {
            parsed = parseNow(text, CLOCK);
          } catch (error) {
            expect(error).toBeInstanceOf(UserInputError);
            expect((error as Error).message.startsWith('--now: ')).toBe(true);
            return;
          }
          // Accepted: the same fields back (2026-02-30 would come back as 2026-03-02), not after the clock + skew.
          expect(parsed.toISOString()).toBe(`${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.000Z`);
          expect(parsed.getTime()).toBeLessThanOrEqual(CLOCK.getTime() + CLOCK_SKEW_MS);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
