/** Settings shared by the live-source tests that run against mocked clients. */

export const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
export const NOW = new Date('2026-11-21T03:17:42Z');
export const ACCOUNT = '210987654321';

/** Rate limits out of the way: the tests check what is called, not how fast. */
export const FAST = {
  getMetricData: { callsPerSecond: 1e6, concurrency: 8 },
  lambda: { callsPerSecond: 1e6, concurrency: 4 },
  tagging: { callsPerSecond: 1e6, concurrency: 2 },
  cloudWatchList: { callsPerSecond: 1e6, concurrency: 2 },
  pricing: { callsPerSecond: 1e6, concurrency: 2 },
};
