import { describe, expect, it } from 'vitest';
import { CostGrid } from '../../../src/model/lmi/cost-grid.js';

describe('CostGrid', () => {
  it('prices only the points read, each once; all() prices the rest', () => {
    const asked: number[] = [];
    const grid = new CostGrid(5, (i) => {
      asked.push(i);
      return { i, usd: i * 1.5 };
    });

    expect(grid.priced).toBe(0);
    expect(grid.at(2)).toEqual({ i: 2, usd: 3 });
    expect(asked).toEqual([2]);
    const first = grid.at(0);
    expect(grid.at(0)).toBe(first);
    expect(asked).toEqual([2, 0]);
    expect(grid.priced).toBe(2);

    const all = grid.all();
    expect(all.map((p) => p.i)).toEqual([0, 1, 2, 3, 4]);
    expect(asked).toEqual([2, 0, 1, 3, 4]);
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

  it('lower(): the bound where a point is not priced, the point once it is', () => {
    const grid = new CostGrid(
      3,
      (i) => ({ i, totalUsd: 10 + i }),
      (i) => ({ i, totalUsd: 5 + i }),
    );
    expect(grid.lower(1)).toEqual({ i: 1, totalUsd: 6 });
    expect(grid.lower(1)).toBe(grid.lower(1));
    expect(grid.priced).toBe(0);
    grid.at(1);
    expect(grid.lower(1)).toEqual({ i: 1, totalUsd: 11 });
    expect(new CostGrid(1, (i) => ({ i, totalUsd: 1 })).lower(0)).toEqual({ i: 0, totalUsd: 1 });
  });

  it('an empty grid never prices', () => {
    const grid = new CostGrid(0, () => {
      throw new Error('priced');
    });
    expect(grid.all()).toEqual([]);
    expect([...grid]).toEqual([]);
  });
});
