import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Starts a real `moto_server` on 127.0.0.1 and a free port for integration tests, and stops it.
 * Use one per test file: `const moto = await startMoto(); ... await moto.stop();`.
 * Clients: `{ region, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS }` (+ forcePathStyle for S3).
 */

export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface MotoServer {
  endpoint: string;
  port: number;
  /** POST /moto-api/reset: clears every service's state. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function motoCommand(): string {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return 'moto_server';
  } catch (cause) {
    throw new Error(
      'moto_server is not on PATH: the integration tests need it (pip package moto[server] 5.x)',
      { cause },
    );
  }
}

export async function startMoto(): Promise<MotoServer> {
  const command = motoCommand();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited early (code ${child.exitCode}): ${stderr}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    endpoint,
    port,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
