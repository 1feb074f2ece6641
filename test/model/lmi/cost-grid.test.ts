import { describe, expect, it } from 'vitest';
import { BoundedCostGrid, CostGrid } from '../../../src/model/lmi/cost-grid.js';

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

  it('an empty grid never prices', () => {
    const grid = new CostGrid(0, () => {
      throw new Error('priced');
    });
    expect(grid.all()).toEqual([]);
    expect([...grid]).toEqual([]);
  });

  it('BoundedCostGrid: keys and bounds in arrays without pricing; a point once priced', () => {
    let fills = 0;
    const grid = new BoundedCostGrid(
      3,
      (i) => ({ scale: 10 * i, totalUsd: 10 + i }),
      {
        keys: [0, 10, 20],
        fill: (out) => {
          fills++;
          for (let i = 0; i < 3; i++) out[i] = 5 + i;
        },
      },
    );
    expect(grid.pointKeys).toEqual([0, 10, 20]);
    grid.at(2);
    const lows = grid.lowerTotals();
    expect(lows).toEqual([5, 6, 12]);
    expect(grid.lowerTotals()).toBe(lows);
    expect(fills).toBe(1);
    expect(grid.priced).toBe(1);
    // Kept up to date as points are priced.
    expect(grid.at(1)).toEqual({ scale: 10, totalUsd: 11 });
    expect(lows).toEqual([5, 11, 12]);
    expect(grid.all().map((p) => p.totalUsd)).toEqual([10, 11, 12]);
    expect(lows).toEqual([10, 11, 12]);
    expect(fills).toBe(1);
    // Asked for only once every point is priced: the points, no fill.
    const whole = new BoundedCostGrid(2, (i) => ({ totalUsd: i + 1 }), {
      keys: [1, 2],
      fill: () => {
        throw new Error('filled');
      },
    });
    whole.all();
    expect(whole.lowerTotals()).toEqual([1, 2]);
  });

  it('BoundedCostGrid: bounds filled down to an index, the rest when asked; priced points keep their totals', () => {
    const asked: [number, number][] = [];
    const points = [{ totalUsd: 10 }, { totalUsd: 11 }, { totalUsd: 12 }, { totalUsd: 13 }];
    const grid = new BoundedCostGrid(4, (i) => points[i]!, {
      keys: [1, 0.5, 0.25, 0.1],
      fill: (out, from, end) => {
        asked.push([from, end]);
        for (let i = from; i < end; i++) out[i] = 5 + i;
      },
    });
    grid.at(3);
    const lows = grid.lowerTotals(2);
    expect(asked).toEqual([[0, 2]]);
    expect(lows).toEqual([5, 6, Number.NaN, 13]);
    expect(grid.lowerTotals(1)).toBe(lows);
    expect(asked).toEqual([[0, 2]]);
    grid.at(0);
    expect(grid.lowerTotals()).toEqual([10, 6, 7, 13]);
    expect(asked).toEqual([
      [0, 2],
      [2, 4],
    ]);
    // A fill that writes every bound whatever the range: priced points keep their totals.
    const all = new BoundedCostGrid(3, (i) => points[i]!, {
      keys: [1, 0.5, 0.25],
      fill: (out) => {
        for (let i = 0; i < 3; i++) out[i] = 1;
      },
    });
    all.lowerTotals(1);
    all.at(0);
    all.at(2);
    expect(all.lowerTotals()).toEqual([10, 1, 12]);
  });
});
