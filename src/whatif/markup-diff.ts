/// <reference lib="dom" />
/**
 * Brings a DOM subtree from the markup it was built from to new markup, parsing only what changed.
 *
 * The what-if page re-renders the whole report as a string on every knob change (the CLI's own
 * renderer). Parsing all of it (2.5 MB at 1,000 functions) and diffing the two DOMs cost more than
 * the change itself; instead, both strings are cut into their element tree (MarkupTree, one pass
 * over the tags), compared subtree by subtree as strings, and only the subtrees whose markup
 * differs are parsed, in the context of their parent (Range.createContextualFragment: table rows
 * and SVG parse as they do in the page). Children that moved (a table re-sorted) are matched by
 * their markup and moved, not re-parsed.
 *
 * It relies on the renderer's output being escaped: every `<` in it opens a tag (Handlebars and
 * charts.ts escape text and attribute values). Where the DOM does not have the shape the old
 * markup says (the parser closed or moved something), the element is parsed again whole, so the
 * result is always the new markup's.
 */

/** Elements without content or end tag in HTML. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/**
 * A start or end tag (attribute values may hold `>` when quoted), or a comment: what scanTag
 * reads, as a regex (the reference its test compares with).
 */
export const TAG = /<(?:(\/?)([A-Za-z][A-Za-z0-9-]*)[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>|!--[\s\S]*?-->)/g;
const COMMENT = '#comment';

/**
 * Tag names, interned: a tree holds each element's name as an id (NAME_LIST[id]). Storing a
 * string per element in a large array cost most of a scan once the page's heap was big (a write
 * barrier per store); ids go in an Int32Array and copy as numbers.
 */
const NAME_IDS = new Map<string, number>();
const NAME_LIST: string[] = [];
/** Per name id: whether the element is void (no content or end tag). */
const NAME_VOID: boolean[] = [];

function nameId(name: string): number {
  let id = NAME_IDS.get(name);
  if (id === undefined) {
    id = NAME_LIST.length;
    NAME_IDS.set(name, id);
    NAME_LIST.push(name);
    NAME_VOID.push(VOID.has(name.toLowerCase()));
  }
  return id;
}

const COMMENT_ID = nameId(COMMENT);

/** Tag names equal but for case (the DOM's localName against the markup's). */
function sameName(local: string, name: string): boolean {
  return local === name || local.toLowerCase() === name.toLowerCase();
}

/** Whether `name` is text[from, from + length) exactly. */
function isNameAt(name: string, text: string, from: number, length: number): boolean {
  return name.length === length && sameChars(name, 0, text, from, length);
}

/** Whether a[ai, ai + length) equals b[bi, bi + length) (no substring made). */
function sameChars(a: string, ai: number, b: string, bi: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a.charCodeAt(ai + k) !== b.charCodeAt(bi + k)) return false;
  return true;
}

/**
 * Whether a[aFrom, aTo) equals b[bFrom, bTo). Short ranges char by char; longer ones as two slices
 * (V8 compares flat strings natively, many times faster than a loop over charCodeAt).
 */
function sameRange(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): boolean {
  const length = aTo - aFrom;
  if (length !== bTo - bFrom) return false;
  return length < 32 ? sameChars(a, aFrom, b, bFrom, length) : a.slice(aFrom, aTo) === b.slice(bFrom, bTo);
}

/**
 * The changed children MarkupPatcher.inPlace found and has not written yet, four numbers each
 * (ordinal among the children, old element or -1 for a text, new element or the text's start,
 * 0 or the text's end), for every inPlace call in progress (each pops its own on return).
 */
let pending = new Int32Array(1024);
let pendingTop = 0;

