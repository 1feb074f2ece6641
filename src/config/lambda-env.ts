import type * as z from 'zod';
import { ConfigError } from '../errors.js';

/**
 * A Lambda's env checked against `schema`; a bad value is a ConfigError naming the variable.
 * Empty strings (unset CloudFormation parameters) mean "not set".
 */
export function parseLambdaEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('environment', issue?.path.join('.') ?? null, issue?.message ?? 'invalid', { cause: parsed.error });
  }
  return parsed.data;
}

/** The JSON text of env LMI_CONFIG_JSON; invalid JSON is a ConfigError naming it. */
export function parseConfigJsonEnv(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError('env LMI_CONFIG_JSON', null, `invalid JSON: ${(cause as Error).message}`, { cause });
  }
}
