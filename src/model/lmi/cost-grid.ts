/**
 * A break-even grid priced point by point as it is read. The break-even scans (break-even.ts)
 * read a grid from its first point on and stop at the first crossing, and skip a point whose
 * lower bound already settles it (BoundedCostGrid); so most functions price a few of its points instead of all
 * ~40 (each a cheapest-configuration search). A priced point is kept: a point read twice, or the
 * whole grid read later, gives the very numbers of pricing the whole grid at once (pricing a
 * point depends on nothing but its index).
 */
export class CostGrid<P> implements Iterable<P> {
  /** Allocated on the first point priced: the break-even scans settle many grids from their bounds alone. */
  #points: (P | undefined)[] | null = null;
  #priced = 0;
  /** Prices the point at an index; dropped once every point is priced (it holds the sizing's state, its replay included). */
  #price: ((index: number) => P) | null;

  constructor(
    readonly length: number,
    /** null: a subclass prices its points (priceAt). */
    price: ((index: number) => P) | null,
  ) {
    this.#price = length > 0 ? price : null;
  }

  /** Prices the point at `index` (called once per point): the function given, or a subclass's own. */
  protected priceAt(index: number): P {
    return (this.#price as (index: number) => P)(index);
  }

  /** The point at `index` (0 <= index < length), priced now if not yet. */
  at(index: number): P {
    let point = this.#points === null ? undefined : this.#points[index];
    if (point === undefined) {
      point = this.priceAt(index);
      (this.#points ??= new Array<P | undefined>(this.length).fill(undefined))[index] = point;
      if (++this.#priced === this.length) {
        this.#price = null;
        this.pricedAll();
      }
    }
    return point;
  }

  /** Called once every point is priced: a subclass drops what only unpriced points needed. */
  protected pricedAll(): void {}

  /** The point at `index` if priced, else undefined (prices nothing). */
  protected pricedAt(index: number): P | undefined {
    return this.#points === null ? undefined : this.#points[index];
  }

  /** Every point, priced now where not yet (the same array on each call). */
  all(): P[] {
    for (let i = 0; i < this.length; i++) this.at(i);
    return (this.#points ??= []) as P[];
  }

  /** How many points are priced so far. */
  get priced(): number {
    return this.#priced;
  }

  [Symbol.iterator](): Iterator<P> {
    let index = 0;
    return {
      next: (): IteratorResult<P> => (index < this.length ? { value: this.at(index++), done: false } : { value: undefined, done: true }),
    };
  }
}

/** What a BoundedCostGrid knows of its points without pricing them. */
export interface GridBounds {
  /** Each point's key (its cpuShare or traffic scale), in grid order. */
  keys: readonly number[];
  /**
   * Writes a lower bound of each point's totalUsd into out[from..end) (a few flops a point); it
   * may write more of out (bounds all the same).
   */
  fill: (out: number[], from: number, end: number) => void;
  /** A lower bound of every bound fill writes into out[0..end) (NaN: none known): leastLowerTotal. */
  least?: (end: number) => number;
}

/**
 * A CostGrid whose lower bounds are plain numbers in one array, with each point's key known up
 * front: the break-even scans read bounds and keys from arrays (no point built, no call per
 * point, no number boxed on its way out of a call).
 */
export class BoundedCostGrid<P extends { totalUsd: number }> extends CostGrid<P> {
  /** Each point's key (cpuShare or scale). */
  readonly pointKeys: readonly number[];
  #fill: GridBounds['fill'] | null;
  #least: GridBounds['least'] | null;
  /** Every point's bound, its totalUsd once priced (kept so as points are priced); null until asked for. */
  #lowerTotals: number[] | null = null;
  /** Entries of #lowerTotals below this index are filled (bound or totalUsd); the others NaN or a priced point's totalUsd. */
  #filledTo = 0;

  constructor(length: number, price: ((index: number) => P) | null, bounds: GridBounds | { keys: readonly number[]; fill: null }) {
    super(length, price);
    this.pointKeys = bounds.keys;
    this.#fill = bounds.fill;
    this.#least = bounds.fill === null ? null : (bounds.least ?? null);
  }

  override at(index: number): P {
    const point = super.at(index);
    if (this.#lowerTotals !== null) this.#lowerTotals[index] = point.totalUsd;
    return point;
  }

  /** Writes each point's lower bound into out[from..end) (more is allowed; not called once every point is priced): the function given, or a subclass's own. */
  protected fillBounds(out: number[], from: number, end: number): void {
    if (this.#fill !== null) this.#fill(out, from, end);
  }

  /** A lower bound of every bound fillBounds writes into out[0..end) (NaN: none known): the function given, or a subclass's own. */
  protected leastBound(end: number): number {
    return this.#least != null ? this.#least(end) : Number.NaN;
  }

  /**
   * A lower bound of lowerTotals(end)[0..end) at once, without filling them: a priced point's
   * totalUsd is at least its bound, so the least bound is under it too. NaN (settles nothing)
   * when the grid knows none, or once every point is priced.
   */
  leastLowerTotal(end: number): number {
    if (this.priced >= this.length) return Number.NaN;
    return this.leastBound(Math.min(end, this.length));
  }

  /**
   * Each point's lower bound of its totalUsd (the totalUsd itself where priced), without pricing:
   * read only, kept up to date. Filled down to index `end` only (the rest NaN, which settles
   * nothing, until a later call asks for more): the verdict's scan reads the points above its
   * floor alone (break-even.ts breakEvenCpuShareAtLeast).
   */
  lowerTotals(end: number = this.length): readonly number[] {
    let totals = this.#lowerTotals;
    if (totals === null) {
      // NaN (a double): the array holds unboxed doubles from the start; an entry left unwritten settles nothing.
      totals = new Array<number>(this.length).fill(Number.NaN);
      this.#lowerTotals = totals;
    }
    const from = this.#filledTo;
    if (from < end) {
      if (this.priced < this.length) this.fillBounds(totals, from, Math.min(end, this.length));
      // A fill may write more than asked: every priced point gets its totalUsd back.
      for (let i = 0; i < this.length; i++) {
        const point = this.pricedAt(i);
        if (point !== undefined) totals[i] = point.totalUsd;
      }
      this.#filledTo = Math.min(end, this.length);
    }
    return totals;
  }

  protected override pricedAll(): void {
    this.#fill = null;
    this.#least = null;
  }
}
