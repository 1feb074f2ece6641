import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';
import { ConfigError, UserInputError } from '../../src/errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmi-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, 'utf8');
  return path;
}

/** Runs `act`, expects a ConfigError, returns it. */
async function configError(act: () => Promise<unknown>): Promise<ConfigError> {
  const error = await act().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('returns every default when no path is given', async () => {
    // Act
    const config = await loadConfig();
    // Assess
    expect(config).toEqual(defaultConfig());
    expect(config.lmi.headroom).toBe(2);
  });

  it('reads JSON and keeps defaults for unset knobs', async () => {
    // Prepare
    const path = await file('good.json', JSON.stringify({ lmi: { discount: 0.3 }, pricing: { freeTier: false } }));
    // Act
    const config = await loadConfig(path);
    // Assess
    expect(config.lmi.discount).toBe(0.3);
    expect(config.pricing.freeTier).toBe(false);
    expect(config.lmi.headroom).toBe(defaultConfig().lmi.headroom);
  });

  it('reads YAML (.yaml and .yml)', async () => {
    // Prepare
    const yamlPath = await file('good.yaml', 'lmi:\n  headroom: 3\n  instanceFamilies: [m, r]\n');
    const ymlPath = await file('good.yml', 'recommend:\n  minSavingsPct: 5\n');
    // Act
    const a = await loadConfig(yamlPath);
    const b = await loadConfig(ymlPath);
    // Assess
    expect(a.lmi.headroom).toBe(3);
    expect(a.lmi.instanceFamilies).toEqual(['m', 'r']);
    expect(b.recommend.minSavingsPct).toBe(5);
  });

  it('accepts a JSON file saved with a byte-order mark', async () => {
    const path = await file('bom.json', '\uFEFF{"lmi":{"headroom":3}}');
    expect((await loadConfig(path)).lmi.headroom).toBe(3);
  });

  it('treats an empty YAML file as all defaults', async () => {
    const path = await file('empty.yaml', '# nothing set\n');
    expect(await loadConfig(path)).toEqual(defaultConfig());
  });

  it('reads examples/config.yaml (so the README example cannot rot)', async () => {
    const config = await loadConfig('examples/config.yaml');
    expect(config.lmi.discount).toBe(0.28);
    expect(config.pricing.lambdaDiscount).toBe(0.17);
  });

  it('names the file and dotted key of a wrong type', async () => {
    // Prepare
    const path = await file('cfg.yaml', 'lmi:\n  headroom: "two"\n');
    // Act
    const error = await configError(() => loadConfig(path));
    // Assess
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.key).toBe('lmi.headroom');
    expect(error.message).toBe(`${path}: lmi.headroom: expected number, received string`);
  });

  it('rejects an unknown key by name (a typo never falls back to a default)', async () => {
    const path = await file('cfg.json', JSON.stringify({ lmi: { discout: 0.2 } }));
    const error = await configError(() => loadConfig(path));
    expect(error.message).toBe(`${path}: lmi.discout: unknown key`);
  });

  it('accepts lmi.discount up to 0.72 (EC2 Instance Savings Plans, up to 72 %) and lmi.cpuBound single-threaded', () => {
    const config = parseConfig({ lmi: { discount: 0.72, cpuBound: 'single-threaded' } }, 'cfg.json');
    expect(config.lmi.discount).toBe(0.72);
    expect(config.lmi.cpuBound).toBe('single-threaded');
    expect(parseConfig({}, 'cfg.json').lmi.cpuBound).toBe('full-share');
  });

  it('rejects an unknown top-level section', async () => {
    const error = await configError(async () => parseConfig({ princing: {} }, 'env'));
    expect(error.message).toBe('env: princing: unknown key');
  });

  it.each([
    [{ lmi: { headroom: 0.5 } }, 'lmi.headroom', />=1/],
    [{ pricing: { lambdaDiscount: 0.5 } }, 'pricing.lambdaDiscount', /<=0.17/],
    [{ lmi: { discount: 0.73 } }, 'lmi.discount', /<=0.72/],
    [{ lmi: { cpuBound: 'multi' } }, 'lmi.cpuBound', /"full-share"/],
    [{ recommend: { minInvocations: 1.5 } }, 'recommend.minInvocations', /expected int/],
    [{ lmi: { instanceFamilies: ['c', 'x'] } }, 'lmi.instanceFamilies[1]', /"c"/],
    [{ lmi: { memoryGiBPerVCpuOptions: [3] } }, 'lmi.memoryGiBPerVCpuOptions[0]', /expected one of 2 \| 4 \| 8/],
    [{ pricing: 3 }, 'pricing', /expected object, received number/],
  ])('names the key of a bad value: %j', (input, key, detail) => {
    // Act
    let caught: unknown;
    try {
      parseConfig(input, 'cfg.json');
    } catch (e) {
      caught = e;
    }
    // Assess
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.key).toBe(key);
    expect(error.message.startsWith(`cfg.json: ${key}: `)).toBe(true);
    expect(error.message).toMatch(detail);
  });

  it('reports every problem of a file, one line each', () => {
    let caught: unknown;
    try {
      parseConfig({ lmi: { headroom: 'x', discout: 1 }, recommend: { minSavingsPct: -1 } }, 'cfg.yaml');
    } catch (e) {
      caught = e;
    }
    const lines = (caught as Error).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.startsWith('cfg.yaml: '))).toBe(true);
    expect(lines.join('\n')).toMatch(/lmi\.headroom: expected number/);
    expect(lines.join('\n')).toMatch(/lmi\.discout: unknown key/);
    expect(lines.join('\n')).toMatch(/recommend\.minSavingsPct: /);
  });

  it('gives line and column of malformed YAML', async () => {
    // Prepare: the flow sequence on line 3 is never closed
    const path = await file('broken.yaml', 'lmi:\n  headroom: 2\n  instanceFamilies: [c, m\nrecommend: {}\n');
    // Act
    const error = await configError(() => loadConfig(path));
    // Assess
    expect(error.key).toBeNull();
    expect(error.message).toMatch(new RegExp(`^${path.replaceAll('.', '\\.')}: line \\d+, column \\d+: invalid YAML: `));
    expect(error.message).not.toContain('\n');
  });

  it('rejects a repeated YAML key with its line', async () => {
    const path = await file('dup.yaml', 'lmi:\n  headroom: 2\n  headroom: 3\n');
    const error = await configError(() => loadConfig(path));
    expect(error.message).toContain('line 3, column 3: invalid YAML');
  });

  it('gives line and column of malformed JSON', async () => {
    // Prepare: trailing comma before the closing brace of line 4
    const path = await file('broken.json', '{\n  "lmi": {\n    "headroom": 2,\n  }\n}\n');
    // Act
    const error = await configError(() => loadConfig(path));
    // Assess
    expect(error.message).toMatch(/: line 4, column 3: invalid JSON: /);
  });

  it('names a missing file', async () => {
    const path = join(dir, 'nope.yaml');
    const error = await configError(() => loadConfig(path));
    expect(error.message).toBe(`${path}: file not found`);
  });

  it('rejects an unsupported extension', async () => {
    const path = await file('cfg.toml', 'a = 1\n');
    const error = await configError(() => loadConfig(path));
    expect(error.message).toMatch(/unsupported file type "\.toml"/);
  });
});

