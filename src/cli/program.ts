import { Command } from 'commander';
import { TOOL_NAME, VERSION } from '../version.js';
import { register as registerAnalyze } from './analyze-command.js';
import { register as registerRecord } from './record-command.js';
import { register as registerRun } from './run-command.js';
import { attachContext, type CliContext } from './io.js';

/**
 * The commander program with every command registered. Each command lives in
 * src/cli/<name>-command.ts and exports `register(program)`.
 */
export function buildProgram(context: CliContext): Command {
  const program = new Command(TOOL_NAME)
    .description(
      'Tells, per AWS Lambda function, whether Lambda Managed Instances (LMI) would cost less, on which capacity provider, and at what risk.',
    )
    .version(VERSION)
    .option('--debug', 'print stack traces of unexpected errors')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.out(text),
      writeErr: (text) => context.io.err(text),
      outputError: (text, write) => write(`${TOOL_NAME}: ${text}`),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 unexpected failure, 2 bad input (snapshot, config, option),
3 report written but incomplete (a region or account failed). See "${TOOL_NAME} <command> --help".`,
    );
  attachContext(program, context);
  registerAnalyze(program);
  registerRecord(program);
  registerRun(program);
  return program;
}
