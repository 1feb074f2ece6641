import { CommanderError } from 'commander';
import { exitCodeFor } from '../errors.js';
import { TOOL_NAME } from '../version.js';
import { type CliIo, processIo } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the CLI on `argv` (the user's arguments, without node and the script) and returns the
 * exit code instead of exiting, so tests can call it in-process.
 * Exit codes: 0 success, 1 unexpected failure, 2 bad input (UserInputError, bad flag),
 * 3 report written but incomplete.
 *
 * @example
 * process.exitCode = await main(['analyze', '--snapshot', 'acct.ndjson.gz']);
 */
export async function main(argv: string[], io: CliIo = processIo(), deps: { clock?: () => Date } = {}): Promise<number> {
  const context = { io, exitCode: 0, ...(deps.clock ? { clock: deps.clock } : {}) };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message; --help/--version end with exitCode 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = exitCodeFor(error);
    io.err(`${TOOL_NAME}: error: ${message}\n`);
    if (code !== 2) {
      if (argv.includes('--debug')) io.err(`${stackWithCauses(error)}\n`);
      else io.err(`${TOOL_NAME}: (add --debug for the stack trace)\n`);
    }
    return code;
  }
}

function stackWithCauses(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('Caused by:');
  }
  return parts.join('\n');
}
