import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml, renderHtmlWithoutSummaryRows } from '../../src/render/html.js';
import { htmlEngine, summaryRowHtml, summaryRowTexts } from '../../src/render/templates.js';
import { buildView, summaryRow } from '../../src/render/view-model.js';
import { longestIncreasing } from '../../src/whatif/markup-diff.js';
import { placeRows, planRows, rowsFromMarkup, textChanges } from '../../src/whatif/table-rows.js';
import type { KnobValues } from '../../src/whatif/knobs.js';
import { loadSample, type Sample } from './sample.js';

// The planning of the keyed "Other functions" table (the DOM side is checked in headless Chromium:
// page-chromium.test.ts compares the patched page with the CLI's, node for node).

/** Length of a longest strictly increasing subsequence of the values >= 0, by trying every subset. */
function bruteLis(values: number[]): number {
  const at = values.flatMap((v, j) => (v >= 0 ? [j] : []));
  let best = 0;
  for (let mask = 0; mask < 1 << at.length; mask++) {
    let last = -Infinity;
    let length = 0;
    let increasing = true;
    for (let b = 0; b < at.length && increasing; b++) {
      if ((mask & (1 << b)) === 0) continue;
      const v = values[at[b] as number] as number;
      if (v <= last) increasing = false;
      last = v;
      length++;
    }
    if (increasing) best = Math.max(best, length);
  }
  return best;
}

/** Fewest single moves (take one item, put it anywhere) that sort `order`, by breadth-first search. */
function bruteFewestMoves(order: number[]): number {
  const goal = [...order].sort((a, b) => a - b).join(',');
  let frontier = [order];
  const seen = new Set([order.join(',')]);
  for (let moves = 0; ; moves++) {
    const next: number[][] = [];
    for (const list of frontier) {
      if (list.join(',') === goal) return moves;
      for (let from = 0; from < list.length; from++) {
        const rest = list.filter((_, k) => k !== from);
        for (let to = 0; to <= rest.length; to++) {
          const moved = [...rest.slice(0, to), list[from] as number, ...rest.slice(to)];
          const key = moved.join(',');
          if (!seen.has(key)) {
            seen.add(key);
            next.push(moved);
          }
        }
      }
    }
    frontier = next;
  }
}

/** Rows: key and markup. Few keys and markups, so rows repeat, change and move. */
const rows = (max: number) =>
  fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), html: fc.constantFrom('<tr>1</tr>', '<tr>2</tr>', '<tr>3</tr>') }), { maxLength: max });

/** In these tests, a row can be rewritten in place into or from markup 3 (the page asks textChanges). */
const patchable = (a: string, b: string): boolean => a === '<tr>3</tr>' || b === '<tr>3</tr>';

/** Applies the plan to a list of named items as placeRows writes it, counting the inserts. */
function applied(oldRows: { key: string; html: string }[], newRows: { key: string; html: string }[]) {
  const plan = planRows(
    oldRows.map((r) => r.key),
    oldRows.map((r) => r.html),
    newRows.map((r) => r.key),
    newRows.map((r) => r.html),
    (i, j) => patchable(oldRows[i]?.html ?? '', newRows[j]?.html ?? ''),
  );
  const oldNodes = oldRows.map((r, i) => ({ ...r, id: `old${i}` }));
  const parsed = newRows.map((r, j) => ({ ...r, id: `new${j}` }));
  const list = [...oldNodes];
  let inserts = 0;
  let removes = 0;
  placeRows(plan, oldNodes, parsed, {
    remove(row) {
      list.splice(list.indexOf(row), 1);
      removes++;
    },
    insertBefore(row, ref) {
      const at = list.indexOf(row);
      if (at !== -1) list.splice(at, 1);
      list.splice(ref === null ? list.length : list.indexOf(ref), 0, row);
      inserts++;
    },
  });
  return { plan, list, inserts, removes };
}

