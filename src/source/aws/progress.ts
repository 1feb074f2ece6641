/**
 * Progress of a live collection, as events; `createTtyProgress` prints them on one stderr line
 * (only when stderr is a terminal: logs and CI stay quiet).
 */
export type ProgressEvent =
  | { type: 'discovered'; region: string; functions: number }
  | { type: 'region-failed'; region: string; message: string }
  | { type: 'metrics'; callsDone: number; callsTotal: number }
  | { type: 'done'; functions: number }
  /** A store-backed run (src/store): region-days to read from CloudWatch and how far it is. */
  | { type: 'store'; daysToRead: number; daysDone: number; pointsRead: number; throttles: number; final?: boolean };

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** ETA from the average pace so far: remaining calls x elapsed / calls done. */
export function etaSeconds(done: number, total: number, elapsedMs: number): number {
  if (done <= 0) return Number.POSITIVE_INFINITY;
  return ((total - done) * elapsedMs) / done / 1000;
}

export function createTtyProgress(
  stream: ProgressStream,
  clock: () => number = () => performance.now(),
): ((event: ProgressEvent) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let found = 0;
  let metricsStart: number | null = null;
  return (event) => {
    switch (event.type) {
      case 'discovered':
        found += event.functions;
        stream.write(`\r\x1b[Klmi-advisor: ${event.region}: ${event.functions} functions (${found} in all)\n`);
        break;
      case 'region-failed':
        stream.write(`\r\x1b[Klmi-advisor: ${event.region} FAILED: ${event.message}\n`);
        break;
      case 'metrics': {
        metricsStart ??= clock();
        const eta = etaSeconds(event.callsDone, event.callsTotal, clock() - metricsStart);
        stream.write(
          `\r\x1b[Klmi-advisor: metric batches ${event.callsDone}/${event.callsTotal}, ETA ${formatSeconds(eta)}`,
        );
        break;
      }
      case 'done':
        stream.write(`\r\x1b[Klmi-advisor: ${event.functions} functions collected\n`);
        break;
      case 'store':
        stream.write(
          `\r\x1b[Klmi-advisor: store: days read ${event.daysDone}/${event.daysToRead}, ${(event.pointsRead / 1e6).toFixed(1)} M points, ${event.throttles} throttled${event.final ? '\n' : ''}`,
        );
        break;
    }
  };
}