describe('loadConfig: hostile YAML and unusable paths (issue 8 item 12)', () => {
  it('refuses an alias bomb naming the file (yaml would expand it to millions of nodes)', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${new Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const path = await file('bomb.yaml', `${levels.join('\n')}\n`);
    const error = await configError(() => loadConfig(path));
    expect(error.file).toBe(path);
    expect(error.message).toMatch(/^.*bomb\.yaml: invalid YAML: its aliases expand too far/);
  });

  it('a few aliases (a shared list) stay fine', async () => {
    const path = await file('aliases.yaml', 'lmi:\n  instanceFamilies: &fam [c, m]\n');
    expect((await loadConfig(path)).lmi.instanceFamilies).toEqual(['c', 'm']);
  });

  it('an alias to no anchor is invalid YAML naming the file', async () => {
    const path = await file('dangling.yaml', 'lmi:\n  instanceFamilies: *nothing\n');
    const error = await configError(() => loadConfig(path));
    expect(error.message).toContain('dangling.yaml: ');
    expect(error.message).toContain('invalid YAML');
  });

  it('a directory is named as such', async () => {
    const { mkdir } = await import('node:fs/promises');
    const path = join(dir, 'a-dir.yaml');
    await mkdir(path);
    const error = await configError(() => loadConfig(path));
    expect(error.message).toBe(`${path}: is a directory, not a config file`);
  });
});
