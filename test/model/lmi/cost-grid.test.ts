import { describe, expect, it } from 'vitest';
import { CostGrid } from '../../../src/model/lmi/cost-grid.js';

describe('CostGrid', () => {
  it('prices the points in order, only up to the one read, each once', () => {
    const asked: number[] = [];
    const grid = new CostGrid(5, (i) => {
      asked.push(i);
      return { i, usd: i * 1.5 };
    });

    expect(grid.priced).toBe(0);
    expect(grid.at(2)).toEqual({ i: 2, usd: 3 });
    expect(asked).toEqual([0, 1, 2]);
    const first = grid.at(0);
    expect(grid.at(0)).toBe(first);
    expect(asked).toEqual([0, 1, 2]);

    const all = grid.all();
    expect(all.map((p) => p.i)).toEqual([0, 1, 2, 3, 4]);
    expect(asked).toEqual([0, 1, 2, 3, 4]);
    expect(grid.all()).toBe(all);
  });

  it('iterates lazily: a loop that stops early prices no further', () => {
    let calls = 0;
    const grid = new CostGrid(10, (i) => {
      calls++;
      return i;
    });
    for (const p of grid) if (p === 3) break;
    expect(calls).toBe(4);
    expect([...grid]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls).toBe(10);
  });

  it('an empty grid never prices', () => {
    const grid = new CostGrid(0, () => {
      throw new Error('priced');
    });
    expect(grid.all()).toEqual([]);
    expect([...grid]).toEqual([]);
  });
});