function pushPending(a: number, b: number, c: number, d: number): void {
  if (pendingTop + 4 > pending.length) {
    const grown = new Int32Array(pending.length * 2);
    grown.set(pending);
    pending = grown;
  }
  pending[pendingTop] = a;
  pending[pendingTop + 1] = b;
  pending[pendingTop + 2] = c;
  pending[pendingTop + 3] = d;
  pendingTop += 4;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Tag names by their first two characters and length: the last name seen so (no slice per tag). */
const RECENT_NAMES = new Map<number, number>();

/** What scanTag read (module state, not an object per tag: a 7 MB report has 300,000 tags). */
let tagNext = 0;
let tagClosing = false;
/** The tag's name id (COMMENT_ID for a comment). */
let tagName = COMMENT_ID;

/**
 * Whether TAG would match at `at` (a `<`); if so, sets tagNext (its end), tagClosing and tagName
 * (null for a comment).
 */
function scanTag(text: string, at: number): boolean {
  let i = at + 1;
  if (text.startsWith('!--', i)) {
    const endAt = text.indexOf('-->', i + 3);
    if (endAt === -1) return false;
    tagNext = endAt + 3;
    tagClosing = false;
    tagName = COMMENT_ID;
    return true;
  }
  const closing = text.charCodeAt(i) === 47;
  if (closing) i++;
  if (!isLetter(text.charCodeAt(i))) return false;
  const nameFrom = i;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || (c >= 48 && c <= 57) || c === 45)) break;
  }
  const length = i - nameFrom;
  const key = (text.charCodeAt(nameFrom) << 16) | ((length > 1 ? text.charCodeAt(nameFrom + 1) : 0) << 8) | Math.min(length, 255);
  let name = RECENT_NAMES.get(key);
  if (name === undefined || !isNameAt(NAME_LIST[name] as string, text, nameFrom, length)) {
    name = nameId(text.slice(nameFrom, i));
    RECENT_NAMES.set(key, name);
  }
  // Up to `>`, skipping quoted values whole (a quote left open: no tag here).
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 62) {
      tagNext = i + 1;
      tagClosing = closing;
      tagName = name;
      return true;
    }
    if (c === 34 || c === 39) {
      const q = text.indexOf(c === 34 ? '"' : "'", i + 1);
      if (q === -1) return false;
      i = q;
    }
  }
  return false;
}

/**
 * The arrays every scan writes into, grown as needed and kept: a tree copies out what it holds.
 * (A scan allocating its own arrays, and closures over them, cost more than a small scan.)
 */
const scratch: Record<'start' | 'openEnd' | 'innerEnd' | 'end' | 'after' | 'ids' | 'stack', Int32Array> = {
  start: new Int32Array(1024),
  openEnd: new Int32Array(1024),
  innerEnd: new Int32Array(1024),
  end: new Int32Array(1024),
  after: new Int32Array(1024),
  ids: new Int32Array(1024),
  stack: new Int32Array(256),
};

