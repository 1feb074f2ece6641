/// <reference lib="dom" />
/**
 * The pagers of the live what-if page: one for the "Other functions" table (a find box on the
 * function name, case-insensitive), one for the capacity-provider plans. Each has previous /
 * next, a line saying which items are on show and of how many, and "show all"; a second
 * previous / next under the list; and a line that only prints, saying the print holds the items
 * on show and where the full list is. The controls are built by the page's script (the CLI's
 * report.html is unchanged: with scripts off it shows every row and plan), with their own style
 * (the panel's colours, light and dark). pager.ts decides the items; browser.ts shows them.
 *
 * The controls sit inside the report's markup (section#others, section#plan), which the page
 * patches by its markup (markup-diff.ts): detach() takes them out before a patch and attach()
 * puts them back.
 */
import type { PageSpan, PagerState } from './pager.js';
import { OTHERS_PAGE_ROWS, PLANS_PAGE_SIZE } from './pager.js';

/** What a control asked for (browser.ts keeps the reader's place accordingly). */
export type PagerAction = 'previous' | 'next' | 'all' | 'find';

type PagerBar = 'top' | 'bottom';

const STYLE = `
.whatif-pager { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 8px 0; font-size: 0.9rem; }
.whatif-pager label { display: inline-flex; align-items: center; gap: 6px; }
.whatif-pager input[type=search] { width: 16em; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; padding: 3px 6px; font: inherit; }
.whatif-pager button { background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; font: inherit; cursor: pointer; }
.whatif-pager button:disabled { cursor: not-allowed; opacity: 0.5; }
.whatif-pager button[aria-pressed=true] { border-color: var(--accent); }
.whatif-pager input:focus-visible, .whatif-pager button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.whatif-pager .rows { font-variant-numeric: tabular-nums; }
.whatif-pager[hidden], .whatif-pager [hidden] { display: none !important; }
.whatif-pager-print { display: none; }
@media print { .whatif-pager { display: none !important; } .whatif-pager-print:not([hidden]) { display: block; } }
`;

