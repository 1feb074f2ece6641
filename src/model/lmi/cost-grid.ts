/**
 * A break-even grid priced point by point as it is read. The break-even scans (break-even.ts)
 * read a grid from its first point on and stop at the first crossing, so most functions price a
 * few of its points instead of all ~40 (each a cheapest-configuration search). Points are priced
 * in grid order and kept: a point read twice, or the whole grid read later, gives the very
 * numbers of pricing the whole grid at once.
 */
export class CostGrid<P> implements Iterable<P> {
  readonly #points: P[] = [];
  /** Prices the point at an index; dropped once every point is priced (it holds the sizing's state). */
  #price: ((index: number) => P) | null;

  constructor(
    readonly length: number,
    price: (index: number) => P,
  ) {
    this.#price = length > 0 ? price : null;
  }

  /** The point at `index` (0 <= index < length), pricing the points before it first. */
  at(index: number): P {
    const points = this.#points;
    while (points.length <= index) {
      points.push((this.#price as (index: number) => P)(points.length));
      if (points.length === this.length) this.#price = null;
    }
    return points[index] as P;
  }

  /** Every point, priced now where not yet (the same array on each call). */
  all(): P[] {
    if (this.length > 0) this.at(this.length - 1);
    return this.#points;
  }

  /** How many points are priced so far. */
  get priced(): number {
    return this.#points.length;
  }

  [Symbol.iterator](): Iterator<P> {
    let index = 0;
    return {
      next: (): IteratorResult<P> => (index < this.length ? { value: this.at(index++), done: false } : { value: undefined, done: true }),
    };
  }
}