function grown(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** Room for `size` elements in the scratch arrays. */
function reserve(size: number): void {
  if (size <= scratch.start.length) return;
  const next = Math.max(size, scratch.start.length * 2);
  scratch.start = grown(scratch.start, next);
  scratch.openEnd = grown(scratch.openEnd, next);
  scratch.innerEnd = grown(scratch.innerEnd, next);
  scratch.end = grown(scratch.end, next);
  scratch.after = grown(scratch.after, next);
  scratch.ids = grown(scratch.ids, next);
}

/**
 * Scans `text` from `from` into the scratch arrays: a hand-written scan for what TAG matches (a
 * regex match per tag, and its captured strings, cost most of the scan of a 5 MB report), tag
 * names interned. (Copying the kept trees of the render's unchanged pieces instead of scanning
 * them again was measured slower, in Node and in Chromium: the scan is a memory walk already.)
 */
function scan(text: string, from: number): number {
  let { start, openEnd, innerEnd, end, after, ids, stack } = scratch;
  let depth = 0;
  let n = 0;
  for (let at = text.indexOf('<', from); at !== -1; ) {
    if (!scanTag(text, at)) {
      at = text.indexOf('<', at + 1);
      continue;
    }
    const tagEnd = tagNext;
    const name = tagName;
    if (n === start.length) {
      reserve(n + 1);
      ({ start, openEnd, innerEnd, end, after, ids } = scratch);
    }
    if (name === COMMENT_ID) {
      start[n] = at;
      openEnd[n] = tagEnd;
      ids[n] = COMMENT_ID;
      innerEnd[n] = tagEnd;
      end[n] = tagEnd;
      after[n] = n + 1;
      n++;
    } else if (tagClosing) {
      // Close the innermost open element of that name; any left open inside it end here.
      let d = depth - 1;
      while (d >= 0 && ids[stack[d] as number] !== name) d--;
      if (d !== -1) {
        while (depth > d + 1) {
          const k = stack[--depth] as number;
          innerEnd[k] = at;
          end[k] = at;
          after[k] = n;
        }
        const k = stack[--depth] as number;
        innerEnd[k] = at;
        end[k] = tagEnd;
        after[k] = n;
      }
    } else {
      start[n] = at;
      openEnd[n] = tagEnd;
      ids[n] = name;
      // `/>` closes SVG elements (the renderer writes no other).
      if (text.charCodeAt(tagEnd - 2) === 47 || NAME_VOID[name] === true) {
        innerEnd[n] = tagEnd;
        end[n] = tagEnd;
        after[n] = n + 1;
      } else {
        if (depth === stack.length) scratch.stack = stack = grown(stack, stack.length * 2);
        stack[depth++] = n;
      }
      n++;
    }
    at = text.indexOf('<', tagEnd);
  }
  while (depth > 0) {
    const k = stack[--depth] as number;
    innerEnd[k] = text.length;
    end[k] = text.length;
    after[k] = n;
  }
  return n;
}

/** The element tree of a markup string: per element (in document order) where it starts and ends. */
export class MarkupTree {
  readonly count: number;
  /** Offset of `<`. */
  readonly start: Int32Array;
  /** Offset after the start tag's `>`. */
  readonly openEnd: Int32Array;
  /** Offset of the end tag (or where the element was closed implicitly). */
  readonly innerEnd: Int32Array;
  /** Offset after the end tag. */
  readonly end: Int32Array;
  /** Index of the first element after this one's subtree. */
  readonly after: Int32Array;
  /** The element's tag name as an interned id (nameOf gives the name; equal ids, equal names). */
  readonly nameId: Int32Array;
  constructor(readonly text: string, from = 0) {
    const count = scan(text, from);
    this.count = count;
    this.start = scratch.start.slice(0, count);
    this.openEnd = scratch.openEnd.slice(0, count);
    this.innerEnd = scratch.innerEnd.slice(0, count);
    this.end = scratch.end.slice(0, count);
    this.after = scratch.after.slice(0, count);
    this.nameId = scratch.ids.slice(0, count);
  }

  /** The tag name of element k ('#comment' for a comment). */
  nameOf(k: number): string {
    return NAME_LIST[this.nameId[k] as number] as string;
  }

  /** Every element's tag name, in document order. */
  get name(): string[] {
    return Array.from(this.nameId.subarray(0, this.count), (id) => NAME_LIST[id] as string);
  }

  /** The element's markup, start tag to end tag. */
  outer(k: number): string {
    return this.text.slice(this.start[k], this.end[k]);
  }

  openTag(k: number): string {
    return this.text.slice(this.start[k], this.openEnd[k]);
  }

  /** The element's child nodes as ranges: elements (el >= 0) and the text between them (el = -1). */
  children(k: number): Chunk[] {
    const out: Chunk[] = [];
    const stop = this.innerEnd[k] as number;
    let pos = this.openEnd[k] as number;
    for (let c = k + 1; c < this.count && (this.start[c] as number) < stop; c = this.after[c] as number) {
      const s = this.start[c] as number;
      if (s > pos) out.push({ el: -1, from: pos, to: s });
      out.push({ el: c, from: s, to: this.end[c] as number });
      pos = this.end[c] as number;
    }
    if (stop > pos) out.push({ el: -1, from: pos, to: stop });
    return out;
  }

  /** The first element child of `k` with this tag name, or -1. */
  child(k: number, tag: string): number {
    for (const c of this.children(k)) if (c.el >= 0 && this.nameOf(c.el) === tag) return c.el;
    return -1;
  }
}

export interface Chunk {
  /** Element index in its MarkupTree, or -1 for text. */
  el: number;
  from: number;
  to: number;
}

/** What a patch did (for the page's timing line). */
export interface PatchStats {
  /** Milliseconds in the parser (createContextualFragment). */
  parseMs: number;
  /** Characters of markup parsed. */
  parsedChars: number;
  /** Elements whose markup differed, walked into. */
  elements: number;
  /** Text nodes and attributes written, nodes moved or inserted. */
  writes: number;
}

/** The DOM does not have the shape the old markup describes: the caller re-parses the element whole. */
export class ShapeMismatch extends Error {}

/** Text whose entities are the renderer's own: decoded here, no parser needed. */
export const SIMPLE_TEXT = /^[^&\r\0]*(?:&(?:amp|lt|gt|quot|#x27|#x60|#x3D|#39);[^&\r\0]*)*$/;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&#x60;': '`', '&#x3D;': '=' };
const SEPARATOR = 'lmi-chunk';
/** One attribute as the renderer writes it: name="value" (values escaped, so no `"` inside). */
const ATTRIBUTES = /\s+([A-Za-z_][\w:.-]*)="([^"]*)"/g;

/** Text of the renderer's markup (SIMPLE_TEXT) as the parser decodes it. */
export function decode(text: string): string {
  return text.indexOf('&') === -1 ? text : text.replace(/&[#\w]+;/g, (e) => ENTITIES[e] ?? e);
}
/** Start or end tags after which the parser does not put a text where the markup has it. */
const TEXT_MOVED_AFTER = /^(?:<(?:table|tbody|thead|tfoot|tr|colgroup|select)|<\/(?:td|th|tr|thead|tbody|tfoot|caption|colgroup))[\s>/]/i;
/** Start tags whose first line break the parser drops. */
const FIRST_BREAK_DROPPED = /^<(?:pre|textarea|listing)[\s>]/i;

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 12) return false;
  }
  return true;
}

