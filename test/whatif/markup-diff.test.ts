import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearRenderMemo, renderHtml } from '../../src/render/html.js';
import { MarkupTree, TAG, textChanges } from '../../src/whatif/markup-diff.js';
import { loadSample, type Sample } from './sample.js';

// The element tree markup-diff.ts cuts a rendered report into; the DOM patch itself is checked in
// headless Chromium (page-chromium.test.ts: the patched DOM equals the CLI page's, node for node).

/** Every element's children, put back together, give its content exactly. */
function expectChildrenCoverContent(tree: MarkupTree): void {
  for (let k = 0; k < tree.count; k++) {
    const inner = tree.text.slice(tree.openEnd[k], tree.innerEnd[k]);
    const joined = tree.children(k).map((c) => tree.text.slice(c.from, c.to)).join('');
    expect(joined).toBe(inner);
  }
}

describe('MarkupTree', () => {
  it('cuts markup into elements, void and self-closing ones included', () => {
    // Prepare
    const html = '<p>before</p><div class="page"><header>a &amp; b</header>\n<main><table><tbody><tr><td class="num">1</td></tr>\n</tbody></table><svg><path d="M0 0"/><title>t</title></svg><br>x<!-- c --></main></div>';

    // Act
    const tree = new MarkupTree(html, html.indexOf('<div class="page">'));

    // Assess
    expect(tree.name).toEqual(['div', 'header', 'main', 'table', 'tbody', 'tr', 'td', 'svg', 'path', 'title', 'br', '#comment']);
    expect(tree.outer(0)).toBe(html.slice(html.indexOf('<div class="page">')));
    expect(tree.children(0).map((c) => (c.el >= 0 ? tree.name[c.el] : html.slice(c.from, c.to)))).toEqual(['header', '\n', 'main']);
    expect(tree.children(tree.child(0, 'main')).map((c) => (c.el >= 0 ? tree.name[c.el] : html.slice(c.from, c.to)))).toEqual(['table', 'svg', 'br', 'x', '#comment']);
    expect(tree.outer(5)).toBe('<tr><td class="num">1</td></tr>');
    expect(tree.outer(8)).toBe('<path d="M0 0"/>');
    expect(tree.openTag(6)).toBe('<td class="num">');
    expectChildrenCoverContent(tree);
  });

  it('closes elements left open where their parent ends', () => {
    // Act
    const tree = new MarkupTree('<ul><li>one<li>two</ul><p>after</p>');

    // Assess
    expect(tree.name).toEqual(['ul', 'li', 'li', 'p']);
    expect(tree.outer(0)).toBe('<ul><li>one<li>two</ul>');
    expect(tree.outer(2)).toBe('<li>two');
    expect(tree.outer(3)).toBe('<p>after</p>');
  });

  it('reads tags as the TAG regex does, odd markup included', () => {
    // Prepare: quoted `>` and `<`, an open quote, `<` not opening a tag, comments, an unclosed comment.
    const html =
      '<div a="x>y" b=\'<p>\'><p>1 < 2</p><br/><!-- a <b> --><svg><path d="M0 0"/></svg>< p><3<a-b c>t</a-b><i title="open>x</i></div><!-- open';

    // Act
    const tree = new MarkupTree(html);

    // Assess: every start tag and comment TAG finds, and only those, in order.
    const expected: [number, string][] = [];
    for (const m of html.matchAll(new RegExp(TAG.source, 'g'))) if (m[1] !== '/') expected.push([m.index, m[2] ?? '#comment']);
    expect(Array.from({ length: tree.count }, (_, k) => [tree.start[k], tree.name[k]])).toEqual(expected);
    expect(tree.name).toEqual(['div', 'p', 'br', '#comment', 'svg', 'path', 'a-b']);
    expect(tree.outer(0)).toBe(html.slice(0, html.indexOf('<!-- open')));
  });

  describe('on the sample report', () => {
    let sample: Sample;
    beforeAll(async () => {
      sample = await loadSample();
    });

    it('renders the same bytes from charts kept from earlier renders as from scratch', async () => {
      // Prepare: reports whose charts differ (another headroom re-sizes every function), rendered in turn.
      const other = await sample.analyze({ 'lmi.headroom': 1.6, 'lmi.discount': 0.25 });
      clearRenderMemo();
      const coldBase = renderHtml(sample.base);
      clearRenderMemo();
      const coldOther = renderHtml(other);

      // Act
      clearRenderMemo();
      const warm = [renderHtml(sample.base), renderHtml(other), renderHtml(sample.base), renderHtml(sample.base), renderHtml(other)];

      // Assess
      expect(coldOther).not.toBe(coldBase);
      expect(coldBase.match(/<svg class="chart"/g)?.length ?? 0).toBeGreaterThan(3);
      expect(warm).toEqual([coldBase, coldOther, coldBase, coldBase, coldOther]);
    });

    it('finds every element of the rendered page, each closed by its own end tag', () => {
      // Prepare
      const html = renderHtml(sample.base);

      // Act
      const tree = new MarkupTree(html, html.indexOf('<div class="page">'));

      // Assess
      expect(tree.children(0).filter((c) => c.el >= 0).map((c) => tree.name[c.el])).toEqual(['header', 'main', 'footer']);
      const tags = html.slice(html.indexOf('<div class="page">')).match(/<[A-Za-z][A-Za-z0-9-]*/g) ?? [];
      expect(tree.count).toBe(tags.length);
      for (let k = 0; k < tree.count; k++) {
        const outer = tree.outer(k);
        const name = tree.name[k] as string;
        expect(outer.startsWith(`<${name}`)).toBe(true);
        if (tree.end[k] !== tree.openEnd[k]) expect(outer.endsWith(`</${name}>`), outer.slice(0, 80)).toBe(true);
      }
      expect(tree.count).toBeGreaterThan(1000);
      expectChildrenCoverContent(tree);
    });
  });
});

