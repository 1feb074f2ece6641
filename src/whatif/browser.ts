/// <reference lib="dom" />
/**
 * The what-if panel's script (bundled by bundle.ts into report.html). Reads the page's data,
 * wires the controls, and on every change rebuilds the report with the model and renders it with
 * the same renderer as the CLI, patching the page's header and main where they differ: the new
 * markup is compared with the markup on show (markup-diff.ts) and only the parts that changed are
 * parsed. The rows of the "Other functions" table (~9,850 at 10,000 functions) are left out of
 * that markup; the page shows a page of them (pager.ts, pager-controls.ts: pages, a find box, show
 * all), made and brought up to date by key (table-rows.ts). Of the capacity-provider plans (a
 * knob can bring hundreds), the page renders a page too (pages, show all; links to a plan open
 * its page). No network, no storage: the knob values live in the URL hash, so links within the
 * report scroll to their target without changing it.
 */
import { type PlanRange, renderHtmlWithoutSummaryRows } from '../render/html.js';
import { summaryRow } from '../render/view-model.js';
import type { FunctionReport, ReportModel } from '../report/types.js';
import type { WhatIfData } from './data.js';
import { splitParts, unpackData } from './pack.js';
import { decodeText } from './text93.js';
import {
  applyKnobs,
  CPU_OVERRIDE_KEY,
  CPU_OVERRIDE_KNOB,
  formatKnob,
  knobsAsYaml,
  overrideKey,
  overrideTarget,
  knobsFromHash,
  knobsToHash,
  knobValues,
  type KnobValues,
  warmUpSteps,
  WHATIF_KNOBS,
} from './knobs.js';
import { prepareReplays, whatIfReport } from './model.js';
import { htmlEngine, summaryRowHtml, summaryRowTexts } from '../render/templates.js';
import { MarkupPatcher, MarkupTree } from './markup-diff.js';
import { KeyedRows, type RowSource, type RowStats } from './table-rows.js';
import { findMatches, pageOf, pageSpan, PLANS, rowsLabel, shownPositions } from './pager.js';
import {
  anchorOf,
  type Anchor,
  bodyRows,
  OTHERS_PAGER,
  pageRowsOf,
  type PagerAction,
  PagerControls,
  type PagerView,
  PLANS_PAGER,
  planPageSizeOf,
  readerPlace,
  restoreAnchor,
  viewTop,
} from './pager-controls.js';

function element<T extends Element>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`what-if: ${selector} is missing`);
  return found;
}

/**
 * The page's data (page.ts embedData): text93 of the gzipped JSON, inflated by the browser
 * itself, and the range-coded arrays. Sets data-decode-ms on the panel (bench/whatif.ts).
 */