/**
 * The writes that turn an element shown from markup `before` into `after` when the two differ only
 * in their text (the same tags, in the same order, and each text between two tags empty in both or
 * in neither: the same nodes): per text node, in document order, its new text, or null when
 * unchanged. Null when they differ otherwise, a new text holds an entity the renderer does not
 * write, or a changed text sits where the parser would not keep it as written (in a table outside
 * its cells, or a leading line break after <pre>). Relies on the renderer escaping every `<` of a
 * text (each one opens a tag).
 */
export function textChanges(before: string, after: string): (string | null)[] | null {
  const out: (string | null)[] = [];
  let a = 0;
  let b = 0;
  // Where the last tag of `after` began (-1: none yet).
  let lastTag = -1;
  for (;;) {
    let ta = before.indexOf('<', a);
    let tb = after.indexOf('<', b);
    if (ta === -1) ta = before.length;
    if (tb === -1) tb = after.length;
    if ((ta === a) !== (tb === b)) return null;
    if (ta > a) {
      if (ta - a === tb - b && sameChars(before, a, after, b, ta - a)) out.push(null);
      else {
        const text = after.slice(b, tb);
        if (!SIMPLE_TEXT.test(text)) return null;
        if (lastTag !== -1) {
          const tag = after.slice(lastTag, Math.min(lastTag + 12, b));
          if (TEXT_MOVED_AFTER.test(tag) && !(isBlank(before, a, ta) && isBlank(after, b, tb))) return null;
          if (FIRST_BREAK_DROPPED.test(tag) && (text.charCodeAt(0) === 10 || before.charCodeAt(a) === 10)) return null;
        }
        out.push(decode(text));
      }
    }
    if (ta === before.length || tb === after.length) return ta === before.length && tb === after.length ? out : null;
    const ea = before.indexOf('>', ta);
    const eb = after.indexOf('>', tb);
    if (ea === -1 || eb === -1 || ea - ta !== eb - tb || !sameChars(before, ta, after, tb, ea - ta)) return null;
    lastTag = tb;
    a = ea + 1;
    b = eb + 1;
  }
}


/**
 * The text nodes under `root` in document order (comments and elements are not texts), or null
 * when there are not `count` of them.
 */
export function textNodes(root: Node, count: number): Text[] | null {
  const out: Text[] = [];
  let node: Node | null = root.firstChild;
  while (node !== null) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (out.length === count) return null;
      out.push(node as Text);
    }
    let next: Node | null = node.nodeType === Node.ELEMENT_NODE ? node.firstChild : null;
    if (next === null) {
      for (let up: Node | null = node; up !== null && up !== root; up = up.parentNode) {
        if (up.nextSibling !== null) {
          next = up.nextSibling;
          break;
        }
      }
    }
    node = next;
  }
  return out.length === count ? out : null;
}

/** Characters of an element compared to pair it with its old self (a function section's name is within them). */
const LOOKS_CHARS = 160;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [A-Za-z0-9_-]: a digit after one of these is part of a name (fn-00042), not a figure. */
function isWordOrDash(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95 || c === 45;
}

/**
 * The child nodes of `node` in order, by a sibling walk (reading childNodes made Chromium build a
 * NodeList for every element patched: a third of the patch at 10,000 functions).
 */

/** Characters hashed at each end of a chunk by sketch. */
const SKETCH_CHARS = 64;