describe('longestIncreasing', () => {
  it('flags a strictly increasing run of the kept positions, as long as any (brute force over subsets)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 9 }), { maxLength: 12 }), (values) => {
        // Act
        const keep = longestIncreasing(values);

        // Assess
        const flagged = values.filter((_, j) => keep[j] === 1);
        expect(values.every((v, j) => v >= 0 || keep[j] === 0)).toBe(true);
        expect(flagged.every((v, k) => k === 0 || v > (flagged[k - 1] as number))).toBe(true);
        expect(flagged.length).toBe(bruteLis(values));
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('planRows and placeRows', () => {
  it('turn the old rows into the new ones, keeping every row whose key is unchanged and markup equal or patchable, with the fewest moves', () => {
    fc.assert(
      fc.property(rows(7), rows(7), (oldRows, newRows) => {
        // Act
        const { plan, list, inserts, removes } = applied(oldRows, newRows);

        // Assess: the list now holds the new rows' nodes in order (a patched node gets its new markup from the page)
        expect(list.map((r) => r.key)).toEqual(newRows.map((r) => r.key));
        list.forEach((r, j) => expect(r.html === newRows[j]?.html || plan.patched[j] === 1).toBe(true));
        // Each kept row is the old row of the same key (k-th of its key with the k-th) with the same markup.
        const oldByKey = (key: string) => oldRows.flatMap((r, i) => (r.key === key ? [i] : []));
        newRows.forEach((r, j) => {
          const k = newRows.slice(0, j).filter((x) => x.key === r.key).length;
          const i = oldByKey(r.key)[k];
          const same = i !== undefined && oldRows[i]?.html === r.html;
          const keep = i !== undefined && (same || patchable(oldRows[i]?.html ?? '', r.html));
          expect(plan.source[j]).toBe(keep ? i : -1);
          expect(plan.patched[j]).toBe(keep && !same ? 1 : 0);
          expect(list[j]?.id).toBe(keep ? `old${i}` : `new${j}`);
        });
        // Only the kept rows off the longest in-order run move; that many moves is the fewest possible.
        const keptOrder = Array.from(plan.source).filter((i) => i >= 0);
        expect(plan.moved).toBe(bruteFewestMoves(keptOrder));
        expect(inserts).toBe(plan.moved + plan.parsed);
        expect(removes).toBe(plan.removed);
        expect(plan.kept + plan.patchedCount + plan.parsed).toBe(newRows.length);
        expect(plan.kept + plan.patchedCount + plan.removed).toBe(oldRows.length);
      }),
      { numRuns: 400, seed: 20261201 },
    );
  });

  it('keeps every node when nothing changed, and moves one row that changed place', () => {
    // Prepare
    const same = ['a', 'b', 'c', 'd'].map((key) => ({ key, html: `<tr>${key}</tr>` }));
    const [a, b, c, d] = same as [typeof same[0], typeof same[0], typeof same[0], typeof same[0]];

    // Act
    const unchanged = applied(same, same);
    const moved = applied(same, [b, c, a, d]);

    // Assess
    expect([unchanged.inserts, unchanged.removes, unchanged.plan.kept]).toEqual([0, 0, 4]);
    expect([moved.inserts, moved.plan.moved, moved.plan.parsed]).toEqual([1, 1, 0]);
    expect(moved.list.map((r) => r.id)).toEqual(['old1', 'old2', 'old0', 'old3']);
  });
});

describe('textChanges', () => {
  it('gives the new text of each text node when only the text differs, decoded as the parser does', () => {
    // Act
    const changes = textChanges('<tr><td class="num">$1.00</td><td>a <code>x</code> b</td></tr>', '<tr><td class="num">$2.00</td><td>a <code>x</code> b &amp; c&#x3D;</td></tr>');

    // Assess
    expect(changes).toEqual(['$2.00', null, null, ' b & c=']);
  });

  it('is null when the tags differ, or a text appears or goes (other nodes)', () => {
    // Assess
    expect(textChanges('<tr><td>a</td></tr>', '<tr><td class="num">a</td></tr>')).toBeNull();
    expect(textChanges('<tr><td>a</td></tr>', '<tr><td>a <code>x</code></td></tr>')).toBeNull();
    expect(textChanges('<tr><td>a</td></tr>', '<tr><td></td></tr>')).toBeNull();
    expect(textChanges('<tr><td></td></tr>', '<tr><td>a</td></tr>')).toBeNull();
    expect(textChanges('<tr><td>a</td></tr>', '<tr><td>a</td></tr><tr>')).toBeNull();
  });

  it('is null when a new text holds an entity the renderer does not write', () => {
    // Assess
    expect(textChanges('<tr><td>a</td></tr>', '<tr><td>&nbsp;</td></tr>')).toBeNull();
  });
});

describe('summaryRowTexts (the page reads a row without writing its markup)', () => {
  const value = fc.constantFrom('', 'a', 'b & c', '<img src=x>', '`code` span', 'x "q" \'y\' = z', '  ', 'é ünï', 'LMI `$1.00` vs `$2.00`', '`a``b`', 'a`b', '&amp;', 'line\nbreak', 'cr\r\nlf', '=`>');
  const row = fc.record({ name: value, region: value, runtime: value, recommendationLabel: value, standardTotal: value, invocations: value, reason: value });

  it('gives the texts the table step reads from the row the CLI writes, and shapes that agree with the markup', () => {
    const { hb } = htmlEngine();
    fc.assert(
      fc.property(row, row, (a, b) => {
        // Act
        const [fastA, fastB] = [summaryRowTexts(a), summaryRowTexts(b)];
        const read = rowsFromMarkup(['a', 'b'], [summaryRowHtml(hb, a), summaryRowHtml(hb, b)]);

        // Assess: the same texts; two rows of one shape exactly when their markup has one shape
        // (a shape with `!` is never rewritten in place, so only its own texts matter)
        for (const [fast, k] of [[fastA, 0], [fastB, 1]] as const) {
          if (fast.shape.startsWith('!')) expect(read.shapes[k]?.startsWith('!')).toBe(true);
          else expect(read.texts[k]).toEqual(fast.texts);
        }
        if (!fastA.shape.startsWith('!') && !fastB.shape.startsWith('!')) expect(fastA.shape === fastB.shape).toBe(read.shapes[0] === read.shapes[1]);
      }),
      { numRuns: 4000, seed: 7 },
    );
  });

  it('agrees on every row of the sample report', async () => {
    // Prepare
    const sample = await loadSample();
    const { hb } = htmlEngine();
    const summary = renderHtmlWithoutSummaryRows(sample.base).summary.map(summaryRow);
    expect(summary.length).toBeGreaterThan(1);
    const read = rowsFromMarkup(summary.map((_, j) => String(j)), summary.map((r) => summaryRowHtml(hb, r)));
    const fast = summary.map((r) => summaryRowTexts(r));

    // Assess
    fast.forEach((f, j) => {
      expect(read.texts[j]).toEqual(f.texts);
      for (let k = 0; k < j; k++) expect(f.shape === fast[k]?.shape).toBe(read.shapes[j] === read.shapes[k]);
    });
  });
});

describe('renderHtmlWithoutSummaryRows', () => {
  let sample: Sample;

  beforeAll(async () => {
    sample = await loadSample();
  });

  /** The page's markup with each row written back after the table's first line break, as the page's DOM holds them. */
  function withRows(model: Sample['base']) {
    const { html, summary: functions } = renderHtmlWithoutSummaryRows(model);
    const summary = functions.map(summaryRow);
    const { hb } = htmlEngine();
    const empty = '<tbody>\n</tbody>';
    const at = html.indexOf(empty, html.indexOf('<section id="others"'));
    const filled = at === -1 ? html : `${html.slice(0, at)}<tbody>\n${summary.map((r) => `${summaryRowHtml(hb, r)}\n`).join('')}</tbody>${html.slice(at + empty.length)}`;
    return { html, filled, cli: renderHtml(model), summary, at };
  }

  it("is the CLI's report.html but for the summary rows, which the row writer gives back byte for byte", async () => {
    // Act
    const base = withRows(await sample.analyze({ 'lmi.discount': 0.3 }));

    // Assess
    expect(base.summary.length).toBeGreaterThan(0);
    expect(base.at).toBeGreaterThan(0);
    expect(base.filled).toBe(base.cli);
  });

  it('gives the functions of the table in its order, whose rows (summaryRow) are the rows the CLI builds', async () => {
    for (const values of [{}, { 'lmi.discount': 0.3 }, { 'recommend.minSavingsPct': 20, 'lmi.headroom': 1.5 }] as KnobValues[]) {
      // Act
      const model = await sample.analyze(values);
      const { summary: functions } = renderHtmlWithoutSummaryRows(model);
      const sliced = buildView(model, { summaryRows: false });

      // Assess
      expect(functions.map(summaryRow)).toEqual(buildView(model).summary);
      expect(sliced.summary).toEqual([]);
      expect(sliced.summaryFunctions).toEqual(functions);
    }
  });

  it('writes the plans in the range asked, each as the CLI writes it, and names every plan', async () => {
    // Prepare: a setting with several plans
    const model = await sample.analyze({ 'lmi.discount': 0.3 });
    const full = renderHtmlWithoutSummaryRows(model);
    const plans = [...full.html.matchAll(/<article class="plan" id="([^"]+)">[\s\S]*?<\/article>\n/g)];
    expect(plans.length).toBe(model.capacityProviders.length);
    expect(plans.length).toBeGreaterThan(1);

    for (const [from, to] of [[0, 1], [1, plans.length], [0, plans.length], [plans.length - 1, plans.length + 5]] as const) {
      // Act
      const part = renderHtmlWithoutSummaryRows(model, { from, to });

      // Assess: the full markup without the other plans' articles (and their line breaks)
      let expected = full.html;
      plans.forEach((m, i) => {
        if (i < from || i >= to) expected = expected.replace(m[0], '');
      });
      expect(part.html, `${from}-${to}`).toBe(expected);
      expect(part.planAnchors).toEqual(plans.map((m) => m[1]));
      expect(part.summary).toEqual(full.summary);
    }
  });

  it('writes the "None." paragraph, as the CLI does, when no function is left for the table', () => {
    // Prepare: the report without the functions the table would list
    const listed = new Set(renderHtmlWithoutSummaryRows(sample.base).summary.map((r) => `${r.region}/${r.name}`));
    const model = { ...sample.base, functions: sample.base.functions.filter((f) => !listed.has(`${f.region}/${f.name}`)) };

    // Act
    const none = withRows(model);

    // Assess
    expect(none.summary).toEqual([]);
    expect(none.at).toBe(-1);
    expect(none.html).toContain('<p>None.</p>');
    expect(none.html).toBe(none.cli);
  });
});