async function readData(): Promise<WhatIfData> {
  const started = performance.now();
  const { gzippedJson, coded } = splitParts(decodeText(element('#lmi-whatif-data').textContent ?? ''));
  const text = performance.now();
  const json = await new Response(new Blob([gzippedJson]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  const inflated = performance.now();
  const data = unpackData({ json: new Uint8Array(json), coded });
  const done = performance.now();
  const panel = element<HTMLElement>('#whatif');
  panel.dataset.decodeMs = String(Math.round(done - started));
  panel.dataset.decodeParts = `text ${Math.round(text - started)}, inflate ${Math.round(inflated - text)}, unpack ${Math.round(done - inflated)}`;
  return data;
}

/** The element tree of a rendered report from its `<div class="page">` (element 0). */
function pageTree(html: string): MarkupTree {
  const at = html.indexOf('<div class="page">');
  if (at === -1) throw new Error('what-if: the rendered report has no <div class="page">');
  return new MarkupTree(html, at);
}

/** The parts of the page the report renders (the panel, also in .page, is left alone). */
const PATCHED = ['header', 'main'] as const;

/** The "Other functions" section, if the report has one. */
function othersSection(): Element | null {
  return document.querySelector('.page > main > #others');
}

/** The "Capacity-provider plan" section. */
function planSection(): Element | null {
  return document.querySelector('.page > main > #plan');
}

/**
 * Takes out of the plan section as the CLI writes it (each plan's article, then a line break)
 * the plans before `from` and from `to` on, with their line breaks: the run's plans on show are
 * then those the page's render writes.
 */
function trimPlans(section: Element | null, from: number, to: number): void {
  if (section === null) return;
  section.querySelectorAll(':scope > article.plan').forEach((plan, i) => {
    if (i >= from && i < to) return;
    if (plan.nextSibling?.nodeType === Node.TEXT_NODE) plan.nextSibling.remove();
    plan.remove();
  });
}

/**
 * The position of the plan the reader is at in `section` (the first whose bottom is under the
 * top of the view, `line`), or -1 when the view is under every plan or there is none.
 */
function readerPlan(section: Element | null, line: number): number {
  if (section === null) return -1;
  const plans = section.querySelectorAll(':scope > article.plan');
  for (let i = 0; i < plans.length; i++) if ((plans[i] as Element).getBoundingClientRect().bottom > line) return i;
  return -1;
}

/**
 * The element id a URL hash names when it is a place in the report (`#cp-orders`, `#plan`), not
 * knob values (`#lmi.discount=0.3`); null for those and for an empty hash.
 */
function placeOf(hash: string): string | null {
  const raw = hash.replace(/^#/, '');
  if (raw === '' || raw.includes('=')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The body of the "Other functions" table on show, if the report has one. */
function summaryBody(): Element | null {
  return document.querySelector('.page > main > #others tbody');
}

/**
 * The "Other functions" rows at `positions` of the table's `functions`: their keys (region and
 * name), and the texts and shape of each as the CLI's row writer writes it (summaryRowTexts); the
 * markup of a row is written only if it is parsed. Only the rows on show are made (a page of them).
 */
function summaryRows(functions: readonly FunctionReport[], positions: readonly number[]): RowSource {
  const { hb } = htmlEngine();
  const n = positions.length;
  const rows = new Array<ReturnType<typeof summaryRow>>(n);
  const keys = new Array<string>(n);
  const shapes = new Array<string>(n);
  const texts = new Array<string[]>(n);
  for (let j = 0; j < n; j++) {
    const row = summaryRow(functions[positions[j] as number] as FunctionReport);
    rows[j] = row;
    keys[j] = `${row.region}\u0000${row.name}`;
    const split = summaryRowTexts(row);
    shapes[j] = split.shape;
    texts[j] = split.texts;
  }
  return { keys, shapes, texts, html: (j) => summaryRowHtml(hb, rows[j] as ReturnType<typeof summaryRow>) };
}

/**
 * Takes out of a table body as the CLI writes it (a line break, then each row and its line
 * break) the rows before `from` and from `to` on, with their line breaks.
 */
function trimBody(tbody: Element, rows: readonly Element[], from: number, to: number): void {
  const range = document.createRange();
  if (to < rows.length && tbody.lastChild !== null) {
    range.setStartBefore(rows[to] as Element);
    range.setEndAfter(tbody.lastChild);
    range.deleteContents();
  }
  if (from > 0 && from <= rows.length) {
    range.setStartBefore(rows[0] as Element);
    if (from < rows.length) range.setEndBefore(rows[from] as Element);
    else range.setEndAfter(tbody.lastChild as ChildNode);
    range.deleteContents();
  }
}

/**
 * Brings the "Other functions" table on show to `rows`; if that fails (a row that did not parse
 * as one), its body is rebuilt whole from the rows.
 */
function syncSummary(table: KeyedRows, rows: RowSource): RowStats {
  try {
    return table.update(summaryBody(), rows);
  } catch {
    table.adopt(null, { keys: [], shapes: [], texts: [], html: () => '' });
    return table.update(summaryBody(), rows);
  }
}

/**
 * The fallback when the markup on show is not known (or the diff met a page of another shape):
 * makes `current` show what `fresh` holds, touching only the subtrees that differ: a knob moves a
 * few figures, and replacing the whole page made Chromium lay out every table again. An element
 * whose tag, attributes or child list differ is replaced whole; text differences replace the
 * parent.
 */
function patch(current: Element, fresh: Element): void {
  if (current.isEqualNode(fresh)) return;
  const a = current.childNodes;
  const b = fresh.childNodes;
  let same = current.tagName === fresh.tagName && a.length === b.length && current.attributes.length === fresh.attributes.length;
  if (same) {
    for (const attr of fresh.attributes) if (current.getAttribute(attr.name) !== attr.value) same = false;
  }
  if (same) {
    for (let i = 0; i < a.length && same; i++) {
      const x = a[i] as Node;
      const y = b[i] as Node;
      if (x.nodeType !== y.nodeType || (x.nodeType !== Node.ELEMENT_NODE && !x.isEqualNode(y))) same = false;
    }
  }
  if (!same) {
    current.replaceWith(document.adoptNode(fresh));
    return;
  }
  // Children are walked from a snapshot: patching replaces nodes in `fresh`'s list too.
  const pairs = Array.from(a, (x, i) => [x, b[i]] as const);
  for (const [x, y] of pairs) if (x.nodeType === Node.ELEMENT_NODE) patch(x as Element, y as Element);
}

async function start(): Promise<void> {
  const panel = element<HTMLElement>('#whatif');
  const data = await readData();
  // Warm up what every update needs, so the first change is as fast as the next ones.
  prepareReplays(data);
  htmlEngine();
  // Functions sized without measured CPU: each gets a CPU share control (lmi.cpuBusyFractionByFunction).
  const unmeasured = data.functions
    .filter((f) => f.sizing !== null && (f.profile.cpuSecondsPerInvocation === null || f.profile.cpuSecondsPerInvocation === undefined))
    .map((f) => ({ region: f.summary.region, name: f.summary.name }));
  const runValues = knobValues(data.config, unmeasured);
  // The markup on show: the run's report as this script renders it, which is the page's own
  // header and main (the CLI rendered them from the same model). Updates diff against it. It also
  // warms up the model and Handlebars (which compiles on first use) for the first change.
  let shownTree: MarkupTree | null = null;
  // The rows of the "Other functions" table on show, updated by key (table-rows.ts), not by the diff.
  const table = new KeyedRows();
  // The functions of that table in the report on show (every one; a page of them has rows on show).
  let functions: FunctionReport[] = [];
  const pageRows = pageRowsOf(panel);
  const pager = new PagerControls(document, pageRows, OTHERS_PAGER, (action) => pagerAction(action));
  const planPageSize = planPageSizeOf(panel);
  const planPager = new PagerControls(document, planPageSize, PLANS_PAGER, (action) => planAction(action));
  // The report on show (a move of the plans' pager renders it again) and every plan's id, in order.
  let shownModel: ReportModel | null = null;
  let planAnchors: string[] = [];
  /** The plans to render of a report with `count` of them (the pager's page), and what the pager says. */
  const shownPlans = (count: number): { range: PlanRange; view: PagerView } => {
    const span = pageSpan(count, planPager.state);
    planPager.state.page = span.page;
    return { range: { from: span.from, to: span.to }, view: { span, total: count, count, label: rowsLabel(span, count, count, '', PLANS) } };
  };
  /** The rows on show for `functions` and the pager's state, and what the pager says of them. */
  const shownRows = (): { rows: RowSource; view: PagerView } => {
    const list = functions;
    const matches = findMatches(list.length, (i) => (list[i] as FunctionReport).name, pager.state.query);
    const total = matches === null ? list.length : matches.length;
    const span = pageSpan(total, pager.state);
    pager.state.page = span.page;
    return {
      rows: summaryRows(list, shownPositions(span, matches)),
      view: { span, total, count: list.length, label: rowsLabel(span, total, list.length, pager.state.query) },
    };
  };
  /** Both pagers out of the page (their controls are not in the report's markup); the focused control. */
  const detachPagers = (): Element | null => {
    const [others, plans] = [pager.detach(), planPager.detach()];
    return others ?? plans;
  };
  /** The pagers' controls around their lists again, after the report's markup was patched. */
  const reattach = (focused: Element | null): void => {
    if (!pager.attached) pager.attach(othersSection());
    if (!planPager.attached) planPager.attach(planSection());
    pager.refocus(focused);
  };
  /**
   * The page as the CLI wrote it shows every row of the table and every plan: from now on, the
   * page of rows that holds the row the reader is at (the first page if the reader is not in the
   * table), and the page of plans `plans` (the run's render wrote those). The others are taken
   * out (they are the run's, in the CLI's order). Returns what the reader sees, to keep it still
   * (the caller restores it once the page's layout style is in too).
   */
  const goLive = (plans: { range: PlanRange; view: PagerView }): Anchor | null => {
    const line = viewTop(panel);
    const tbody = summaryBody();
    const wrap = tbody?.closest('.table-wrap') ?? null;
    const all = bodyRows(tbody);
    // What the reader sees, found before anything is taken out.
    const place = wrap === null ? ({ kind: 'above' } as const) : readerPlace(wrap, all, line);
    const anchor = anchorOf(place, document, line);
    const section = planSection();
    if (section !== null && section.querySelectorAll(':scope > article.plan').length === planAnchors.length) trimPlans(section, plans.range.from, plans.range.to);
    if (tbody === null || wrap === null) table.adopt(tbody, summaryRows(functions, []));
    else {
      if (place.kind === 'row') pager.state.page = pageOf(place.k, pageRows);
      const { rows, view } = shownRows();
      if (all.length === functions.length) trimBody(tbody, all, view.span.from, view.span.to);
      // A body not in the CLI's form (or not the run's rows) is rebuilt from the rows.
      if (!table.adopt(tbody, rows)) syncSummary(table, rows);
      pager.attach(othersSection());
      pager.show(view);
    }
    planPager.attach(section);
    planPager.show(plans.view);
    return anchor;
  };
  /**
   * A pager control was used: the table shows the rows asked for. "Show all" and back keep the row
   * the reader is at where it is; a new page asked from under the table scrolls back to its top.
   */
  const pagerAction = (action: PagerAction): void => {
    const tbody = summaryBody();
    const wrap = tbody?.closest('.table-wrap') ?? null;
    if (tbody === null || wrap === null) return;
    const line = viewTop(panel);
    const fromBefore = Number(pager.top.dataset.from ?? 0);
    const place = action === 'all' ? readerPlace(wrap, bodyRows(tbody), line) : null;
    // Back to pages: the page holding the reader's row.
    if (place?.kind === 'row' && !pager.state.all) pager.state.page = pageOf(fromBefore + place.k, pageRows);
    const anchor = place === null ? null : anchorOf(place, document, line);
    const { rows, view } = shownRows();
    syncSummary(table, rows);
    pager.show(view);
    if (place !== null) restoreAnchor(anchor, window);
    else scrollToBar(pager, line);
  };
  /** A new page asked from under a list: back to the top of the list, if it is above the view. */
  const scrollToBar = (controls: PagerControls, line: number): void => {
    const top = controls.top.getBoundingClientRect().top;
    if (top < line) window.scrollBy(0, top - line - 8);
  };
  // What the reader sees when the table is cut to a page, kept still through that and the layout style below.
  let anchor: Anchor | null = null;
  try {
    const model = whatIfReport(data, applyKnobs(data.config, runValues), { lazy: true });
    // The page of plans that holds the plan the reader is at (report.html#cp-… scrolled there).
    planPager.state.page = pageOf(Math.max(0, readerPlan(planSection(), viewTop(panel))), planPageSize);
    const plans = shownPlans(model.capacityProviders.length);
    const run = renderHtmlWithoutSummaryRows(model, plans.range);
    functions = run.summary;
    planAnchors = run.planAnchors;
    shownTree = pageTree(run.html);
    shownModel = model;
    anchor = goLive(plans);
  } catch {
    // Then the first update parses the whole report (patchWhole) and diffs from there.
  }
  // The overrides in force, by knob key; their controls are built when their list is opened.
  const overrides = new Map<string, number>();
  const status = element<HTMLElement>('[data-whatif="status"]', panel);
  const yaml = element<HTMLTextAreaElement>('[data-whatif="yaml"]', panel);
  const controls = new Map(
    WHATIF_KNOBS.map((knob) => [knob.key, element<HTMLInputElement>(`input[data-knob="${knob.key}"]`, panel)]),
  );
  let shown = JSON.stringify(runValues);

  const read = (): KnobValues => {
    const values: KnobValues = {};
    for (const knob of WHATIF_KNOBS) {
      const input = controls.get(knob.key) as HTMLInputElement;
      values[knob.key] = knob.kind === 'checkbox' ? input.checked : Number(input.value);
    }
    for (const [key, value] of overrides) values[key] = value;
    return values;
  };
  const overrideInputs = (): NodeListOf<HTMLInputElement> => panel.querySelectorAll<HTMLInputElement>(`input[data-knob="${CPU_OVERRIDE_KEY}"]`);
  const write = (values: KnobValues): void => {
    for (const knob of WHATIF_KNOBS) {
      const input = controls.get(knob.key) as HTMLInputElement;
      const value = values[knob.key] ?? runValues[knob.key];
      if (knob.kind === 'checkbox') input.checked = value === true;
      else input.value = String(value);
    }
    overrides.clear();
    for (const [key, value] of Object.entries(values)) if (overrideTarget(key) !== null && typeof value === 'number') overrides.set(key, value);
    for (const input of overrideInputs()) input.value = String(overrides.get(input.dataset.key ?? '') ?? '');
  };
  const showValues = (values: KnobValues): void => {
    for (const knob of WHATIF_KNOBS) {
      const out = panel.querySelector<HTMLOutputElement>(`output[data-knob-value="${knob.key}"]`);
      if (out) out.value = formatKnob(knob, values[knob.key] as number | boolean);
    }
    yaml.value = knobsAsYaml(values);
  };
  /** The page's address for `values`: the knobs changed from the run's in the hash, or none. */
  const addressOf = (values: KnobValues): string => {
    const changed: KnobValues = {};
    for (const [key, value] of Object.entries(values)) if (value !== runValues[key]) changed[key] = value;
    return Object.keys(changed).length > 0 ? `#${knobsToHash(changed)}` : location.pathname + location.search;
  };

  /**
   * Renders `model` with the pagers' pages and brings the page to it: the report's markup by the
   * diff (the whole markup if that fails), then the table's rows by key. Laps go in `parts`.
   * Throws when the page could not be brought to it.
   */
  const present = (model: ReportModel, parts: Record<string, number>): void => {
    let at = performance.now();
    const lap = (name: string): void => {
      const now = performance.now();
      parts[name] = (parts[name] ?? 0) + Math.round(now - at);
      at = now;
    };
    const plans = shownPlans(model.capacityProviders.length);
    const rendered = renderHtmlWithoutSummaryRows(model, plans.range);
    const { html } = rendered;
    lap('render');
    functions = rendered.summary;
    planAnchors = rendered.planAnchors;
    // The rows at the same positions of the new report (the find box's matches, if any).
    const { rows, view } = shownRows();
    lap('rowsHtml');
    const tree = pageTree(html);
    lap('scan');
    const before = shownTree;
    // Until patched, the page shows neither markup for sure: a failed patch falls back to the whole.
    shownTree = null;
    shownModel = null;
    let patched = false;
    // The pagers are not in the report's markup: out while the markup diff patches the page.
    const focused = detachPagers();
    if (before !== null) {
      const patcher = new MarkupPatcher(document, before, tree);
      try {
        for (const tag of PATCHED) {
          const [o, n] = [before.child(0, tag), tree.child(0, tag)];
          if (o === -1 || n === -1) throw new Error(`what-if: the report has no <${tag}>`);
          patcher.element(element(`.page > ${tag}`), o, n);
        }
        patched = true;
      } catch {
        // The page did not have the shape its markup says: parse it whole below.
      }
      parts.parse = Math.round(patcher.stats.parseMs);
      lap('patch');
      parts.patch = Math.max(0, (parts.patch ?? 0) - (parts.parse ?? 0));
      parts.parsedKB = Math.round(patcher.stats.parsedChars / 1024);
      parts.writes = patcher.stats.writes;
      parts.elements = patcher.stats.elements;
    }
    if (!patched) {
      const fresh = new DOMParser().parseFromString(html, 'text/html');
      lap('wholeParse');
      for (const tag of PATCHED) patch(element(`.page > ${tag}`), element(`.page > ${tag}`, fresh));
      lap('wholePatch');
    }
    reattach(focused);
    const stats = syncSummary(table, rows);
    pager.show(view);
    planPager.show(plans.view);
    lap('rows');
    parts.plansShown = plans.range.to - plans.range.from;
    parts.rowsShown = view.span.to - view.span.from;
    parts.rowsKept = stats.kept;
    parts.rowsPatched = stats.patched;
    parts.rowsTexts = stats.texts;
    parts.rowsParsed = stats.parsed;
    parts.rowsMoved = stats.moved;
    parts.rowsRemoved = stats.removed;
    parts.rowsPlan = Math.round(stats.planMs);
    parts.rowsParse = Math.round(stats.parseMs);
    parts.rowsPlace = Math.round(stats.placeMs);
    if (stats.rebuilt > 0) parts.rowsRebuilt = stats.rebuilt;
    shownTree = tree;
    shownModel = model;
  };

  /** The report at `values` on show. `unseen`: the load's warm-up, which leaves the panel's controls, status and figures as they are. */
  const update = (values: KnobValues, reason: string, unseen = false): Record<string, number> | undefined => {
    const key = JSON.stringify(values);
    if (!unseen) showValues(values);
    if (key === shown) return;
    const began = performance.now();
    let config;
    try {
      config = applyKnobs(data.config, values);
    } catch (error) {
      if (unseen) throw error;
      status.textContent = `Not applied: ${error instanceof Error ? error.message : String(error)}`;
      panel.dataset.state = 'error';
      return;
    }
    const parts: Record<string, number> = {};
    try {
      const modelStarted = performance.now();
      const model = whatIfReport(data, config, { lazy: true });
      parts.model = Math.round(performance.now() - modelStarted);
      present(model, parts);
    } catch (error) {
      // The pagers back around their lists if the failure came while they were out.
      reattach(null);
      if (unseen) throw error;
      status.textContent = `The report could not be recomputed: ${error instanceof Error ? error.message : String(error)}`;
      panel.dataset.state = 'error';
      return;
    }
    shown = key;
    if (unseen) return parts;
    const ms = performance.now() - began;
    const changed = new Set([...Object.keys(values), ...Object.keys(runValues)].filter((k) => values[k] !== runValues[k])).size;
    status.textContent =
      changed === 0
        ? `Showing the run's values (${reason}).`
        : `Showing ${changed} knob(s) changed from the run (${reason}; recomputed in ${Math.round(ms)} ms). ` +
          'The command under "Reproduce" is the run\'s: add --config with the file below to get these figures.';
    panel.dataset.state = changed === 0 ? 'run' : 'changed';
    panel.dataset.updateMs = String(ms);
    panel.dataset.updateParts = Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  /** The report on show again with the plans' pager's page (the model is kept: nothing recomputed). */
  const showPlans = (): boolean => {
    if (shownModel === null) return false;
    try {
      present(shownModel, {});
      return true;
    } catch (error) {
      reattach(null);
      status.textContent = `The plans could not be shown: ${error instanceof Error ? error.message : String(error)}`;
      panel.dataset.state = 'error';
      return false;
    }
  };
  /**
   * A control of the plans' pager was used: the plans asked for on show. "Show all" and back keep
   * what the reader sees where it is; a new page asked from under the plans scrolls back to their top.
   */
  const planAction = (action: PagerAction): void => {
    const line = viewTop(panel);
    const anchor = action === 'all' ? anchorOf({ kind: 'above' }, document, line) : null;
    // Back to pages: the page holding the plan the reader is at (all are on show: its position is its index).
    if (action === 'all' && !planPager.state.all) planPager.state.page = pageOf(Math.max(0, readerPlan(planSection(), line)), planPageSize);
    if (!showPlans()) return;
    if (anchor !== null) restoreAnchor(anchor, window);
    else scrollToBar(planPager, line);
  };
  /**
   * Scrolls to the element `id` of the report (under the panel: scroll-padding), first showing
   * the page of plans that holds it if it is a plan not on show. False if the report has none.
   */
  const goTo = (id: string): boolean => {
    let target = document.getElementById(id);
    if (target === null) {
      const k = planAnchors.indexOf(id);
      if (k === -1) return false;
      planPager.state.page = pageOf(k, planPageSize);
      if (!showPlans()) return false;
      target = document.getElementById(id);
    }
    if (target === null || target.closest('.page > header, .page > main') === null) return false;
    target.scrollIntoView({ block: 'start' });
    return true;
  };

  // A dragged slider fires many events: show each value at once, recompute only the latest.
  let scheduled = false;
  const fromControls = (event?: Event): void => {
    const values = read();
    history.replaceState(null, '', addressOf(values));
    showValues(values);
    if (scheduled) return;
    scheduled = true;
    // When the reader acted: the event's own time (queued input waits too), else now.
    const since = event?.timeStamp ?? performance.now();
    panel.dataset.pending = 'true';
    panel.setAttribute('aria-busy', 'true');
    // Recompute after the next frame, so "Recomputing" is painted first (thousands of functions
    // take seconds); the timer is the fallback where frames are not drawn (a hidden tab).
    let started = false;
    const run = (): void => {
      if (started) return;
      started = true;
      setTimeout(() => {
        scheduled = false;
        update(read(), 'controls');
        delete panel.dataset.pending;
        panel.removeAttribute('aria-busy');
        // From the reader's action to the frame that shows the new report drawn (the next frame's
        // callbacks, then a task after its paint), as Interaction to Next Paint counts it: what the
        // reader waits. For the what-if bench; nothing reads it.
        requestAnimationFrame(() => setTimeout(() => (panel.dataset.paintMs = String(Math.round(performance.now() - since))), 0));
      }, 0);
    };
    requestAnimationFrame(run);
    setTimeout(run, 100);
  };
  const fromHash = (): void => {
    // A link to a place in the report (report.html#cp-orders, or the address bar): there, with the
    // knobs as they are, and the address back to them (the hash holds the knob values).
    const place = placeOf(location.hash);
    if (place !== null) {
      const found = goTo(place);
      history.replaceState(null, '', addressOf(read()));
      if (!found) status.textContent = `The link's place “${place}” is not in this report; the knobs are as they were.`;
      panel.dataset.applied = location.hash;
      return;
    }
    const { values, ignored } = knobsFromHash(location.hash);
    const merged = { ...runValues, ...values };
    write(merged);
    update(merged, 'link');
    if (ignored.length > 0) status.textContent += ` Ignored in the link: ${ignored.join(', ')}.`;
    panel.dataset.applied = location.hash;
  };

  for (const input of controls.values()) {
    // Range inputs fire `input` while dragging; the report follows the value shown.
    input.addEventListener(input.type === 'range' ? 'input' : 'change', fromControls);
    if (input.type === 'number') input.addEventListener('input', () => showValues(read()));
  }
  // One number input per unmeasured function, built on first opening (10,000 inputs slow the load).
  const list = element<HTMLElement>('[data-whatif="overrides"]', panel);
  const buildOverrides = (): void => {
    if (list.dataset.built === 'true') return;
    list.dataset.built = 'true';
    const rows = document.createDocumentFragment();
    unmeasured.forEach(({ region, name }, i) => {
      const key = overrideKey(region, name);
      const row = document.createElement('div');
      row.className = 'knob';
      const label = document.createElement('label');
      label.htmlFor = `whatif-cpu-${i}`;
      label.append(`${region}/${name} `);
      const code = document.createElement('code');
      code.textContent = `${CPU_OVERRIDE_KEY}["${region}/${name}"]`;
      label.append(code);
      const input = document.createElement('input');
      Object.assign(input, { type: 'number', id: `whatif-cpu-${i}`, min: String(CPU_OVERRIDE_KNOB.min), max: String(CPU_OVERRIDE_KNOB.max), step: String(CPU_OVERRIDE_KNOB.step) });
      input.dataset.knob = CPU_OVERRIDE_KEY;
      input.dataset.function = `${region}/${name}`;
      input.dataset.key = key;
      input.placeholder = 'lmi.cpuBusyFraction';
      input.value = String(overrides.get(key) ?? '');
      input.addEventListener('change', () => {
        // Empty: back to the run's value (its override, or none).
        const run = runValues[key];
        if (input.value.trim() === '') {
          if (typeof run === 'number') overrides.set(key, run);
          else overrides.delete(key);
          input.value = String(overrides.get(key) ?? '');
        } else overrides.set(key, Number(input.value));
        fromControls();
      });
      row.append(label, input);
      rows.append(row);
    });
    element('[data-whatif="override-list"]', list).append(rows);
  };
  list.addEventListener('toggle', () => {
    if ((list as HTMLDetailsElement).open) buildOverrides();
  });
  element<HTMLButtonElement>('[data-whatif="reset"]', panel).addEventListener('click', () => {
    write(runValues);
    fromControls();
  });
  element<HTMLButtonElement>('[data-whatif="copy"]', panel).addEventListener('click', () => {
    yaml.select();
    const done = (ok: boolean) => (status.textContent = ok ? 'Config copied: save it as a file and run analyze --config <file>.' : 'Copy failed: select the text and copy it.');
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(yaml.value).then(() => done(true), () => done(document.execCommand('copy')));
    else done(document.execCommand('copy'));
  });
  // Chromium then lays out only the sections on screen after an update (a knob moves figures in
  // every function section; laying out all of them took longer than the update itself). The
  // markup is unchanged; printing lays out everything.
  const layout = document.createElement('style');
  layout.dataset.whatifLayout = 'true';
  layout.textContent =
    '@media screen { .page > main > section, .page > main article.fn, .page > main article.plan { content-visibility: auto; contain-intrinsic-size: auto 640px; } }';
  document.head.append(layout);
  restoreAnchor(anchor, window);
  // The sections near the view are laid out again over the next frames (content-visibility decides
  // at a frame's end): the reader's place is checked once more after them.
  await new Promise<void>((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
    // No frames in a hidden tab: the timer goes on without them.
    setTimeout(resolve, 200);
  });
  // The warm-up: the reports at other values (warmUpSteps: three) put on the page in turn and the
  // run's put back, unseen (one task: nothing is drawn between them, and the page is the run's
  // again, node for node, as after any change and back). The reader's first change then finds
  // the re-sizing, report, render, diff and DOM paths compiled, and the page's sections in the
  // state later changes find them, instead of paying for that itself (README, what-if bench).
  const warmStarted = performance.now();
  let warmUpWrites = 0;
  // A warm-up report with fewer plans clamps the plans' page: the reader's is put back with the run's.
  const planPage = planPager.state.page;
  for (const values of warmUpSteps(runValues)) {
    try {
      warmUpWrites += update(values, 'warm-up', true)?.writes ?? 0;
    } catch {
      // A warm-up only: the run's report is put back below, whatever it left on the page.
      break;
    }
  }
  panel.dataset.warmUpWrites = String(warmUpWrites);
  planPager.state.page = planPage;
  shown = '';
  try {
    update(runValues, 'warm-up', true);
  } catch (error) {
    // Not ready: the page may hold figures that are not the run's.
    status.textContent = `The what-if panel failed to start: ${error instanceof Error ? error.message : String(error)}. Reload the page.`;
    panel.dataset.state = 'error';
    return;
  }
  panel.dataset.warmUpMs = String(Math.round(performance.now() - warmStarted));
  // Once, after those frames and the warm-up (the page is the run's again, as it was).
  restoreAnchor(anchor, window);
  window.addEventListener('hashchange', fromHash);
  // Links within the report (contents, top plans, a plan's functions) scroll to their target
  // without the default hash change, which would drop the knob values the hash holds.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (link === null || link.closest('.page > header, .page > main') === null) return;
    const place = placeOf(link.getAttribute('href') ?? '');
    if (place === null) return;
    event.preventDefault();
    goTo(place);
  });
  // A target scrolled to stops under the sticky panel, not behind it.
  const padding = (): void => {
    document.documentElement.style.scrollPaddingTop = `${Math.ceil(panel.getBoundingClientRect().height) + 8}px`;
  };
  padding();
  new ResizeObserver(padding).observe(panel);
  panel.dataset.ready = 'true';
  for (const input of controls.values()) input.disabled = false;
  for (const button of panel.querySelectorAll('button')) button.disabled = false;
  write(runValues);
  showValues(runValues);
  status.textContent = "Showing the run's values. Move a knob: every figure below follows.";
  // A link's knob values (or a place in the report) after that.
  if (location.hash.length > 1) fromHash();
}

start().catch((error: unknown) => {
  const status = document.querySelector('[data-whatif="status"]');
  if (status) status.textContent = `The what-if panel failed to start: ${error instanceof Error ? error.message : String(error)}`;
});
