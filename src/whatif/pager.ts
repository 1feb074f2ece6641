/**
 * Which rows of the "Other functions" table, and which capacity-provider plans, the live what-if
 * page shows: a page of them, the matches of a find box (rows), or all. Pure: the page
 * (pager-controls.ts, browser.ts) gives the list's size and names and gets positions and the line
 * that says what is on show.
 *
 * At 10,000 functions the table has ~9,800 rows; making, syncing and laying out all of them was a
 * third of an update. A knob can also bring hundreds of plans (829 at lmi.headroom 1.2 after
 * lmi.cpuBusyFraction 0.3, 4.4 MB of markup). The page shows one page of each, the items at the
 * same positions of each new report (page 1 is the new top ones); every one stays reachable
 * (pages, find, show all, links).
 */
import { formatNumber } from '../render/format.js';

/**
 * Rows on show at once. At 10,000 functions (bench/whatif.ts --from, 2 cores under load 4-7), 500
 * rows made the table step of a knob change 2-52 ms and its rows 2-11 ms (the whole table: 90-190
 * and ~50-100 ms), with the layout after it small even with the reader at the table; fewer would
 * save little more, and a page is already a long read (the find box narrows it).
 */
export const OTHERS_PAGE_ROWS = 500;

/**
 * Capacity-provider plans on show at once (each a head, a functions table and its commands). At
 * 10,000 functions, a page of 50 instead of all 829 plans took lmi.headroom 1.2 from 0.75-0.96 s
 * to 0.49-0.67 s in page (README, what-if bench); a reader goes through them a few at a time.
 */
export const PLANS_PAGE_SIZE = 50;

/** What a list holds, for its line: "rows", "plans". */
export interface Noun {
  one: string;
  many: string;
}

export const ROWS: Noun = { one: 'row', many: 'rows' };
export const PLANS: Noun = { one: 'plan', many: 'plans' };

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** What the reader asked for. */
export interface PagerState {
  /** The find box's text: rows whose function name holds it (case-insensitive); blank: every row. */
  query: string;
  /** Page index from 0 (kept as asked; pageSpan clamps it to the pages there are). */
  page: number;
  /** Every row (matching the query) at once. */
  all: boolean;
  pageRows: number;
}

/** The rows on show: positions [from, to) among the rows counted (the matches, or every row). */
export interface PageSpan {
  page: number;
  pages: number;
  from: number;
  to: number;
}

/** The query as matched: trimmed, lower case; '' when it matches every row. */
export function normalQuery(query: string): string {
  return query.trim().toLowerCase();
}

/**
 * Positions (in table order) of the rows whose name holds `query`, case-insensitive; null when the
 * query is blank (every row).
 */
export function findMatches(count: number, nameAt: (i: number) => string, query: string): number[] | null {
  const needle = normalQuery(query);
  if (needle === '') return null;
  const found: number[] = [];
  for (let i = 0; i < count; i++) if (nameAt(i).toLowerCase().includes(needle)) found.push(i);
  return found;
}

/** The page on show of `total` rows: the asked page, or the last one if there are fewer now. */
export function pageSpan(total: number, state: Pick<PagerState, 'page' | 'all' | 'pageRows'>): PageSpan {
  if (state.all) return { page: 0, pages: 1, from: 0, to: total };
  const size = Math.max(1, Math.floor(state.pageRows));
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(0, Math.floor(state.page)), pages - 1);
  return { page, pages, from: page * size, to: Math.min(total, (page + 1) * size) };
}

/** The positions in the whole table of the rows on show. */
export function shownPositions(span: PageSpan, matches: readonly number[] | null): number[] {
  const out = new Array<number>(Math.max(0, span.to - span.from));
  for (let k = span.from; k < span.to; k++) out[k - span.from] = matches === null ? k : (matches[k] as number);
  return out;
}

/** The page holding the row at position `k` among the rows counted. */
export function pageOf(k: number, pageRows: number): number {
  return Math.max(0, Math.floor(k / Math.max(1, Math.floor(pageRows))));
}

/**
 * What is on show, said plainly: "Rows 1–500 of 9,812", "Row 9,812 of 9,812", "Rows 1–20 of 37
 * whose name contains “api” (9,812 in all)", "All 40 rows", "No function name contains “xyz”
 * (9,812 rows in all)"; with `noun` PLANS, "Plans 1–50 of 829", "All 3 plans", "No plans".
 */
export function rowsLabel(span: PageSpan, total: number, count: number, query: string, noun: Noun = ROWS): string {
  const needle = query.trim();
  const found = needle === '' ? '' : ` whose name contains “${needle}”`;
  const inAll = needle === '' ? '' : ` (${formatNumber(count)} in all)`;
  if (total === 0) return needle === '' ? `No ${noun.many}` : `No function name contains “${needle}” (${formatNumber(count)} ${noun.many} in all)`;
  if (span.from === 0 && span.to === total) {
    return total === 1 ? `The one ${noun.one}${found}${inAll}` : `All ${formatNumber(total)} ${noun.many}${found}${inAll}`;
  }
  const items = span.to - span.from === 1 ? `${capital(noun.one)} ${formatNumber(span.to)}` : `${capital(noun.many)} ${formatNumber(span.from + 1)}–${formatNumber(span.to)}`;
  return `${items} of ${formatNumber(total)}${found}${inAll}`;
}
