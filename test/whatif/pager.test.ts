import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMatches, normalQuery, OTHERS_PAGE_ROWS, pageOf, pageSpan, PLANS, PLANS_PAGE_SIZE, rowsLabel, shownPositions } from '../../src/whatif/pager.js';

// Which rows of the "Other functions" table the live page shows (the DOM side: pager-chromium.test.ts).

describe('pageSpan and shownPositions', () => {
  it('cut the rows into pages that hold every row once, in order, none larger than a page', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 600 }), (total, pageRows) => {
        // Act
        const first = pageSpan(total, { page: 0, all: false, pageRows });
        const seen: number[] = [];
        for (let page = 0; page < first.pages; page++) {
          const span = pageSpan(total, { page, all: false, pageRows });
          expect(span.page).toBe(page);
          expect(span.to - span.from).toBeLessThanOrEqual(pageRows);
          if (page < first.pages - 1) expect(span.to - span.from).toBe(pageRows);
          seen.push(...shownPositions(span, null));
        }

        // Assess
        expect(seen).toEqual(Array.from({ length: total }, (_, k) => k));
        expect(first.pages).toBe(Math.max(1, Math.ceil(total / pageRows)));
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('clamps a page past the end to the last one (fewer rows after a change), and before the start to the first', () => {
    // Act + Assess
    expect(pageSpan(10, { page: 7, all: false, pageRows: 4 })).toEqual({ page: 2, pages: 3, from: 8, to: 10 });
    expect(pageSpan(0, { page: 3, all: false, pageRows: 4 })).toEqual({ page: 0, pages: 1, from: 0, to: 0 });
    expect(pageSpan(10, { page: -2, all: false, pageRows: 4 })).toEqual({ page: 0, pages: 3, from: 0, to: 4 });
  });

  it('shows every row at once when asked, whatever the page', () => {
    expect(pageSpan(9812, { page: 5, all: true, pageRows: OTHERS_PAGE_ROWS })).toEqual({ page: 0, pages: 1, from: 0, to: 9812 });
  });

  it('gives the positions of the matches on show, in table order', () => {
    // Prepare
    const matches = [2, 5, 6, 9, 11];

    // Act
    const second = shownPositions(pageSpan(matches.length, { page: 1, all: false, pageRows: 2 }), matches);
    const last = shownPositions(pageSpan(matches.length, { page: 2, all: false, pageRows: 2 }), matches);

    // Assess
    expect(second).toEqual([6, 9]);
    expect(last).toEqual([11]);
  });

  it('finds the page of a row', () => {
    expect([0, 499, 500, 9811].map((k) => pageOf(k, 500))).toEqual([0, 0, 1, 19]);
  });
});

describe('findMatches', () => {
  const names = ['orders-api', 'Orders-Worker', 'billing', 'ORDERS_dlq', 'report'];

  it('keeps the rows whose name holds the query, case-insensitive, in table order', () => {
    expect(findMatches(names.length, (i) => names[i] as string, 'orders')).toEqual([0, 1, 3]);
    expect(findMatches(names.length, (i) => names[i] as string, '  RS-W ')).toEqual([1]);
    expect(findMatches(names.length, (i) => names[i] as string, 'nothing')).toEqual([]);
  });

  it('matches every row (null) when the query is blank', () => {
    expect(findMatches(names.length, (i) => names[i] as string, '')).toBeNull();
    expect(findMatches(names.length, (i) => names[i] as string, '   ')).toBeNull();
    expect(normalQuery('  Ab ')).toBe('ab');
  });

  it('agrees with a plain filter on random names and queries', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 40 }), fc.string({ maxLength: 3 }), (list, query) => {
        const found = findMatches(list.length, (i) => list[i] as string, query);
        const needle = query.trim().toLowerCase();
        const expected = needle === '' ? null : list.flatMap((name, i) => (name.toLowerCase().includes(needle) ? [i] : []));
        expect(found).toEqual(expected);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});

describe('rowsLabel', () => {
  it('says which rows are on show and of how many', () => {
    const page = (total: number, page: number, pageRows = 500) => pageSpan(total, { page, all: false, pageRows });
    expect(rowsLabel(page(9812, 0), 9812, 9812, '')).toBe('Rows 1–500 of 9,812');
    expect(rowsLabel(page(9812, 19), 9812, 9812, '')).toBe('Rows 9,501–9,812 of 9,812');
    expect(rowsLabel(page(9501, 19), 9501, 9501, '')).toBe('Row 9,501 of 9,501');
    expect(rowsLabel(page(37, 1, 20), 37, 9812, ' api ')).toBe('Rows 21–37 of 37 whose name contains “api” (9,812 in all)');
    expect(rowsLabel(page(40, 0), 40, 40, '')).toBe('All 40 rows');
    expect(rowsLabel(page(1, 0), 1, 9812, 'x')).toBe('The one row whose name contains “x” (9,812 in all)');
    expect(rowsLabel(page(0, 0), 0, 9812, 'xyz')).toBe('No function name contains “xyz” (9,812 rows in all)');
    expect(rowsLabel(pageSpan(9812, { page: 3, all: true, pageRows: 500 }), 9812, 9812, '')).toBe('All 9,812 rows');
  });

  it('says the same of plans', () => {
    const page = (total: number, page: number) => pageSpan(total, { page, all: false, pageRows: PLANS_PAGE_SIZE });
    expect(rowsLabel(page(829, 0), 829, 829, '', PLANS)).toBe('Plans 1–50 of 829');
    expect(rowsLabel(page(829, 16), 829, 829, '', PLANS)).toBe('Plans 801–829 of 829');
    expect(rowsLabel(page(51, 1), 51, 51, '', PLANS)).toBe('Plan 51 of 51');
    expect(rowsLabel(page(3, 0), 3, 3, '', PLANS)).toBe('All 3 plans');
    expect(rowsLabel(page(1, 0), 1, 1, '', PLANS)).toBe('The one plan');
    expect(rowsLabel(page(0, 0), 0, 0, '', PLANS)).toBe('No plans');
  });
});
