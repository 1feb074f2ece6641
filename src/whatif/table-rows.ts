/// <reference lib="dom" />
/**
 * The "Other functions" table of the what-if page, brought to new rows by key instead of through
 * the whole-page markup diff. At 10,000 functions its ~9,850 rows were most of the report's markup
 * and of the DOM writes of an update (a knob re-sorts them by savings); the page now renders the
 * report without them (renderHtmlWithoutSummaryRows) and hands them here.
 *
 * Each row's markup is summaryRowHtml's, the CLI's own row writer. A row (key: region and name)
 * whose markup equals the one on show keeps its node; one whose markup differs only in its text (a
 * figure in its reason, its verdict) keeps its node too, its text nodes rewritten (most rows after
 * a discount change: parsing ~8,000 rows again, then swapping them in, cost more than the rest of
 * the update of the table); the other changed and the new rows are parsed in one go in the table
 * body's context. The kept rows on the longest run already in order stay, the others move (the
 * fewest moves). The body's nodes are those the CLI's page parses to: a line break first, then each
 * row followed by its line break (`<tbody>\n<tr>..</tr>\n<tr>..</tr>\n</tbody>`).
 */
import { longestIncreasing, textChanges, textNodes } from './markup-diff.js';

export { textChanges };

/** How the rows on show become the new rows. */
export interface RowPlan {
  /**
   * Per new row: the old row whose node it keeps (same key, and the same markup or one `patchable`
   * into it), or -1: parsed.
   */
  source: Int32Array;
  /** Per new row: 1 when its node is kept with its text rewritten (the markup differs). */
  patched: Uint8Array;
  /** Per new row: 1 when its kept node stays where it is (the longest run of kept rows in order). */
  stays: Uint8Array;
  /** Per old row: 1 when its node is kept. */
  used: Uint8Array;
  /** Nodes kept as they are (same markup). */
  kept: number;
  /** Nodes kept, their text rewritten. */
  patchedCount: number;
  parsed: number;
  /** Kept rows (patched or not) that move: not on the longest run in order. */
  moved: number;
  /** Old rows whose node goes (gone, or their markup changed beyond patching). */
  removed: number;
}

/**
 * Pairs new rows with old ones by key: a pair keeps its node when the markup is equal or when
 * `patchable(i, j)` says old row i can be rewritten into new row j in place. A key held by several
 * rows pairs them in order (keys are region/name, unique in a report; this keeps the plan right if
 * they are not).
 */
export function planRows(
  oldKeys: readonly string[],
  oldHtml: readonly string[],
  newKeys: readonly string[],
  newHtml: readonly string[],
  patchable: (i: number, j: number) => boolean = () => false,
): RowPlan {
  return planKeyed(oldKeys, newKeys, (i, j) => oldHtml[i] === newHtml[j], patchable);
}

/** planRows with the test for an unchanged row given: `same(i, j)`, old row i shows new row j as it is. */
export function planKeyed(
  oldKeys: readonly string[],
  newKeys: readonly string[],
  same: (i: number, j: number) => boolean,
  patchable: (i: number, j: number) => boolean,
): RowPlan {
  // First old row of each key, and the next old row with the same key.
  const first = new Map<string, number>();
  const nextSame = new Int32Array(oldKeys.length).fill(-1);
  for (let i = oldKeys.length - 1; i >= 0; i--) {
    const key = oldKeys[i] as string;
    const at = first.get(key);
    if (at !== undefined) nextSame[i] = at;
    first.set(key, i);
  }
  const source = new Int32Array(newKeys.length).fill(-1);
  const patched = new Uint8Array(newKeys.length);
  const used = new Uint8Array(oldKeys.length);
  let kept = 0;
  let patchedCount = 0;
  for (let j = 0; j < newKeys.length; j++) {
    const key = newKeys[j] as string;
    const i = first.get(key);
    if (i === undefined || i === -1) continue;
    first.set(key, nextSame[i] as number);
    if (same(i, j)) kept++;
    else if (patchable(i, j)) {
      patched[j] = 1;
      patchedCount++;
    } else continue;
    source[j] = i;
    used[i] = 1;
  }
  const stays = longestIncreasing(source);
  let staying = 0;
  for (let j = 0; j < stays.length; j++) staying += stays[j] as number;
  const reused = kept + patchedCount;
  return { source, patched, stays, used, kept, patchedCount, parsed: newKeys.length - reused, moved: reused - staying, removed: oldKeys.length - reused };
}

/**
 * Rows as the table step reads them. A row is known by the text of each of its text nodes, in
 * document order, and by its shape: the rest of its markup (two rows of the same shape differ only
 * in the text of the same text nodes, so one is rewritten into the other in place). A shape that
 * starts with `!` is never rewritten in place (a text the parser would not keep as written).
 * Markup is asked only for the rows parsed: the page builds shapes and texts from its rows without
 * writing the markup of each (most rows keep their node on a change).
 */
export interface RowSource {
  keys: readonly string[];
  shapes: readonly string[];
  texts: readonly (readonly string[])[];
  /** Markup of row j (a <tr> and its content, no line break after it). */
  html(j: number): string;
}