/** A size a test may set on the panel (`data-page-rows`, `data-plan-page-size`), else `fallback`. */
function sizeOf(asked: string | undefined, fallback: number): number {
  const n = Number(asked);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The "Other functions" page size a test may set on the panel (data-page-rows), else OTHERS_PAGE_ROWS. */
export function pageRowsOf(panel: HTMLElement): number {
  return sizeOf(panel.dataset.pageRows, OTHERS_PAGE_ROWS);
}

/** The plans' page size a test may set on the panel (data-plan-page-size), else PLANS_PAGE_SIZE. */
export function planPageSizeOf(panel: HTMLElement): number {
  return sizeOf(panel.dataset.planPageSize, PLANS_PAGE_SIZE);
}

/** What the bars say and allow, from the items on show. */
export interface PagerView {
  span: PageSpan;
  /** Items counted (the matches, or every item). */
  total: number;
  /** Every item of the list. */
  count: number;
  label: string;
}

/** Which list a pager pages, and how its controls name it. */
export interface PagerKind {
  /** `data-pager-of` on its bars and print line. */
  of: 'others' | 'plans';
  /** The list in the bars' names: "Other functions". */
  title: string;
  /** Its items in the buttons' names: "other functions". */
  items: string;
  /** A find box (on the function name). */
  find: boolean;
  /** Where the bars go in the list's section: before `first`, after `last`; null when nothing is on show. */
  ends(section: Element): { first: Element; last: Element } | null;
  /** The print line, from the bar's line in lower case. */
  printNote(label: string): string;
}

export const OTHERS_PAGER: PagerKind = {
  of: 'others',
  title: 'Other functions',
  items: 'other functions',
  find: true,
  ends(section) {
    const wrap = section.querySelector(':scope > .table-wrap');
    return wrap === null ? null : { first: wrap, last: wrap };
  },
  printNote: (label) =>
    `This print shows the rows the page showed (${label}). The full list is in report.md and report.json; to print it here, empty the find box and choose “Show all” first.`,
};

export const PLANS_PAGER: PagerKind = {
  of: 'plans',
  title: 'Capacity-provider plans',
  items: 'capacity-provider plans',
  find: false,
  ends(section) {
    const plans = section.querySelectorAll(':scope > article.plan');
    return plans.length === 0 ? null : { first: plans[0] as Element, last: plans[plans.length - 1] as Element };
  },
  printNote: (label) =>
    `This print shows the capacity-provider plans the page showed (${label}). Every plan is in report.md and report.json; to print them all here, choose “Show all” first.`,
};

export class PagerControls {
  readonly state: PagerState;
  readonly top: HTMLElement;
  readonly bottom: HTMLElement;
  readonly note: HTMLElement;
  private readonly buttons: Record<PagerBar, { previous: HTMLButtonElement; next: HTMLButtonElement }>;
  private readonly all: HTMLButtonElement;
  private readonly labels: HTMLElement[];

  constructor(
    private readonly doc: Document,
    pageRows: number,
    private readonly kind: PagerKind,
    onAction: (action: PagerAction) => void,
  ) {
    this.state = { query: '', page: 0, all: false, pageRows };
    if (doc.head.querySelector('style[data-whatif-pager]') === null) {
      const style = doc.createElement('style');
      style.dataset.whatifPager = 'style';
      style.textContent = STYLE;
      doc.head.append(style);
    }

    const bar = (which: PagerBar): HTMLElement => {
      const el = doc.createElement('div');
      el.className = 'whatif-pager';
      el.dataset.whatifPager = which;
      el.dataset.pagerOf = kind.of;
      el.setAttribute('role', 'group');
      el.setAttribute('aria-label', which === 'top' ? `${kind.title}: ${kind.find ? 'find and pages' : 'pages'}` : `${kind.title}: pages`);
      return el;
    };
    const button = (name: string, text: string, label: string): HTMLButtonElement => {
      const el = doc.createElement('button');
      el.type = 'button';
      el.dataset.whatifPager = name;
      el.textContent = text;
      el.setAttribute('aria-label', label);
      return el;
    };
    const rowsLine = (live: boolean): HTMLElement => {
      const el = doc.createElement('span');
      el.className = 'rows';
      el.dataset.whatifPager = 'rows';
      if (live) {
        el.setAttribute('role', 'status');
        el.setAttribute('aria-live', 'polite');
      }
      return el;
    };

    this.top = bar('top');
    const topPrevious = button('previous', '‹ Previous', `Previous page of ${kind.items}`);
    const topNext = button('next', 'Next ›', `Next page of ${kind.items}`);
    this.all = button('all', 'Show all', `Show all ${kind.items} at once`);
    this.all.setAttribute('aria-pressed', 'false');
    const topRows = rowsLine(true);
    if (kind.find) {
      const label = doc.createElement('label');
      label.htmlFor = 'whatif-find';
      label.append('Find a function');
      const find = doc.createElement('input');
      Object.assign(find, { type: 'search', id: 'whatif-find', placeholder: 'part of its name', autocomplete: 'off', spellcheck: false });
      find.dataset.whatifPager = 'find';
      find.addEventListener('input', () => {
        this.state.query = find.value;
        this.state.page = 0;
        onAction('find');
      });
      label.append(find);
      this.top.append(label);
    }
    this.top.append(topPrevious, topRows, topNext, this.all);

    this.bottom = bar('bottom');
    const bottomPrevious = button('previous', '‹ Previous', `Previous page of ${kind.items}`);
    const bottomNext = button('next', 'Next ›', `Next page of ${kind.items}`);
    const bottomRows = rowsLine(false);
    this.bottom.append(bottomPrevious, bottomRows, bottomNext);
    this.buttons = { top: { previous: topPrevious, next: topNext }, bottom: { previous: bottomPrevious, next: bottomNext } };
    this.labels = [topRows, bottomRows];

    this.note = doc.createElement('p');
    this.note.className = 'whatif-pager-print muted';
    this.note.dataset.whatifPager = 'print';
    this.note.dataset.pagerOf = kind.of;

    for (const which of ['top', 'bottom'] as const) {
      const { previous, next } = this.buttons[which];
      previous.addEventListener('click', () => {
        this.state.page = Math.max(0, this.state.page - 1);
        onAction('previous');
      });
      next.addEventListener('click', () => {
        this.state.page += 1;
        onAction('next');
      });
    }
    this.all.addEventListener('click', () => {
      this.state.all = !this.state.all;
      onAction('all');
    });
  }

  /** Whether the controls are in the page. */
  get attached(): boolean {
    return this.top.isConnected;
  }

  /**
   * Puts the controls around the list of `section`: the bar and the print line above it, the
   * second bar under it. Nothing when the section shows none ("None.", "Nothing to apply.").
   */
  attach(section: Element | null): void {
    const ends = section === null ? null : this.kind.ends(section);
    if (ends === null) return;
    ends.first.before(this.top, this.note);
    ends.last.after(this.bottom);
  }

  /** Takes the controls out of the page (before the report's markup is patched); keeps focus where it can. */
  detach(): Element | null {
    const active = this.doc.activeElement;
    const focused = active !== null && (this.top.contains(active) || this.bottom.contains(active)) ? active : null;
    this.top.remove();
    this.note.remove();
    this.bottom.remove();
    return focused;
  }

  /** Gives focus back to `element` (from detach) if it is in the page again. */
  refocus(element: Element | null): void {
    if (element instanceof HTMLElement && element.isConnected && this.doc.activeElement !== element) element.focus({ preventScroll: true });
  }

  /** Brings the bars to the items on show. */
  show(view: PagerView): void {
    const { span, total, count, label } = view;
    for (const line of this.labels) if (line.textContent !== label) line.textContent = label;
    const fits = total <= this.state.pageRows;
    for (const which of ['top', 'bottom'] as const) {
      const { previous, next } = this.buttons[which];
      previous.disabled = this.state.all || span.page === 0;
      next.disabled = this.state.all || span.page >= span.pages - 1;
    }
    // Under the list, the bar only when there is another page to go to.
    this.bottom.hidden = this.state.all || span.pages <= 1;
    // A list that fits a page needs no bar at all (no find box: nothing to do with it).
    this.top.hidden = !this.kind.find && fits && !this.state.all;
    this.all.hidden = fits && !this.state.all;
    this.all.textContent = this.state.all ? `Show ${this.state.pageRows.toLocaleString('en-US')} at a time` : 'Show all';
    this.all.setAttribute('aria-pressed', String(this.state.all));
    this.all.setAttribute('aria-label', this.state.all ? `Show the ${this.kind.items} a page at a time` : `Show all ${this.kind.items} at once`);
    const whole = span.from === 0 && span.to === count && total === count;
    this.note.hidden = whole;
    this.note.textContent = whole ? '' : this.kind.printNote(`${label.charAt(0).toLowerCase()}${label.slice(1)}`);
    const data = this.top.dataset;
    data.from = String(span.from);
    data.to = String(span.to);
    data.total = String(total);
    data.page = String(span.page);
    data.pages = String(span.pages);
  }
}

/** Where the reader is relative to the table, to choose the page to show. */
export type ReaderPlace =
  | { kind: 'above' }
  | { kind: 'below' }
  /** In the table, at row `k` of `rows` (the first one not under the panel). */
  | { kind: 'row'; k: number; row: Element };

/**
 * Where the reader is: `rows` are the table's rows on show in order, `line` the top of the
 * reader's view (under the sticky panel).
 */
export function readerPlace(wrap: Element, rows: readonly Element[], line: number): ReaderPlace {
  const box = wrap.getBoundingClientRect();
  if (box.bottom <= line) return { kind: 'below' };
  if (box.top >= line || rows.length === 0) return { kind: 'above' };
  // The first row whose bottom is below the line (rows are in order down the page).
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as Element).getBoundingClientRect().bottom > line) hi = mid;
    else lo = mid + 1;
  }
  return { kind: 'row', k: lo, row: rows[lo] as Element };
}