describe('MarkupTree on random markup', () => {
  /** Markup from tokens that open, close, misnest, cut and quote tags. */
  const markup = fc
    .array(
      fc.constantFrom('<p>', '</p>', '<div a="x>y">', '</div>', '<br>', '<svg><path d="M0 0"/></svg>', 'text', '<', '<3', '</', '<!-- c -->', '<!--', '-->', '<i title="open', '"', "'", '>', '<ul>', '<li>', '</ul>', '<a-b c>', '</a-b>', '\n'),
      { maxLength: 40 },
    )
    .map((tokens) => tokens.join(''));

  it('finds the start tags and comments the TAG regex finds, and each element\'s children cover its content', () => {
    fc.assert(
      fc.property(markup, fc.nat(3), (text, from) => {
        const start = Math.min(from, text.length);
        const tree = new MarkupTree(text, start);
        const expected: [number, string][] = [];
        const tag = new RegExp(TAG.source, 'g');
        tag.lastIndex = text.indexOf('<', start) === -1 ? text.length : text.indexOf('<', start);
        for (let m = tag.exec(text); m !== null; m = tag.exec(text)) if (m[1] !== '/') expected.push([m.index, m[2] ?? '#comment']);
        expect(Array.from({ length: tree.count }, (_, k) => [tree.start[k], tree.name[k]])).toEqual(expected);
        for (let k = 0; k < tree.count; k++) {
          expect(tree.openEnd[k]).toBeLessThanOrEqual(tree.innerEnd[k] as number);
          expect(tree.innerEnd[k]).toBeLessThanOrEqual(tree.end[k] as number);
          expect(tree.after[k]).toBeGreaterThan(k);
        }
        expectChildrenCoverContent(tree);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('textChanges (texts rewritten in place, as the parser would keep them)', () => {
  it('gives the new text of each text node, unchanged ones null', () => {
    // Act
    const changes = textChanges(
      '<article id="fn-1">\n<h3>1. a</h3>\n<table><tbody>\n<tr><td>Total</td><td class="num">$1.00</td></tr>\n</tbody></table><pre><code>aws x</code></pre></article>',
      '<article id="fn-1">\n<h3>1. a</h3>\n<table><tbody>\n<tr><td>Total</td><td class="num">$2.50</td></tr>\n</tbody></table><pre><code>aws y</code></pre></article>',
    );

    // Assess
    expect(changes).toEqual([null, null, null, null, null, '$2.50', null, 'aws y']);
  });

  it('is null when a changed text sits where the parser would not keep it as written', () => {
    // Assess: in a table outside its cells (the parser moves it before the table)
    expect(textChanges('<table><tbody>\n<tr><td>a</td></tr></tbody></table>', '<table><tbody>x<tr><td>a</td></tr></tbody></table>')).toBeNull();
    expect(textChanges('<table><tr><td>a</td>b</tr></table>', '<table><tr><td>a</td>c</tr></table>')).toBeNull();
    // a line break first in a <pre> (the parser drops it)
    expect(textChanges('<pre>a</pre>', '<pre>\nb</pre>')).toBeNull();
    expect(textChanges('<pre>\na</pre>', '<pre>\nb</pre>')).toBeNull();
    // while blank texts there, and texts in cells, are kept
    expect(textChanges('<table><tbody>\n<tr><td>a</td></tr></tbody></table>', '<table><tbody>\n<tr><td>b</td></tr></tbody></table>')).toEqual([null, 'b']);
    expect(textChanges('<pre><code>a</code></pre>', '<pre><code>\nb</code></pre>')).toEqual(['\nb']);
  });
});