/** Marks where a text node sits in a shape read from markup. */
const TEXT_MARK = '\u0001';

/** A RowSource of rows given as markup: shapes and texts read from it (tags and texts, decoded). */
export function rowsFromMarkup(keys: readonly string[], html: readonly string[]): RowSource {
  const shapes = new Array<string>(html.length);
  const texts = new Array<string[]>(html.length);
  html.forEach((markup, j) => {
    const split = textsOf(markup);
    shapes[j] = split === null ? `!${markup}` : split.shape;
    texts[j] = split === null ? [markup] : split.texts;
  });
  return { keys, shapes, texts, html: (j) => html[j] as string };
}

/**
 * The texts of `markup` (decoded, in document order) and its shape (the markup with each text
 * replaced by TEXT_MARK), or null when a text is one textChanges would not rewrite in place.
 */
function textsOf(markup: string): { shape: string; texts: string[] } | null {
  if (!markup.startsWith('<') || !markup.endsWith('>')) return null;
  // Against the markup with every text replaced by another, each text comes out as a change.
  const blanked = markup.replace(TEXT_RUN, (_, text: string) => `>${'\u0002'.repeat(text.length + 1)}<`);
  const texts = textChanges(blanked, markup);
  if (texts === null || texts.some((t) => t === null)) return null;
  return { shape: markup.replace(TEXT_RUN, `>${TEXT_MARK}<`), texts: texts as string[] };
}

/** A text between two tags (the renderer escapes every `<` and `>` of a text). */
const TEXT_RUN = />([^<]+)</g;

/** What the last update of the table did (for the page's timing line). */
export interface RowStats {
  kept: number;
  /** Rows whose node was kept, its text rewritten. */
  patched: number;
  /** Text nodes written in those. */
  texts: number;
  parsed: number;
  moved: number;
  removed: number;
  /** 1 when the body was rebuilt whole (its content was not the one known). */
  rebuilt: number;
  /** Milliseconds in the parser. */
  parseMs: number;
  /** Milliseconds pairing the rows (planRows, textChanges). */
  planMs: number;
  /** Milliseconds putting the rows in order (removing, moving, inserting). */
  placeMs: number;
}

const LINE = '\n';

function isLineBreak(node: Node | null): node is Text {
  return node !== null && node.nodeType === Node.TEXT_NODE && (node as Text).data === LINE;
}

/**
 * Writes into the text nodes of `row` (shown with texts `before`) the texts `after` that differ;
 * returns how many were written. Throws when the row has not as many text nodes (it was not parsed
 * from the markup it is known by): the caller rebuilds the body.
 */
