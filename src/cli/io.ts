import type { Command } from 'commander';

/** Where a command writes, injectable so tests can run `main()` in-process and read the output. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Progress is drawn only on a terminal, never into a log or a pipe. */
  stderrIsTTY: boolean;
}

/** Per-run state a command shares with `main()`: its io and the exit code it wants. */
export interface CliContext {
  io: CliIo;
  /** Set by a command that finished but must not report plain success (e.g. incomplete run). */
  exitCode: number;
  /** The machine's clock, injectable for tests; the commands read it once (`clockOf`). */
  clock?: () => Date;
}

const contexts = new WeakMap<Command, CliContext>();

export function attachContext(program: Command, context: CliContext): void {
  contexts.set(program, context);
}

/** The context of the root program a (sub)command belongs to. */
export function contextOf(command: Command): CliContext {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const context = contexts.get(root);
  if (!context) throw new Error('CLI context missing: build the program with buildProgram()');
  return context;
}

/** The real time for this run: the context's clock, else the machine's. */
export function clockOf(command: Command): Date {
  const { clock } = contextOf(command);
  return clock ? clock() : new Date();
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}
