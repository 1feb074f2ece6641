/**
 * What the benches share (whatif-build.ts, whatif-sizing.ts, whatif-model.ts, whatif.ts): their
 * flags, the GC pauses Node reports, and the bytes of a sampling heap profile.
 */
import type { Session } from 'node:inspector/promises';

/** The value after `--name` in `args`, or null. */
export function optionOf(args: readonly string[], name: string): string | null {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] as string) : null;
}

/** `--steps key=value,...` as [key, value] pairs in order (values as written), or null without the flag; `bench` names the script in the error. */
export function stepsOption(args: readonly string[], bench: string): [string, string][] | null {
  const text = optionOf(args, '--steps');
  if (text === null) return null;
  return text.split(',').map((step) => {
    const [key, value] = step.split('=');
    if (key === undefined || value === undefined || key === '' || value === '') throw new Error(`${bench}: --steps wants key=value,key=value (got "${step}")`);
    return [key, value];
  });
}

/** The flags both model benches read; `usage` is thrown without --from. */
export function modelBenchFlags(args: readonly string[], usage: string): { fromPage: string; repeat: number; profileTo: string | null; alloc: boolean } {
  const fromPage = optionOf(args, '--from');
  if (fromPage === null) throw new Error(`usage: ${usage}`);
  return { fromPage, repeat: Number(optionOf(args, '--repeat') ?? 1), profileTo: optionOf(args, '--profile'), alloc: args.includes('--alloc') };
}

/** GC pauses as Node's observer reports them (a task after each), read by their start. */
export class GcPauses {
  readonly #pauses: { start: number; ms: number }[] = [];

  constructor() {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#pauses.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ entryTypes: ['gc'] });
  }

  /** The pauses that started in [from, to): their ms summed, and how many. */
  within(from: number, to: number): { ms: number; count: number } {
    let ms = 0;
    let count = 0;
    for (const p of this.#pauses) {
      if (p.start >= from && p.start < to) {
        ms += p.ms;
        count++;
      }
    }
    return { ms, count };
  }
}

/** Starts V8's sampling heap profiler (a sample per 32 KiB, objects the GC took included). */
export async function startHeapSampling(session: Session): Promise<void> {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}

/** Stops it: the MB sampled since the start, and the `topN` functions that allocated most ("name MB, ..."). */
export async function stopHeapSampling(session: Session, topN: number): Promise<{ mb: number; top: string }> {
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampleNode } };
  const byFunction = new Map<string, number>();
  const mb = sampledBytes(profile.head, byFunction) / 2 ** 20;
  const top = [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(1)}`)
    .join(', ');
  return { mb, top };
}

interface SampleNode {
  selfSize: number;
  callFrame: { functionName: string; lineNumber: number };
  children: SampleNode[];
}

/**
 * Bytes of a sampling heap profile's samples (each stands for its size, sampled per interval), and
 * per function; a built-in (no line) is named with its caller.
 */
function sampledBytes(node: SampleNode, byFunction: Map<string, number>, parent = ''): number {
  let bytes = node.selfSize;
  const own = `${node.callFrame.functionName || '(anonymous)'}:${node.callFrame.lineNumber + 1}`;
  const name = node.callFrame.lineNumber < 0 ? `${parent}>${own}` : own;
  if (node.selfSize > 0) byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
  for (const child of node.children) bytes += sampledBytes(child, byFunction, node.callFrame.lineNumber < 0 ? parent : own);
  return bytes;
}