/** An element the reader sees and where it is on screen: kept there while the page changes around it. */
export interface Anchor {
  element: Element;
  y: number;
}

/**
 * What the reader sees at the top of the view: the row `place` names, else the element just under
 * `line` (outside the table's rows, which may go).
 */
export function anchorOf(place: ReaderPlace, doc: Document, line: number): Anchor | null {
  let element = place.kind === 'row' ? place.row : doc.elementFromPoint(doc.documentElement.clientWidth / 2, line + 1);
  if (element === null) return null;
  // A section starting far above the line may change height itself (content-visibility): the
  // first element inside it that reaches below the line is what the reader sees.
  for (let depth = 0; place.kind !== 'row' && depth < 8 && element.getBoundingClientRect().top < line - 1; depth++) {
    let inner: Element | null = null;
    for (let c: Element | null = element.firstElementChild; c !== null && inner === null; c = c.nextElementSibling) if (c.getBoundingClientRect().bottom > line) inner = c;
    if (inner === null) break;
    element = inner;
  }
  return { element, y: element.getBoundingClientRect().top };
}

/**
 * Scrolls back what the change moved under the reader. The browser's own scroll anchoring may
 * have done so already (then nothing moved); it does not for rows taken out above the view
 * everywhere, nor for sections that stop being laid out.
 */
export function restoreAnchor(anchor: Anchor | null, view: Window): void {
  if (anchor === null || !anchor.element.isConnected) return;
  const moved = anchor.element.getBoundingClientRect().top - anchor.y;
  if (Math.abs(moved) >= 1) view.scrollBy(0, moved);
}

/** The top of the reader's view: under the what-if panel when it is stuck at the top. */
export function viewTop(panel: Element): number {
  const box = panel.getBoundingClientRect();
  return box.top <= 1 && box.bottom > 0 ? box.bottom : 0;
}

/** The rows (tr) of a table body, in order. */
export function bodyRows(tbody: Element | null): Element[] {
  const out: Element[] = [];
  if (tbody === null) return out;
  for (let el = tbody.firstElementChild; el !== null; el = el.nextElementSibling) if (el.localName === 'tr') out.push(el);
  return out;
}