function rewrite(row: Element, before: readonly string[], after: readonly string[]): number {
  const nodes = textNodes(row, after.length);
  if (nodes === null || before.length !== after.length) throw new Error('what-if: a row of the "Other functions" table has not the text nodes of its markup');
  let written = 0;
  for (let k = 0; k < after.length; k++) {
    const text = after[k] as string;
    if (text === before[k]) continue;
    (nodes[k] as Text).data = text;
    written++;
  }
  return written;
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

const NO_ROWS: RowSource = { keys: [], shapes: [], texts: [], html: () => '' };

/** The rows on show in one table body, by key, and the nodes they were parsed to. */
export class KeyedRows {
  private tbody: Element | null = null;
  private rows: RowSource = NO_ROWS;
  private nodes: Element[] = [];

  /**
   * Takes `tbody` as showing these rows (the page as the CLI wrote it). False, and nothing kept,
   * when its nodes are not a line break then a row and a line break per row: the next update
   * then rebuilds it whole.
   */
  adopt(tbody: Element | null, rows: RowSource): boolean {
    this.forget();
    if (tbody === null) return rows.keys.length === 0;
    const nodes: Element[] = [];
    let node = tbody.firstChild;
    if (!isLineBreak(node)) return false;
    for (node = node.nextSibling; node !== null; node = node.nextSibling) {
      if (node.nodeType !== Node.ELEMENT_NODE || (node as Element).localName !== 'tr' || !isLineBreak(node.nextSibling)) return false;
      nodes.push(node as Element);
      node = node.nextSibling;
    }
    if (nodes.length !== rows.keys.length) return false;
    this.tbody = tbody;
    this.rows = rows;
    this.nodes = nodes;
    return true;
  }

  private forget(): void {
    this.tbody = null;
    this.rows = NO_ROWS;
    this.nodes = [];
  }

  /**
   * Makes `tbody` show `rows`, `tbody` being the body on show after the rest of the page was
   * patched: the one known (kept from the last update), or one parsed from the report's markup,
   * which holds only its first line break. Null: the table is gone.
   */
  update(tbody: Element | null, rows: RowSource): RowStats {
    if (tbody === null) {
      this.forget();
      return { kept: 0, patched: 0, texts: 0, parsed: 0, moved: 0, removed: 0, rebuilt: 0, parseMs: 0, planMs: 0, placeMs: 0 };
    }
    let rebuilt = 0;
    if (tbody !== this.tbody) {
      this.forget();
      if (!(isLineBreak(tbody.firstChild) && tbody.firstChild.nextSibling === null)) {
        tbody.replaceChildren(tbody.ownerDocument.createTextNode(LINE));
        rebuilt = 1;
      }
    }
    const [old, oldNodes] = [this.rows, this.nodes];
    const { keys } = rows;
    // Until done, the body's content is not known for sure: a failure leaves it to be rebuilt.
    this.forget();
    // A row whose figures changed keeps its node (same shape): its text nodes are rewritten.
    const planned = performance.now();
    const plan = planKeyed(
      old.keys,
      keys,
      (i, j) => old.shapes[i] === rows.shapes[j] && sameTexts(old.texts[i] as string[], rows.texts[j] as string[]),
      (i, j) => old.shapes[i] === rows.shapes[j] && !(rows.shapes[j] as string).startsWith('!'),
    );
    const { source } = plan;
    const planMs = performance.now() - planned;
    let texts = 0;
    for (let j = 0; j < keys.length; j++) {
      if (plan.patched[j] === 1) {
        const i = source[j] as number;
        texts += rewrite(oldNodes[i] as Element, old.texts[i] as string[], rows.texts[j] as string[]);
      }
    }
    const parsedRows = new Array<Element>(keys.length);
    const breaks = new Array<Text>(keys.length);
    let fragment: DocumentFragment | null = null;
    let parseMs = 0;
    if (plan.parsed > 0) {
      let markup = '';
      for (let j = 0; j < keys.length; j++) if (source[j] === -1) markup += `${rows.html(j)}${LINE}`;
      const range = tbody.ownerDocument.createRange();
      range.selectNodeContents(tbody);
      const began = performance.now();
      fragment = range.createContextualFragment(markup);
      parseMs = performance.now() - began;
      let node = fragment.firstChild;
      for (let j = 0; j < keys.length; j++) {
        if (source[j] !== -1) continue;
        if (node === null || node.nodeType !== Node.ELEMENT_NODE || (node as Element).localName !== 'tr' || !isLineBreak(node.nextSibling)) {
          throw new Error('what-if: a row of the "Other functions" table did not parse to one <tr>');
        }
        parsedRows[j] = node as Element;
        breaks[j] = node.nextSibling;
        node = node.nextSibling.nextSibling;
      }
      if (node !== null) throw new Error('what-if: the rows of the "Other functions" table parsed to more nodes than rows');
    }
    const placed = performance.now();
    if (plan.kept + plan.patchedCount === 0) {
      // Nothing kept (the table appeared, or every row changed): one write instead of one per row.
      tbody.replaceChildren(tbody.firstChild as Text, ...(fragment === null ? [] : [fragment]));
    } else this.place(tbody, plan, oldNodes, parsedRows, breaks);
    const placeMs = performance.now() - placed;
    this.tbody = tbody;
    this.rows = rows;
    this.nodes = Array.from(source, (i, j) => (i === -1 ? (parsedRows[j] as Element) : (oldNodes[i] as Element)));
    return { kept: plan.kept, patched: plan.patchedCount, texts, parsed: plan.parsed, moved: plan.moved, removed: plan.removed, rebuilt, parseMs, planMs, placeMs };
  }

  /** Removes the rows not kept, and puts the kept and the parsed ones in the new order. */
  private place(tbody: Element, plan: RowPlan, oldNodes: Element[], rows: Element[], breaks: Text[]): void {
    // A row moves with its line break; a parsed row's break is the one parsed after it.
    const lines = new Map<Element, Text>();
    rows.forEach((row, j) => lines.set(row, breaks[j] as Text));
    placeRows(plan, oldNodes, rows, {
      remove(row) {
        (row.nextSibling as ChildNode).remove();
        row.remove();
      },
      insertBefore(row, ref) {
        const line = lines.get(row) ?? (row.nextSibling as Text);
        tbody.insertBefore(line, ref);
        tbody.insertBefore(row, line);
      },
    });
  }
}

/** The two writes placeRows makes on a list of rows. */
export interface RowWrites<N> {
  remove(row: N): void;
  /** Puts `row` (a kept row from elsewhere in the list, or a new one) just before `ref` (null: at the end). */
  insertBefore(row: N, ref: N | null): void;
}

/**
 * Applies `plan` to the list holding `oldNodes` (in that order): removes the old rows not kept,
 * then, from the last new row up, puts each row that does not stay (moved or parsed: `parsed[j]`)
 * before the row that follows it in the new order. The rows that stay are in order already (the
 * longest increasing run), so the list ends in the new order with only plan.moved moves.
 */
export function placeRows<N>(plan: RowPlan, oldNodes: readonly N[], parsed: readonly N[], writes: RowWrites<N>): void {
  const { source, stays, used } = plan;
  for (let i = 0; i < oldNodes.length; i++) if (used[i] !== 1) writes.remove(oldNodes[i] as N);
  let ref: N | null = null;
  for (let j = source.length - 1; j >= 0; j--) {
    const i = source[j] as number;
    const row = (i === -1 ? parsed[j] : oldNodes[i]) as N;
    if (stays[j] !== 1) writes.insertBefore(row, ref);
    ref = row;
  }
}