/** A hash of a chunk's length and ends: finds the old chunks that may have the same markup. */
function sketch(text: string, c: Chunk): number {
  let h = Math.imul(0x811c9dc5 ^ (c.to - c.from), 16777619);
  const head = Math.min(c.to, c.from + SKETCH_CHARS);
  for (let i = c.from; i < head; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  for (let i = Math.max(head, c.to - SKETCH_CHARS); i < c.to; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}

function childList(node: Node): Node[] {
  const out: Node[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

export class MarkupPatcher {
  private readonly range: Range;
  readonly stats: PatchStats = { parseMs: 0, parsedChars: 0, elements: 0, writes: 0 };

  constructor(
    private readonly doc: Document,
    private readonly before: MarkupTree,
    private readonly after: MarkupTree,
  ) {
    this.range = doc.createRange();
  }

  private parse(context: Node, markup: string): DocumentFragment {
    const began = performance.now();
    this.range.selectNodeContents(context);
    const fragment = this.range.createContextualFragment(markup);
    this.stats.parseMs += performance.now() - began;
    this.stats.parsedChars += markup.length;
    return fragment;
  }

  /** Replaces `node` with new element `n` parsed whole. */
  private replace(node: Node, n: number): Node {
    const parent = node.parentNode;
    if (parent === null) throw new Error('what-if: a patched element has no parent');
    const fragment = this.parse(parent, this.after.outer(n));
    const fresh = fragment.firstChild;
    // The parser made something else of it (misnested markup): the caller re-parses the parent.
    if (fresh === null || fresh.nextSibling !== null) throw new ShapeMismatch();
    parent.replaceChild(fresh, node);
    return fresh;
  }

  /**
   * Makes `node` (built from old element `o`) show new element `n`; returns the node now in its
   * place (`node` itself, or its replacement).
   */
  element(node: Node, o: number, n: number, changed = false): Node {
    const before = this.before;
    const after = this.after;
    if (!changed && sameRange(before.text, before.start[o] as number, before.end[o] as number, after.text, after.start[n] as number, after.end[n] as number)) return node;
    this.stats.elements++;
    const name = after.nameOf(n);
    if (
      name === COMMENT ||
      before.nameId[o] !== after.nameId[n] ||
      node.nodeType !== Node.ELEMENT_NODE ||
      !sameName((node as Element).localName, name)
    ) {
      return this.replace(node, n);
    }
    const element = node as Element;
    try {
      if (!sameRange(before.text, before.start[o] as number, before.openEnd[o] as number, after.text, after.start[n] as number, after.openEnd[n] as number)) {
        this.attributes(element, after.openTag(n), name);
      }
      if (!this.inPlace(element, o, n)) {
        const oldChildren = before.children(o);
        const nodes = childList(element);
        if (nodes.length !== oldChildren.length) throw new ShapeMismatch();
        this.children(element, nodes, oldChildren, after.children(n));
      }
    } catch (error) {
      if (!(error instanceof ShapeMismatch)) throw error;
      return this.replace(element, n);
    }
    return element;
  }

  /** Gives `element` the attributes of start tag `open`. */
  private attributes(element: Element, open: string, name: string): void {
    // Attributes in the renderer's form (name="escaped value"), without a namespace: set here.
    const body = open.slice(1 + name.length, open.endsWith('/>') ? -2 : -1);
    ATTRIBUTES.lastIndex = 0;
    const wanted = new Map<string, string>();
    let simple = true;
    // xmlns (an SVG chart's) is left as it is when unchanged: the parser puts it in its namespace.
    let xmlns: string | null = null;
    for (let m = ATTRIBUTES.exec(body); m !== null && simple; m = ATTRIBUTES.exec(body)) {
      const [, attr = '', value = ''] = m;
      if (attr.includes(':') || !SIMPLE_TEXT.test(value)) simple = false;
      else if (attr === 'xmlns') xmlns = decode(value);
      else wanted.set(attr, decode(value));
    }
    if (
      simple &&
      element.getAttribute('xmlns') === xmlns &&
      body.replace(ATTRIBUTES, '').trim() === '' &&
      Array.from(element.attributes).every((a) => a.namespaceURI === null || a.name === 'xmlns')
    ) {
      for (const attr of Array.from(element.attributes)) if (attr.name !== 'xmlns' && !wanted.has(attr.name)) element.removeAttribute(attr.name);
      for (const [attr, value] of wanted) {
        if (element.getAttribute(attr) === value) continue;
        element.setAttribute(attr, value);
        this.stats.writes++;
      }
      return;
    }
    const fragment = this.parse(element.parentNode ?? element, `${open}</${name}>`);
    const fresh = fragment.firstChild;
    if (fresh === null || fresh.nodeType !== Node.ELEMENT_NODE) throw new ShapeMismatch();
    const source = fresh as Element;
    for (const attr of Array.from(element.attributes)) {
      if (!source.hasAttributeNS(attr.namespaceURI, attr.localName)) element.removeAttributeNode(attr);
    }
    for (const attr of Array.from(source.attributes)) {
      if (element.getAttributeNS(attr.namespaceURI, attr.localName) !== attr.value) element.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
    }
  }

  /**
   * What pairs a changed element with its old self, as a hash: its tag and the first characters
   * of its content, numbers standing alone blanked (a rank, a dollar figure; not the digits of a
   * name such as fn-00042). The start tag is left out: a section's class follows its verdict.
   * Only a guide: a pair that hashes alike by chance is patched all the same (more writes, the
   * same result).
   */
  private looks(tree: MarkupTree, el: number, to: number): number {
    const text = tree.text;
    const name = tree.nameOf(el);
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 124, 16777619);
    const from = tree.openEnd[el] as number;
    const stop = Math.min(to, from + LOOKS_CHARS);
    let word = false;
    for (let i = from; i < stop; i++) {
      let c = text.charCodeAt(i);
      if (!word && isDigit(c)) {
        // A figure: digits, and any `.` or `,` followed by a digit.
        while (i + 1 < stop) {
          const d = text.charCodeAt(i + 1);
          if (isDigit(d)) i++;
          else if ((d === 46 || d === 44) && i + 2 < stop && isDigit(text.charCodeAt(i + 2))) i += 2;
          else break;
        }
        c = 35;
      }
      word = isWordOrDash(c);
      h = Math.imul(h ^ c, 16777619);
    }
    return h;
  }

  /**
   * The common case, patched without matching: as many children, each changed one the same
   * element with other figures or a text. A changed element is taken for the same one when it
   * looks alike (see looks), or when it is the only changed one that does not: the children
   * cannot have moved then (a move changes two places at least). False when they moved or changed
   * more than that; nothing is touched then. Reads the two trees' arrays and walks the DOM by
   * siblings, making no array per element (this runs for most of the ~18,000 elements a
   * re-sizing change walks at 10,000 functions). The changed children wait on the `pending`
   * stack between the check and the writes. Throws ShapeMismatch when the DOM does not hold the
   * old children (the caller parses the element again whole).
   */
  private inPlace(element: Element, o: number, n: number): boolean {
    const before = this.before;
    const after = this.after;
    const stopA = before.innerEnd[o] as number;
    const stopB = after.innerEnd[n] as number;
    const base = pendingTop;
    try {
      let co = o + 1;
      let cn = n + 1;
      let pa = before.openEnd[o] as number;
      let pb = after.openEnd[n] as number;
      let ordinal = 0;
      let unlike = 0;
      for (;;) {
        const hasA = co < before.count && (before.start[co] as number) < stopA;
        const hasB = cn < after.count && (after.start[cn] as number) < stopB;
        const sa = hasA ? (before.start[co] as number) : stopA;
        const sb = hasB ? (after.start[cn] as number) : stopB;
        // The text before the next child (or the end): in both or in neither.
        if (sa > pa !== sb > pb) return false;
        if (sa > pa) {
          if (!sameRange(before.text, pa, sa, after.text, pb, sb)) {
            if (!SIMPLE_TEXT.test(after.text.slice(pb, sb))) return false;
            pushPending(ordinal, -1, pb, sb);
          }
          ordinal++;
        }
        if (hasA !== hasB) return false;
        if (!hasA) break;
        const ea = before.end[co] as number;
        const eb = after.end[cn] as number;
        if (!sameRange(before.text, sa, ea, after.text, sb, eb)) {
          if (before.nameId[co] !== after.nameId[cn]) return false;
          if (this.looks(before, co, ea) !== this.looks(after, cn, eb) && ++unlike > 1) return false;
          pushPending(ordinal, co, cn, 0);
        }
        ordinal++;
        pa = ea;
        pb = eb;
        co = before.after[co] as number;
        cn = after.after[cn] as number;
      }
      // The writes, the DOM's children checked against the old ones as they are walked.
      const end = pendingTop;
      let k = base;
      let node = element.firstChild;
      co = o + 1;
      pa = before.openEnd[o] as number;
      ordinal = 0;
      for (;;) {
        const hasA = co < before.count && (before.start[co] as number) < stopA;
        const sa = hasA ? (before.start[co] as number) : stopA;
        if (sa > pa) {
          if (node === null || node.nodeType !== Node.TEXT_NODE) throw new ShapeMismatch();
          if (k < end && pending[k] === ordinal) {
            (node as Text).data = decode(after.text.slice(pending[k + 2] as number, pending[k + 3] as number));
            this.stats.writes++;
            k += 4;
          }
          node = node.nextSibling;
          ordinal++;
        }
        if (!hasA) break;
        if (node === null || (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.COMMENT_NODE)) throw new ShapeMismatch();
        // Taken first: a replaced child's sibling is the same node.
        const next: ChildNode | null = node.nextSibling;
        if (k < end && pending[k] === ordinal) {
          const oc = pending[k + 1] as number;
          const nc = pending[k + 2] as number;
          k += 4;
          this.element(node, oc, nc, true);
        }
        node = next;
        ordinal++;
        pa = before.end[co] as number;
        co = before.after[co] as number;
      }
      if (node !== null) throw new ShapeMismatch();
      return true;
    } finally {
      pendingTop = base;
    }
  }

  private chunkText(tree: MarkupTree, c: Chunk): string {
    return tree.text.slice(c.from, c.to);
  }

  /**
   * Brings `parent`'s child nodes (one per chunk of `oldChildren`) to `newChildren`: children with
   * the same markup are kept (moved if the order changed), the k-th changed old element is patched
   * into the k-th changed new one when their tags agree, and the rest is parsed in one go.
   */
  private children(parent: Element, nodes: Node[], oldChildren: Chunk[], newChildren: Chunk[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const isText = (oldChildren[i] as Chunk).el < 0;
      const type = (nodes[i] as Node).nodeType;
      if (isText ? type !== Node.TEXT_NODE : type !== Node.ELEMENT_NODE && type !== Node.COMMENT_NODE) throw new ShapeMismatch();
    }
    const source = new Array<number>(newChildren.length).fill(-1);
    const used = new Uint8Array(oldChildren.length);
    // Same position, same markup: the common case, no map needed.
    let unchanged = 0;
    const common = Math.min(oldChildren.length, newChildren.length);
    for (let i = 0; i < common; i++) {
      const a = oldChildren[i] as Chunk;
      const b = newChildren[i] as Chunk;
      if (a.to - a.from === b.to - b.from && this.chunkText(this.before, a) === this.chunkText(this.after, b)) {
        source[i] = i;
        used[i] = 1;
        unchanged++;
      }
    }
    if (unchanged === newChildren.length && unchanged === oldChildren.length) return;
    // Same markup elsewhere (a row that moved): matched in order. Keyed by a hash of its length
    // and ends (hashing whole rows, or strings of them, cost more than the rest), then compared whole.
    const pool = new Map<number, { at: number; list: number[] }>();
    for (let i = 0; i < oldChildren.length; i++) {
      if (used[i] === 1) continue;
      const key = sketch(this.before.text, oldChildren[i] as Chunk);
      const entry = pool.get(key);
      if (entry) entry.list.push(i);
      else pool.set(key, { at: 0, list: [i] });
    }
    for (let j = 0; j < newChildren.length && pool.size > 0; j++) {
      if (source[j] !== -1) continue;
      const b = newChildren[j] as Chunk;
      const entry = pool.get(sketch(this.after.text, b));
      if (entry === undefined) continue;
      const { list } = entry;
      while (entry.at < list.length && used[list[entry.at] as number] === 1) entry.at++;
      const text = this.chunkText(this.after, b);
      for (let at = entry.at; at < list.length; at++) {
        const i = list[at] as number;
        const a = oldChildren[i] as Chunk;
        if (used[i] === 1 || a.to - a.from !== b.to - b.from || this.chunkText(this.before, a) !== text) continue;
        source[j] = i;
        used[i] = 1;
        break;
      }
    }
    const result = new Array<Node | null>(newChildren.length).fill(null);
    for (let j = 0; j < newChildren.length; j++) if (source[j] !== -1) result[j] = nodes[source[j] as number] as Node;
    // Changed elements are patched into a changed old one rather than parsed: first the one that
    // looks alike (same start but for its numbers: the same function at another rank, whose ids
    // and figures moved), then the k-th left over on each side when their tags agree.
    const pair = new Array<number>(newChildren.length).fill(-1);
    const alike = new Map<number, { at: number; list: number[] }>();
    for (let i = 0; i < oldChildren.length; i++) {
      const a = oldChildren[i] as Chunk;
      if (used[i] === 1 || a.el < 0) continue;
      const key = this.looks(this.before, a.el, a.to);
      const entry = alike.get(key);
      if (entry) entry.list.push(i);
      else alike.set(key, { at: 0, list: [i] });
    }
    for (let j = 0; j < newChildren.length; j++) {
      const b = newChildren[j] as Chunk;
      if (source[j] !== -1 || b.el < 0 || alike.size === 0) continue;
      const entry = alike.get(this.looks(this.after, b.el, b.to));
      if (entry === undefined || entry.at >= entry.list.length) continue;
      const i = entry.list[entry.at++] as number;
      pair[j] = i;
      used[i] = 1;
    }
    const leftOld: number[] = [];
    for (let i = 0; i < oldChildren.length; i++) if (used[i] === 0 && (oldChildren[i] as Chunk).el >= 0) leftOld.push(i);
    let k = 0;
    for (let j = 0; j < newChildren.length; j++) {
      const b = newChildren[j] as Chunk;
      if (source[j] !== -1 || pair[j] !== -1 || b.el < 0) continue;
      const i = leftOld[k];
      if (i !== undefined && this.before.nameId[(oldChildren[i] as Chunk).el] === this.after.nameId[b.el]) {
        k++;
        used[i] = 1;
        pair[j] = i;
      }
    }
    // Changed text: the k-th left over old text node takes the k-th new text (a figure in a cell).
    const leftText: number[] = [];
    for (let i = 0; i < oldChildren.length; i++) if (used[i] === 0 && (oldChildren[i] as Chunk).el < 0) leftText.push(i);
    let t = 0;
    const toParse: number[] = [];
    for (let j = 0; j < newChildren.length; j++) {
      if (source[j] !== -1) continue;
      const b = newChildren[j] as Chunk;
      const i = pair[j] as number;
      if (i !== -1) {
        source[j] = i;
        result[j] = this.element(nodes[i] as Node, (oldChildren[i] as Chunk).el, b.el);
      } else if (b.el < 0) {
        const text = this.chunkText(this.after, b);
        if (!SIMPLE_TEXT.test(text)) toParse.push(j);
        else if (t < leftText.length) {
          const reused = leftText[t++] as number;
          used[reused] = 1;
          source[j] = reused;
          const node = nodes[reused] as Text;
          node.data = decode(text);
          this.stats.writes++;
          result[j] = node;
        } else result[j] = this.doc.createTextNode(decode(text));
      } else toParse.push(j);
    }
    if (toParse.length > 0) {
      const markup = toParse.map((j) => this.chunkText(this.after, newChildren[j] as Chunk)).join(`<!--${SEPARATOR}-->`);
      const parsed = Array.from(this.parse(parent, markup).childNodes).filter(
        (x) => !(x.nodeType === Node.COMMENT_NODE && (x as Comment).data === SEPARATOR),
      );
      if (parsed.length !== toParse.length) throw new ShapeMismatch();
      toParse.forEach((j, i) => (result[j] = parsed[i] as Node));
    }
    for (let i = 0; i < nodes.length; i++) if (used[i] === 0) (nodes[i] as ChildNode).remove();
    // Keep in place the longest run of reused nodes already in order; insert or move the rest.
    const keep = longestIncreasing(source);
    let ref: Node | null = null;
    for (let j = newChildren.length - 1; j >= 0; j--) {
      const node = result[j] as Node;
      if (keep[j] !== 1 || node.parentNode !== parent) {
        parent.insertBefore(node, ref);
        this.stats.writes++;
      }
      ref = node;
    }
  }
}

/**
 * Flags (1) the positions j of a longest strictly increasing subsequence of `source`, among the
 * positions with source[j] >= 0 (the others are never flagged). O(n log n) (patience sorting).
 */
export function longestIncreasing(source: ArrayLike<number>): Uint8Array {
  const n = source.length;
  const keep = new Uint8Array(n);
  const tails = new Int32Array(n);
  const previous = new Int32Array(n).fill(-1);
  let length = 0;
  for (let j = 0; j < n; j++) {
    const v = source[j] as number;
    if (v < 0) continue;
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((source[tails[mid] as number] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[j] = tails[lo - 1] as number;
    tails[lo] = j;
    if (lo === length) length++;
  }
  for (let j = length > 0 ? (tails[length - 1] as number) : -1; j >= 0; j = previous[j] as number) keep[j] = 1;
  return keep;
}
