import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type * as z from 'zod';
import { ConfigError } from '../errors.js';
import { type Config, configSchema, defaultConfig } from './schema.js';

/**
 * Reads a config file (JSON by `.json`, YAML by `.yaml`/`.yml`) and validates it against the
 * strict schema. No path => every default. Every problem becomes one ConfigError naming the file
 * and the dotted key (`cfg.yaml: lmi.headroom: expected number, received string`).
 *
 * @example
 * const config = await loadConfig('lmi-advisor.yaml');
 */
export async function loadConfig(path?: string): Promise<Config> {
  if (path === undefined) return defaultConfig();
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw new ConfigError(path, null, `unsupported file type "${ext || '(none)'}": use .json, .yaml or .yml`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a config file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `cannot read file (${code ?? String(error)})`;
    throw new ConfigError(path, null, detail, { cause: error });
  }
  // Editors on Windows may save a byte-order mark; JSON.parse would reject it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const raw = ext === '.json' ? parseJsonText(text, path) : parseYamlText(text, path);
  return parseConfig(raw, path);
}

/**
 * Validates an already-parsed config object (tests, the Lambda handler's env/JSON). `sourceName`
 * names the origin in messages. `null`/`undefined` (an empty file) means every default.
 */
export function parseConfig(obj: unknown, sourceName: string): Config {
  const result = configSchema.safeParse(obj ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue));
  const [first, ...rest] = problems;
  if (first === undefined) throw new ConfigError(sourceName, null, 'invalid config', { cause: result.error });
  // One error for all problems: the first in the structured fields, the rest as extra lines, so
  // a user fixes the whole file in one go.
  const extra = rest.map((p) => `\n${sourceName}${p.key ? `: ${p.key}` : ''}: ${p.detail}`).join('');
  throw new ConfigError(sourceName, first.key, first.detail + extra, { cause: result.error });
}

interface Problem {
  key: string | null;
  detail: string;
}

function dotted(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? null : out;
}

function describeIssue(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ key: dotted([...issue.path, k]), detail: 'unknown key' }));
  }
  const key = dotted(issue.path);
  if (issue.code === 'invalid_type') {
    // zod's own wording minus its "Invalid input: " prefix.
    return [{ key, detail: issue.message.replace(/^Invalid input:\s*/, '') }];
  }
  if (issue.code === 'invalid_union') {
    const literals = issue.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
    if (literals.length > 0 && issue.errors.flat().every((e) => e.code === 'invalid_value')) {
      return [{ key, detail: `expected one of ${literals.map((v) => JSON.stringify(v)).join(' | ')}` }];
    }
  }
  const message = issue.message.replace(/^Invalid input:\s*/, '');
  return [{ key, detail: message.charAt(0).toLowerCase() + message.slice(1) }];
}

/** JSON.parse with the error's position turned into line and column. */
function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    let where = '';
    // Node 22+ says "(line L column C)"; Node 20 only "at position N".
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /at position (\d+)/.exec(message);
    if (lc) where = `line ${lc[1]}, column ${lc[2]}: `;
    else if (pos) {
      const { line, column } = lineColumn(text, Number(pos[1]));
      where = `line ${line}, column ${column}: `;
    }
    const detail = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new ConfigError(file, null, `${where}invalid JSON: ${detail}`, { cause: error });
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/**
 * Aliases a config may expand. A config has no use for many (the knobs are a few scalars and
 * short lists); a file with more is an alias bomb ("billion laughs") whose expansion would
 * exhaust memory, refused as bad input naming the file.
 */
export const MAX_YAML_ALIASES = 50;

function parseYamlText(text: string, file: string): unknown {
  // uniqueKeys (the default) turns a repeated key into an error instead of "last one wins".
  const doc = parseDocument(text);
  const [error] = doc.errors;
  if (error) {
    const start = error.linePos?.[0];
    const firstLine = (error.message.split('\n')[0] ?? error.message).replace(/\s+at line \d+, column \d+:?$/, '');
    const where = start ? `line ${start.line}, column ${start.col}: ` : '';
    throw new ConfigError(file, null, `${where}invalid YAML: ${firstLine}`, { cause: error });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (error) {
    // yaml throws a ReferenceError for an alias expanding too far, and for an alias to nothing.
    const message = error instanceof Error ? error.message : String(error);
    const detail = /alias count/i.test(message)
      ? `invalid YAML: its aliases expand too far (more than ${MAX_YAML_ALIASES} uses, a resource-exhaustion pattern); write the values out`
      : `invalid YAML: ${message}`;
    throw new ConfigError(file, null, detail, { cause: error });
  }
}
