import { spawn } from 'node:child_process';

/**
 * A bench's measured steps each run in a child process of their own (the bench script again,
 * with a step flag), so the peak RSS a step reports is its own. The child prints one JSON line
 * with `reportChild`; the parent reads its last line.
 */

/** Runs `script` with `args` in a child (node flags: the parent's, plus `BENCH_NODE_ARGS`); `done` is its last stdout line. */
export function runChild(script: string, args: string[], onLine?: (line: string) => void): { done: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, [...process.execArgv, ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  let last = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    text += chunk;
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) {
      last = line;
      onLine?.(line);
    }
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 || code === null ? resolve(last) : reject(new Error(`child ${args[0]} exited ${code}`))));
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

/** Runs `body` while a child of `script` started with `serveArgs` serves the endpoint it prints first; stops it after. */
export async function withChildServer<T>(script: string, serveArgs: string[], body: (endpoint: string) => Promise<T>): Promise<T> {
  let resolveEndpoint: (e: string) => void = () => {};
  const ready = new Promise<string>((r) => (resolveEndpoint = r));
  const server = runChild(script, serveArgs, (line) => resolveEndpoint(line.trim()));
  const endpoint = await ready;
  try {
    return await body(endpoint);
  } finally {
    server.kill();
    await server.done.catch(() => {});
  }
}

/** The child's result line: `extra` with its peak RSS and CPU time (user + system, every thread). */
export function reportChild(extra: object): void {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ...extra, maxRssMB: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}
