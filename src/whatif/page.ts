/**
 * report.html with the what-if panel: the static report (renderHtml, unchanged), the panel
 * (templates/partials/whatif-panel.hbs) at the top of the page, the compact data and the bundled
 * script. Above WHATIF_MAX_DATA_BYTES of data, or without the bundle, the panel shows the run's
 * values read-only and says why.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { renderHtml } from '../render/html.js';
import { templatesDir } from '../render/templates.js';
import type { ReportModel } from '../report/types.js';
import { whatIfBundle } from './bundle.js';
import type { WhatIfData } from './data.js';
import { joinParts, packData, splitParts, unpackData } from './pack.js';
import { decodeText, encodeText } from './text93.js';
import { CPU_OVERRIDE_KEY, formatKnob, knobsAsYaml, knobValue, knobValues, READ_ONLY_KNOBS, WHATIF_KNOBS } from './knobs.js';

/** Largest data block the page carries, in bytes (= characters) of the embedded text (bench/whatif.ts). */
export const WHATIF_MAX_DATA_BYTES = 20 * 1024 * 1024;

let panelTemplate: Handlebars.TemplateDelegate | null = null;

function panel(data: WhatIfData, enabled: boolean, disabledReason: string): string {
  if (panelTemplate === null) {
    panelTemplate = Handlebars.create().compile(readFileSync(join(templatesDir(), 'partials', 'whatif-panel.hbs'), 'utf8'));
  }
  const unmeasured = data.functions
    .filter((f) => f.sizing !== null && (f.profile.cpuSecondsPerInvocation === null || f.profile.cpuSecondsPerInvocation === undefined))
    .map((f) => ({ region: f.summary.region, name: f.summary.name }));
  const values = knobValues(data.config, unmeasured);
  return panelTemplate({
    unmeasured: unmeasured.length,
    overrideKey: CPU_OVERRIDE_KEY,
    enabled,
    disabledReason,
    knobs: WHATIF_KNOBS.map((knob) => ({
      ...knob,
      id: knob.key.replace(/\./g, '-'),
      checkbox: knob.kind === 'checkbox',
      checked: values[knob.key] === true,
      value: values[knob.key],
      shown: formatKnob(knob, values[knob.key] as number | boolean),
    })),
    fixed: READ_ONLY_KNOBS.map((key) => ({ key, value: String(knobValue(data.config, key)) })),
    yaml: knobsAsYaml(values),
  });
}

/** The data element's type: not JavaScript, so the browser leaves it as text. */
export const DATA_TYPE = 'application/x-lmi-whatif';

/** The data as the page embeds it: joinParts(gzip(JSON), coded arrays) as text93. */
export function embedData(data: WhatIfData): string {
  const packed = packData(data);
  return encodeText(joinParts(gzipSync(packed.json, { level: 9 }), packed.coded));
}

/** Node side: the data a page embeds (tests, tools); the page's script does the same with its own inflater. */
export function embeddedData(html: string): WhatIfData {
  const text = new RegExp(`<script type="${DATA_TYPE}" id="lmi-whatif-data">([^<]*)</script>`).exec(html)?.[1];
  if (text === undefined) throw new Error('what-if: the page carries no data');
  const { gzippedJson, coded } = splitParts(decodeText(text));
  return unpackData({ json: gunzipSync(gzippedJson), coded });
}

export interface WhatIfPage {
  html: string;
  /** Whether the panel is live (data and script embedded). */
  live: boolean;
  dataBytes: number;
}

/** Why the panel of an `analyze --reconcile` report is read-only. */
export const RECONCILE_READ_ONLY =
  'The what-if panel is read-only with --reconcile: the Reconciliation section compares the bill with the modelled cost after pricing.lambdaDiscount (and, with billing.initFromBill, uses the bill\'s durations), which the page cannot rebuild. The values below are the run\'s; to try others, run analyze without --reconcile, or edit the config and re-run.';

/**
 * The report page with the panel; `model` is the report the CLI built from the same run as `data`.
 * `readOnly`: the panel shows the run's values read-only with this line (no data, no script).
 */
export async function renderWhatIfHtml(model: ReportModel, data: WhatIfData, maxDataBytes = WHATIF_MAX_DATA_BYTES, readOnly?: string): Promise<WhatIfPage> {
  const html = renderHtml(model);
  // Packed (pack.ts: JSON gzipped, the page inflates it with the browser's own DecompressionStream;
  // the arrays range-coded), as text (text93.ts).
  const packed = readOnly === undefined ? embedData(data) : '';
  const dataBytes = packed.length;
  const bundle = readOnly === undefined && dataBytes <= maxDataBytes ? await whatIfBundle() : null;
  const live = bundle !== null;
  const reason =
    readOnly !== undefined
      ? readOnly
      : dataBytes > maxDataBytes
      ? `The what-if panel is read-only for this report: its data would take ${(dataBytes / 1048576).toFixed(1)} MB, above the ${(maxDataBytes / 1048576).toFixed(0)} MB limit. The values below are the run's; to try others, edit the config and re-run analyze.`
      : 'The what-if panel is read-only: this installation has no browser bundle (run npm run build). The values below are the run\'s.';
  const withPanel = html.replace('<div class="page">', () => `<div class="page">\n${panel(data, live, reason)}`);
  if (withPanel === html) throw new Error('what-if: the report has no <div class="page"> to put the panel in');
  if (!live) return { html: withPanel, live, dataBytes };
  const scripts = `<script type="${DATA_TYPE}" id="lmi-whatif-data">${packed}</script>\n<script>${bundle}</script>\n`;
  const at = withPanel.lastIndexOf('</body>');
  return { html: `${withPanel.slice(0, at)}${scripts}${withPanel.slice(at)}`, live, dataBytes };
}
