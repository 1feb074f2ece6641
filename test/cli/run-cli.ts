import { Command } from 'commander';
import { main } from '../../src/cli.js';
import { attachContext, type CliContext } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output; `clock` stands for the machine's clock. */
export async function runCli(argv: string[], stderrIsTTY = false, clock?: () => Date): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    stderrIsTTY,
  }, clock ? { clock } : {});
  return { code, stdout, stderr };
}

export interface CommandHarness {
  program: Command;
  context: CliContext;
  out: string[];
  err: string[];
}

/**
 * One command registered on a bare program with captured output (errors are thrown, not
 * printed); `clock` stands for the machine's clock.
 */
export function commandHarness(register: (program: Command) => void, clock?: () => Date): CommandHarness {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    io: { out: (t) => out.push(t), err: (t) => err.push(t), stderrIsTTY: false },
    exitCode: 0,
    ...(clock ? { clock } : {}),
  };
  const program = new Command('lmi-advisor').exitOverride();
  attachContext(program, context);
  register(program);
  return { program, context, out, err };
}
