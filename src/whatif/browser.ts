/// <reference lib="dom" />
/**
 * The what-if panel's script (bundled by bundle.ts into report.html). Reads the page's data,
 * wires the controls, and on every change rebuilds the report with the model and renders it with
 * the same renderer as the CLI, replacing the page's header and main. No network, no storage:
 * the knob values live in the URL hash.
 */
import { renderHtml } from '../render/html.js';
import type { WhatIfData } from './data.js';
import { parseData } from './json.js';
import {
  applyKnobs,
  formatKnob,
  knobsAsYaml,
  knobsFromHash,
  knobsToHash,
  knobValues,
  type KnobValues,
  WHATIF_KNOBS,
} from './knobs.js';
import { prepareReplays, whatIfReport } from './model.js';
import { htmlEngine } from '../render/templates.js';

function element<T extends Element>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`what-if: ${selector} is missing`);
  return found;
}

/** The page's data: base64 of gzipped JSON, inflated by the browser itself. */
async function readData(): Promise<WhatIfData> {
  const binary = atob((element('#lmi-whatif-data').textContent ?? '').trim());
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  return parseData<WhatIfData>(text);
}

async function start(): Promise<void> {
  const panel = element<HTMLElement>('#whatif');
  const data = await readData();
  // Warm up what every update needs, so the first change is as fast as the next ones.
  prepareReplays(data);
  htmlEngine();
  const runValues = knobValues(data.config);
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
    return values;
  };
  const write = (values: KnobValues): void => {
    for (const knob of WHATIF_KNOBS) {
      const input = controls.get(knob.key) as HTMLInputElement;
      const value = values[knob.key] ?? runValues[knob.key];
      if (knob.kind === 'checkbox') input.checked = value === true;
      else input.value = String(value);
    }
  };
  const showValues = (values: KnobValues): void => {
    for (const knob of WHATIF_KNOBS) {
      const out = panel.querySelector<HTMLOutputElement>(`output[data-knob-value="${knob.key}"]`);
      if (out) out.value = formatKnob(knob, values[knob.key] as number | boolean);
    }
    yaml.value = knobsAsYaml(values);
  };

  const update = (values: KnobValues, reason: string): void => {
    const key = JSON.stringify(values);
    showValues(values);
    if (key === shown) return;
    const began = performance.now();
    let config;
    try {
      config = applyKnobs(data.config, values);
    } catch (error) {
      status.textContent = `Not applied: ${error instanceof Error ? error.message : String(error)}`;
      panel.dataset.state = 'error';
      return;
    }
    try {
      const model = whatIfReport(data, config);
      const fresh = new DOMParser().parseFromString(renderHtml(model), 'text/html');
      for (const selector of ['.page > header', '.page > main']) {
        element(selector).replaceWith(document.adoptNode(element(selector, fresh)));
      }
    } catch (error) {
      status.textContent = `The report could not be recomputed: ${error instanceof Error ? error.message : String(error)}`;
      panel.dataset.state = 'error';
      return;
    }
    shown = key;
    const ms = performance.now() - began;
    const changed = WHATIF_KNOBS.filter((k) => values[k.key] !== runValues[k.key]).length;
    status.textContent =
      changed === 0
        ? `Showing the run's values (${reason}).`
        : `Showing ${changed} knob(s) changed from the run (${reason}; recomputed in ${Math.round(ms)} ms). ` +
          'The command under "Reproduce" is the run\'s: add --config with the file below to get these figures.';
    panel.dataset.state = changed === 0 ? 'run' : 'changed';
    panel.dataset.updateMs = String(ms);
  };

  // A dragged slider fires many events: show each value at once, recompute only the latest.
  let scheduled = false;
  const fromControls = (): void => {
    const values = read();
    const changed: KnobValues = {};
    for (const knob of WHATIF_KNOBS) if (values[knob.key] !== runValues[knob.key]) changed[knob.key] = values[knob.key] as number | boolean;
    history.replaceState(null, '', Object.keys(changed).length > 0 ? `#${knobsToHash(changed)}` : location.pathname + location.search);
    showValues(values);
    if (scheduled) return;
    scheduled = true;
    panel.dataset.pending = 'true';
    setTimeout(() => {
      scheduled = false;
      update(read(), 'controls');
      delete panel.dataset.pending;
    }, 0);
  };
  const fromHash = (): void => {
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
  window.addEventListener('hashchange', fromHash);
  panel.dataset.ready = 'true';
  for (const input of controls.values()) input.disabled = false;
  for (const button of panel.querySelectorAll('button')) button.disabled = false;
  if (location.hash.length > 1) fromHash();
  else {
    showValues(runValues);
    status.textContent = "Showing the run's values. Move a knob: every figure below follows.";
  }
}

start().catch((error: unknown) => {
  const status = document.querySelector('[data-whatif="status"]');
  if (status) status.textContent = `The what-if panel failed to start: ${error instanceof Error ? error.message : String(error)}`;
});
