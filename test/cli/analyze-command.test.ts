import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KNOB_DESCRIPTIONS } from '../../src/config/assumptions.js';
import { RENDERERS } from '../../src/render/index.js';
import { MAX_LINE_BYTES } from '../../src/source/snapshot-reader.js';
import { RECOMMENDATIONS, type ReportModel } from '../../src/report/types.js';
import { runCli } from './run-cli.js';
import { SHAPES, WINDOW, writeSnapshot } from './snapshot-builder.js';

const NOW = '2026-11-22T06:00:00Z';
let dir: string;
let snapshot: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-cli-'));
  snapshot = join(dir, 'account.ndjson.gz');
  await writeSnapshot(snapshot);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function outDir(name: string): string {
  return join(dir, name);
}

async function readReport(out: string): Promise<ReportModel> {
  return JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportModel;
}

describe('lmi-advisor analyze: good snapshot', () => {
  it('writes report.json (and every registered format) and exits 0', async () => {
    // Prepare
    const out = outDir('good');
    // Act
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--now', NOW]);
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(Object.values(RENDERERS).map((r) => r.file).sort());
    const report = await readReport(out);
    expect(report.schema).toBe('lmi-advisor.report/v1');
    expect(report.accountId).toBe('123456789012');
    expect(report.window).toMatchObject({ ...WINDOW, hours: 336 });
    expect(report.run).toMatchObject({ tool: 'lmi-advisor', generatedAt: '2026-11-22T06:00:00.000Z', complete: true, snapshot });
    expect(report.run.command).toContain('--now');
    expect(report.assumptions.map((a) => a.key)).toEqual(Object.keys(KNOB_DESCRIPTIONS));
    expect(report.functions.map((f) => f.name).sort()).toEqual(SHAPES.map((s) => s.name).sort());
    for (const f of report.functions) expect(RECOMMENDATIONS).toContain(f.recommendation);
    expect(report.functions.find((f) => f.name === 'legacy-sync')?.lmi?.needsRuntimeUpgrade).toBe(true);
    expect(report.totals.savingsUsd).toBeCloseTo(report.totals.standardUsd - report.totals.recommendedUsd, 9);
  });

  it('analyses the bundled sample account (what `npm start` runs)', async () => {
    // Prepare
    const sample = 'fixtures/sample-account.ndjson.gz';
    const lines = gunzipSync(await readFile(sample)).toString('utf8').trim().split('\n').length;
    const out = outDir('sample');
    // Act
    const run = await runCli(['analyze', '--snapshot', sample, '--out', out, '--format', 'json']);
    // Assess
    expect(run.stderr).toBe('');
    expect([0, 3]).toContain(run.code);
    const report = await readReport(out);
    expect(report.functions).toHaveLength(lines - 1);
    expect(report.run.complete).toBe(run.code === 0);
    const counted = Object.values(report.totals.counts).reduce((a, b) => a + b, 0);
    expect(counted).toBe(report.functions.length);
  });

  it('prints a summary with totals, counts, warnings and where the files went', async () => {
    const out = outDir('summary');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json']);
    const report = await readReport(out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 functions analysed');
    expect(run.stdout).toMatch(/standard Lambda \/ month +\$[\d,]+\.\d\d/);
    expect(run.stdout).toMatch(/savings \/ year/);
    expect(run.stdout).toContain(`migrate ${report.totals.counts.migrate}`);
    expect(run.stdout).toContain(`warnings: ${report.warnings.length}`);
    const best = report.functions.find((f) => f.name === 'orders-api');
    expect(best?.recommendation).toBe('migrate');
    expect(run.stdout).toMatch(/top opportunities[^\n]*\n  1\. us-east-1\/orders-api +migrate +\$[\d,]+\.\d\d/);
    expect(run.stdout).toContain(`written: ${join(out, 'report.json')}`);
    // without --now, generatedAt is the snapshot's capturedAt: no clock in the output
    expect(report.run.generatedAt).toBe('2026-11-21T03:00:00Z');
  });

  it('prints nothing with --quiet and draws progress only on a TTY', async () => {
    const quiet = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('quiet'), '--quiet'], true);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');
    const tty = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('tty'), '--format', 'json'], true);
    expect(tty.stderr).toBe('\ranalysed 3 functions\n');
    const pipe = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('pipe'), '--format', 'json'], false);
    expect(pipe.stderr).toBe('');
    expect(pipe.stdout).toBe(tty.stdout.replace('/tty/', '/pipe/'));
  });

  it('gives byte-identical files for two runs with the same --now', async () => {
    // Act
    const a = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('same-a'), '--now', NOW]);
    const b = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('same-b'), '--now', NOW]);
    // Assess
    expect([a.code, b.code]).toEqual([0, 0]);
    const names = (await readdir(outDir('same-a'))).sort();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const left = await readFile(join(outDir('same-a'), name));
      const right = await readFile(join(outDir('same-b'), name));
      expect(left.equals(right), name).toBe(true);
    }
  });

  it('applies the config file (examples/config.yaml)', async () => {
    const out = outDir('config');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', 'examples/config.yaml', '--out', out, '--format', 'json']);
    expect(run.code).toBe(0);
    const report = await readReport(out);
    expect(report.assumptions.find((a) => a.key === 'lmi.discount')).toMatchObject({ value: 0.28, default: 0 });
    expect(report.run.config).toBe('examples/config.yaml');
  });

  it('handles a snapshot with no functions', async () => {
    // Prepare
    const empty = join(dir, 'empty.ndjson');
    await writeSnapshot(empty, []);
    const out = outDir('empty');
    // Act
    const run = await runCli(['analyze', '--snapshot', empty, '--out', out, '--format', 'json']);
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 functions analysed');
    const report = await readReport(out);
    expect(report.functions).toEqual([]);
    expect(report.totals.savingsUsd).toBe(0);
  });

  it('exits 3 and says so when the recording lost a region', async () => {
    // Prepare
    const partial = join(dir, 'partial.ndjson');
    await writeSnapshot(partial, SHAPES, {
      warnings: [{ code: 'region-failed', region: 'eu-west-1', message: 'eu-west-1: ListFunctions AccessDenied' }],
    });
    const out = outDir('partial');
    // Act
    const run = await runCli(['analyze', '--snapshot', partial, '--out', out, '--format', 'json']);
    // Assess
    expect(run.code).toBe(3);
    const report = await readReport(out);
    expect(report.run.complete).toBe(false);
    expect(report.warnings.some((w) => w.code === 'region-failed' && w.region === 'eu-west-1')).toBe(true);
    expect(run.stdout).toContain('INCOMPLETE');
  });
});

