import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/**
 * Builds small, valid v1 snapshots for the CLI tests: 14 days of 1-minute points (coarser periods make every cheaper LMI a `review`), a few functions
 * with distinct shapes (busy and mostly waiting on I/O, light, unsupported runtime). Deterministic: the traffic
 * is a fixed daily curve, no randomness.
 */

export const WINDOW = { start: '2026-11-07T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60 } as const;
const POINTS = 14 * 24 * 60;

interface Shape {
  name: string;
  runtime: string | null;
  memoryMB: number;
  /** Invocations per hour at the daily peak. */
  peakPerHour: number;
  avgDurationMs: number;
  region?: string;
  tags?: Record<string, string>;
  /** Lambda Insights CPU per invocation, when "measured". */
  cpuSecondsPerInvocation?: number;
}

export const SHAPES: Shape[] = [
  { name: 'orders-api', runtime: 'nodejs22.x', memoryMB: 2048, peakPerHour: 2_000_000, avgDurationMs: 120, cpuSecondsPerInvocation: 0.004, tags: { 'lmi-advisor:trust-group': 'checkout' } },
  { name: 'nightly-report', runtime: 'python3.13', memoryMB: 1024, peakPerHour: 20, avgDurationMs: 3000 },
  { name: 'legacy-sync', runtime: 'nodejs18.x', memoryMB: 512, peakPerHour: 50_000, avgDurationMs: 80 },
];

function functionLine(shape: Shape): Record<string, unknown> {
  const invocations: number[] = [];
  const durationMsSum: number[] = [];
  const concurrencyMax: number[] = [];
  for (let i = 0; i < POINTS; i++) {
    // Daily curve: 20 % at night to 100 % mid-day.
    const hour = (i / 60) % 24;
    const level = 0.2 + 0.8 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
    const inv = Math.round((shape.peakPerHour / 60) * level);
    invocations.push(inv);
    durationMsSum.push(inv * shape.avgDurationMs);
    concurrencyMax.push(Math.ceil(((inv * shape.avgDurationMs) / 60_000) * 1.5));
  }
  return {
    region: shape.region ?? 'us-east-1',
    name: shape.name,
    runtime: shape.runtime,
    architecture: 'arm64',
    memoryMB: shape.memoryMB,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: shape.tags ?? {},
    ...(shape.cpuSecondsPerInvocation !== undefined ? { cpuSecondsPerInvocation: shape.cpuSecondsPerInvocation } : {}),
    series: { invocations, durationMsSum, concurrencyMax },
  };
}

export function snapshotText(shapes: Shape[] = SHAPES, headerExtra: Record<string, unknown> = {}): string {
  const header = {
    schema: 'lmi-advisor.snapshot/v1',
    capturedAt: '2026-11-21T03:00:00Z',
    accountId: '123456789012',
    window: WINDOW,
    ...headerExtra,
  };
  return [header, ...shapes.map(functionLine)].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** Writes the snapshot, gzipped when the path ends in .gz. */
export async function writeSnapshot(path: string, shapes: Shape[] = SHAPES, headerExtra: Record<string, unknown> = {}): Promise<void> {
  const text = snapshotText(shapes, headerExtra);
  await writeFile(path, path.endsWith('.gz') ? gzipSync(text) : text);
}
