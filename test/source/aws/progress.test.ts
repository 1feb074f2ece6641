import { describe, expect, it } from 'vitest';
import { createTtyProgress, etaSeconds } from '../../../src/source/aws/progress.js';

describe('progress', () => {
  it('is silent when stderr is not a terminal', () => {
    expect(createTtyProgress({ isTTY: false, write: () => {} })).toBeUndefined();
  });

  it('shows functions found, batches done of total and an ETA from the pace so far', () => {
    // Prepare
    let text = '';
    let now = 0;
    const progress = createTtyProgress({ isTTY: true, write: (t) => (text += t) }, () => now)!;
    // Act
    progress({ type: 'discovered', region: 'us-east-1', functions: 1200 });
    progress({ type: 'metrics', callsDone: 0, callsTotal: 100 });
    now = 10_000;
    progress({ type: 'metrics', callsDone: 25, callsTotal: 100 });
    // Assess
    expect(text).toContain('us-east-1: 1200 functions');
    expect(text).toContain('metric batches 25/100, ETA 30s');
    expect(etaSeconds(25, 100, 10_000)).toBe(30);
    expect(etaSeconds(0, 100, 10_000)).toBe(Number.POSITIVE_INFINITY);
  });
});
