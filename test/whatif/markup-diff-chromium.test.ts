import { join } from 'node:path';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/render/templates.js';
import { chromiumPath, pageWithModule } from '../helpers/browser.js';

// MarkupPatcher (the what-if page's DOM update) in headless Chromium, on random markup of the
// renderer's kind: after a patch from markup A to markup B, the DOM equals B parsed from scratch,
// node for node, whatever changed (texts, attributes, children added, removed, moved, retagged).

const browserPath = chromiumPath();

/** An element or a text, as the renderer writes them (values escaped as Handlebars does). */
type Tree = { tag: string; attrs: [string, string][]; children: Tree[] } | { text: string };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
const escape = (s: string): string => s.replace(/[&<>"'`=]/g, (c) => ESCAPES[c] ?? c);

function markup(t: Tree): string {
  if ('text' in t) return escape(t.text);
  const attrs = t.attrs.map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
  if (t.tag === 'path') return `<path${attrs}/>`;
  return `<${t.tag}${attrs}>${t.children.map(markup).join('')}</${t.tag}>`;
}

const TEXTS = ['LMI saves $1,234.56 / month', '$0.00', '12.5 %', 'a & b', '<not a tag>', 'x "q" \'y\' = `z`', ' ', '\n', 'é ünï', 'Review', 'Migrate', '3 / 47.6 / 51'];
const text = fc.constantFrom(...TEXTS).map((t): Tree => ({ text: t }));
const cls = fc.constantFrom('num', 'name', 'verdict-migrate', 'verdict-review', 'badge review', 'meta');
const attrs = fc.array(fc.tuple(fc.constantFrom('class', 'id', 'data-label', 'title'), fc.oneof(cls, fc.constantFrom('fn-us-east-1/a', 'cp-x', 'a=b "c"'))), { maxLength: 2 }).map((list) => [...new Map(list)]);

/** Markup whose nesting the parser keeps as written (tables with their tbody, no p in p). */
const tree: fc.Arbitrary<Tree> = fc.letrec<{ block: Tree; inline: Tree; row: Tree; svg: Tree }>((tie) => ({
  inline: fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 1, arbitrary: fc.record({ tag: fc.constantFrom('span', 'code', 'a', 'em'), attrs, children: fc.array(text, { maxLength: 2 }) }) },
  ),
  row: fc.record({
    tag: fc.constant('tr'),
    attrs,
    children: fc.array(fc.record({ tag: fc.constantFrom('td', 'th'), attrs, children: fc.array(tie('inline'), { maxLength: 2 }) }), { minLength: 1, maxLength: 4 }),
  }),
  svg: fc.record({
    tag: fc.constant('svg'),
    attrs: fc.constant([['class', 'chart']] as [string, string][]),
    children: fc.array(
      fc.oneof(
        fc.record({ tag: fc.constant('path'), attrs: fc.constantFrom('M0 0h1v2z', 'M0 0h1v3z', 'M1 0V4H2').map((d): [string, string][] => [['d', d]]), children: fc.constant([] as Tree[]) }),
        fc.record({ tag: fc.constant('text'), attrs: fc.constant([] as [string, string][]), children: fc.array(text, { maxLength: 1 }) }),
      ),
      { maxLength: 4 },
    ),
  }),
  block: fc.oneof(
    // At the depth limit, the first: a text.
    { maxDepth: 4, depthIdentifier: 'block', withCrossShrink: true },
    { weight: 1, arbitrary: text },
    { weight: 3, arbitrary: fc.record({ tag: fc.constantFrom('div', 'section', 'article'), attrs, children: fc.array(tie('block'), { maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ tag: fc.constantFrom('p', 'h3', 'li'), attrs, children: fc.array(tie('inline'), { maxLength: 3 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        tag: fc.constant('table'),
        attrs,
        children: fc.array(tie('row'), { maxLength: 4 }).map((rows): Tree[] => [{ tag: 'tbody', attrs: [], children: rows }]),
      }),
    },
    { weight: 1, arbitrary: fc.record({ tag: fc.constant('pre'), attrs: fc.constant([] as [string, string][]), children: fc.array(text, { maxLength: 1 }).map((t): Tree[] => [{ tag: 'code', attrs: [], children: t }]) }) },
    { weight: 1, arbitrary: tie('svg') },
  ),
})).block.map((b): Tree => ({ tag: 'div', attrs: [['class', 'page']], children: [b] }));

/** A small seeded generator (the changes below pick with it). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/**
 * Tree `t` changed at random: figures only (texts and attribute values, the same shape: what a
 * discount does) when `shapeKept`, else also children dropped, repeated, swapped or retagged.
 */
function changed(t: Tree, next: () => number, shapeKept: boolean): Tree {
  if ('text' in t) return next() < 0.3 ? { text: TEXTS[Math.floor(next() * TEXTS.length)] as string } : t;
  const attrs = t.attrs.map(([k, v]): [string, string] => [k, next() < 0.2 ? `${v}2` : v]);
  let children = t.children.map((c) => changed(c, next, shapeKept));
  if (!shapeKept && children.length > 0 && !['table', 'pre', 'tr'].includes(t.tag)) {
    const r = next();
    const i = Math.floor(next() * children.length);
    const j = Math.floor(next() * children.length);
    if (r < 0.15) children = children.filter((_, k) => k !== i);
    else if (r < 0.3) children = [...children.slice(0, i), children[j] as Tree, ...children.slice(i)];
    else if (r < 0.45) {
      const copy = [...children];
      [copy[i], copy[j]] = [copy[j] as Tree, copy[i] as Tree];
      children = copy;
    } else if (r < 0.5) {
      const c = children[i] as Tree;
      if ('tag' in c && ['div', 'section', 'article'].includes(c.tag)) children[i] = { ...c, tag: c.tag === 'div' ? 'section' : 'div' };
    }
  }
  return { ...t, attrs, children };
}

const scenario = fc.tuple(tree, fc.array(fc.tuple(fc.integer({ min: 1 }), fc.boolean()), { minLength: 1, maxLength: 4 })).map(([start, changes]) => {
  const steps: { html: string; shapeKept: boolean }[] = [];
  let t = start;
  for (const [seed, shapeKept] of changes) {
    t = changed(t, random(seed), shapeKept);
    steps.push({ html: markup(t), shapeKept });
  }
  return { start: markup(start), steps };
});

describe.skipIf(browserPath === null)('MarkupPatcher in headless Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ browser, page } = await pageWithModule(browserPath ?? '', join(packageRoot(), 'src', 'whatif', 'markup-diff.ts'), 'MarkupDiff', '<div id="holder"></div>'));
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Per step: whether the patched DOM equals the step's markup parsed, and what the patch did. */
  async function run(start: string, steps: { html: string }[]) {
    return page.evaluate(
      ({ start, steps }) => {
        type MarkupDiffModule = typeof import('../../src/whatif/markup-diff.js');
        const { MarkupPatcher, MarkupTree } = (window as unknown as { MarkupDiff: MarkupDiffModule }).MarkupDiff;
        const holder = document.getElementById('holder') as HTMLElement;
        holder.innerHTML = start;
        let before = new MarkupTree(start);
        return steps.map(({ html }) => {
          const after = new MarkupTree(html);
          const patcher = new MarkupPatcher(document, before, after);
          patcher.element(holder.firstChild as Node, 0, 0);
          before = after;
          const expected = document.createElement('div');
          expected.innerHTML = html;
          return { equal: holder.childNodes.length === 1 && holder.firstChild !== null && holder.firstChild.isEqualNode(expected.firstChild), html: holder.innerHTML, stats: { ...patcher.stats } };
        });
      },
      { start, steps },
    );
  }

  it('brings the DOM to the new markup, node for node, parsing nothing when only figures changed', async () => {
    // Prepare
    const cases = fc.sample(scenario, { numRuns: 300, seed: 20261202 });
    const total = { writes: 0, parsed: 0, elements: 0, figureSteps: 0 };

    for (const { start, steps } of cases) {
      // Act
      const results = await run(start, steps);

      // Assess
      results.forEach((r, k) => {
        const step = steps[k] as (typeof steps)[number];
        const where = JSON.stringify({ start, steps: steps.slice(0, k + 1), got: r.html });
        expect(r.equal, where).toBe(true);
        if (step.shapeKept) {
          expect(r.stats.parsedChars, where).toBe(0);
          total.figureSteps++;
        }
        total.writes += r.stats.writes;
        total.parsed += r.stats.parsedChars;
        total.elements += r.stats.elements;
      });
    }
    // The cases wrote texts and attributes in place, and parsed changed shapes.
    expect(total.figureSteps).toBeGreaterThan(100);
    expect(total.writes).toBeGreaterThan(300);
    expect(total.parsed).toBeGreaterThan(1000);
  }, 300_000);
});