describe('lmi-advisor analyze: bad input exits 2 and writes nothing', () => {
  const badSnapshots: [string, RegExp][] = [
    ['bad-series-length.ndjson', /bad-series-length\.ndjson:3 field series\.invocations: expected 24 points, got 23/],
    ['bad-negative-count.ndjson', /bad-negative-count\.ndjson:4 field series\.invocations\[5\]: negative/],
    ['bad-memory-type.ndjson', /bad-memory-type\.ndjson:2 field memoryMB: /],
    ['bad-header-schema.ndjson', /bad-header-schema\.ndjson:1 field schema: /],
    ['bad-json-line.ndjson', /bad-json-line\.ndjson:3: invalid JSON/],
  ];

  it.each(badSnapshots)('%s', async (file, message) => {
    // Prepare
    const out = outDir(`bad-${file}`);
    // Act
    const run = await runCli(['analyze', '--snapshot', join('test/cli/fixtures', file), '--out', out]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lmi-advisor: error: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('every bad scenario in fixtures/scenarios/bad/', async () => {
    const scenarioDir = 'fixtures/scenarios/bad';
    const files = (await readdir(scenarioDir)).filter((f) => /\.ndjson(\.gz)?$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const out = outDir(`scenario-${file}`);
      const run = await runCli(['analyze', '--snapshot', join(scenarioDir, file), '--out', out]);
      expect(run.code, file).toBe(2);
      expect(run.stderr, file).toMatch(new RegExp(`${file.replaceAll('.', '\\.')}:\\d+`));
      expect(existsSync(out), file).toBe(false);
    }
  });

  it('a missing snapshot file', async () => {
    const out = outDir('missing');
    const run = await runCli(['analyze', '--snapshot', join(dir, 'nope.ndjson'), '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nope\.ndjson.*file not found/);
    expect(existsSync(out)).toBe(false);
  });

  it('a bad config names the key', async () => {
    // Prepare
    const config = join(dir, 'bad.yaml');
    await writeFile(config, 'lmi:\n  headroom: lots\n', 'utf8');
    const out = outDir('bad-config');
    // Act
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', config, '--out', out]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`lmi-advisor: error: ${config}: lmi.headroom: expected number, received string\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown config key', async () => {
    const config = join(dir, 'typo.json');
    await writeFile(config, '{"lmi":{"discout":0.2}}', 'utf8');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', config, '--out', outDir('typo')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${config}: lmi.discout: unknown key`);
    expect(existsSync(outDir('typo'))).toBe(false);
  });

  it('an unknown format', async () => {
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('fmt'), '--format', 'json,pdf']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format: unknown format "pdf"');
    expect(existsSync(outDir('fmt'))).toBe(false);
  });

  it('a --now that is not an ISO date-time', async () => {
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', outDir('now'), '--now', 'yesterday']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--now: "yesterday"');
  });

  it('a missing --snapshot or an unknown option', async () => {
    const missing = await runCli(['analyze']);
    const unknown = await runCli(['analyze', '--snapshot', snapshot, '--colour']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--snapshot/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--colour'/);
  });
});

describe('lmi-advisor analyze: unexpected failure', () => {
  it('exits 1 with the message, and the stack only with --debug', async () => {
    // Prepare: a renderer that fails (a bug, not bad input)
    const json = RENDERERS['json']!;
    const spy = vi.spyOn(json, 'render').mockImplementation(() => {
      throw new Error('renderer broke', { cause: new Error('the inner reason') });
    });
    const out = join(dir, 'broken-renderer');
    // Act
    const plain = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json']);
    const debug = await runCli(['analyze', '--snapshot', snapshot, '--out', out, '--format', 'json', '--debug']);
    spy.mockRestore();
    // Assess
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^lmi-advisor: error: renderer broke\n/);
    expect(plain.stderr).toContain('--debug');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(plain.stdout).toBe('');
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/Error: renderer broke[\s\S]*\n\s+at [\s\S]*Caused by:[\s\S]*the inner reason/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('lmi-advisor analyze: lmi.allowedInstanceTypes against the prices', () => {
  it('a type no analysed region prices is exit 2 naming the key and the type, nothing written', async () => {
    const config = join(dir, 'types.yaml');
    await writeFile(config, 'lmi:\n  allowedInstanceTypes: [m7g.large, c7x.mega]\n');
    const out = join(dir, 'never-types');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', config, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^lmi-advisor: error: ${config}: lmi\\.allowedInstanceTypes\\[1\\]: "c7x\\.mega" is not an instance type`));
    expect(existsSync(out)).toBe(false);
  });
});

describe('lmi-advisor analyze: paths that cannot be used are exit 2 naming them (issue 8 item 12)', () => {
  it('--out that is a file, or below a file: exit 2 naming it, the file untouched', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x', 'utf8');
    for (const out of [blocker, join(blocker, 'reports')]) {
      const run = await runCli(['analyze', '--snapshot', snapshot, '--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: --out ${out}: `);
    }
    expect(await readFile(blocker, 'utf8')).toBe('x');
  });

  it('run --out that is a file: exit 2 naming it before any AWS call', async () => {
    const blocker = join(dir, 'a-file-run');
    await writeFile(blocker, 'x', 'utf8');
    const run = await runCli(['run', '--regions', 'us-east-1', '--out', blocker]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: --out ${blocker}: is a file`);
  });

  it('--snapshot that is a directory, or missing: exit 2 naming the file, no ":0"', async () => {
    const isDir = await runCli(['analyze', '--snapshot', dir, '--out', join(dir, 'never')]);
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toBe(`lmi-advisor: error: ${dir}: is a directory, not a snapshot file\n`);
    const missing = await runCli(['analyze', '--snapshot', join(dir, 'nope.ndjson'), '--out', join(dir, 'never')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`lmi-advisor: error: ${join(dir, 'nope.ndjson')}: file not found\n`);
  });

  it('--config that is a directory, or a YAML alias bomb: exit 2 naming the file', async () => {
    const bomb = join(dir, 'bomb.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${new Array(9).fill(`*${prev}`).join(',')}]`);
    }
    await writeFile(bomb, `${levels.join('\n')}\n`);
    const run = await runCli(['analyze', '--snapshot', snapshot, '--config', bomb, '--out', join(dir, 'never')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^lmi-advisor: error: ${bomb}: invalid YAML: its aliases expand too far`));
    const asDir = join(dir, 'cfg-dir.yaml');
    await mkdir(asDir);
    const dirRun = await runCli(['analyze', '--snapshot', snapshot, '--config', asDir, '--out', join(dir, 'never')]);
    expect(dirRun.code).toBe(2);
    expect(dirRun.stderr).toBe(`lmi-advisor: error: ${asDir}: is a directory, not a config file\n`);
  });

  it('a line longer than any snapshot line is refused at its own line number (gzip: not inflated whole)', async () => {
    // Prepare: line 1 a header, line 2 longer than MAX_LINE_BYTES; gzip keeps the file small.
    const { snapshotText } = await import('./snapshot-builder.js');
    const header = snapshotText([]).split('\n')[0]!;
    const long = Buffer.alloc(MAX_LINE_BYTES + 1024, 0x20);
    const path = join(dir, 'long-line.ndjson.gz');
    await writeFile(path, gzipSync(Buffer.concat([Buffer.from(`${header}\n`), long, Buffer.from('\n{}\n')]), { level: 1 }));
    // Act
    const run = await runCli(['analyze', '--snapshot', path, '--out', join(dir, 'never')]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`lmi-advisor: error: ${path}:2: line longer than ${MAX_LINE_BYTES} bytes (no snapshot line is that long); not read further\n`);
  });
});

describe('lmi-advisor --help', () => {
  it('explains every option, the exit codes, with examples, and exits 0', async () => {
    const run = await runCli(['analyze', '--help']);
    expect(run.code).toBe(0);
    for (const option of ['--snapshot', '--config', '--out', '--format', '--now', '--quiet', '--debug']) expect(run.stdout).toContain(option);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*\b2\b.*bad input/);
    expect(run.stdout).toContain('Examples:');
  });

  it('top-level help lists analyze', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/analyze/);
  });
});

describe('lmi-advisor analyze: hostile review follow-ups (issue 8)', () => {
  it('--now before the end of the snapshot window is exit 2 naming --now, nothing written', async () => {
    const out = join(dir, 'never-early-now');
    const run = await runCli(['analyze', '--snapshot', snapshot, '--now', '2026-10-01T00:00:00Z', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lmi-advisor: error: --now: 2026-10-01T00:00:00(\.000)?Z is before the end of the snapshot's window/);
    expect(existsSync(out)).toBe(false);
  });

  it('--out of blanks only is exit 2 like an empty --out (no directory named "   ")', async () => {
    const run = await runCli(['analyze', '--snapshot', snapshot, '--out', '   ']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out: empty path');
    expect(existsSync('   ')).toBe(false);
  });
});
