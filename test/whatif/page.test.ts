import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { WHATIF_KNOBS } from '../../src/whatif/knobs.js';
import { stringifyData } from '../../src/whatif/json.js';
import { DATA_TYPE, embeddedData, renderWhatIfHtml } from '../../src/whatif/page.js';
import { runCli } from '../cli/run-cli.js';
import { loadSample, SAMPLE_SNAPSHOT, type Sample } from './sample.js';

describe('renderWhatIfHtml', () => {
  let sample: Sample;
  let dir: string;
  beforeAll(async () => {
    sample = await loadSample();
    dir = mkdtempSync(join(tmpdir(), 'lmi-whatif-page-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the panel, the data and the script to the static report, and nothing else', async () => {
    // Act
    const page = await renderWhatIfHtml(sample.base, sample.data);

    // Assess
    expect(page.live).toBe(true);
    for (const knob of WHATIF_KNOBS) expect(page.html).toContain(`data-knob="${knob.key}"`);
    expect(page.html.match(/<script/g)).toHaveLength(2);
    const withoutAdditions = page.html
      .replace(/\n<section id="whatif"[\s\S]*?<\/section>\n/, '')
      .replace(/<script type="application\/x-lmi-whatif"[\s\S]*?<\/script>\n<script>[\s\S]*?<\/script>\n/, '');
    expect(withoutAdditions).toBe(renderHtml(sample.base));
  });

  it('embeds the data as text of printable ASCII without < and &, which gives back the data exactly', async () => {
    // Act
    const page = await renderWhatIfHtml(sample.base, sample.data);

    // Assess: dataBytes is the embedded text's size (one byte per character).
    const text = new RegExp(`<script type="${DATA_TYPE}" id="lmi-whatif-data">([^<]*)</script>`).exec(page.html)?.[1] ?? '';
    expect(text.length).toBe(page.dataBytes);
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text).not.toMatch(/[<&]/);
    expect(stringifyData(embeddedData(page.html))).toBe(stringifyData(sample.data));
  });

  it('above the size limit: no data, no script, and the page says why', async () => {
    // Act
    const page = await renderWhatIfHtml(sample.base, sample.data, 1000);

    // Assess
    expect(page.live).toBe(false);
    expect(page.html).not.toContain('<script');
    expect(page.html).toMatch(/read-only for this report: its data would take [\d.]+ MB, above the 0 MB limit/);
  });

  it('analyze writes the panel by default and the static page with --no-whatif', async () => {
    // Act
    const withPanel = await runCli(['analyze', '--snapshot', SAMPLE_SNAPSHOT, '--out', join(dir, 'a'), '--format', 'html', '--quiet']);
    const without = await runCli(['analyze', '--snapshot', SAMPLE_SNAPSHOT, '--out', join(dir, 'b'), '--format', 'html', '--quiet', '--no-whatif']);

    // Assess
    expect([withPanel.code, without.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'a', 'report.html'), 'utf8')).toContain('id="lmi-whatif-data"');
    const plain = readFileSync(join(dir, 'b', 'report.html'), 'utf8');
    expect(plain).not.toContain('<script');
    expect(plain).not.toContain('id="whatif"');
  });

  it('analyze --reconcile: the panel is read-only and says why, the Reconciliation section stays', async () => {
    // Act
    const out = join(dir, 'r');
    const run = await runCli(['analyze', '--snapshot', 'fixtures/reconcile-account.ndjson', '--now', '2026-11-24T03:00:00Z', '--reconcile', '--out', out, '--format', 'html', '--quiet']);

    // Assess
    expect(run.code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="whatif"');
    expect(html).not.toContain('<script');
    expect(html).toContain('read-only with --reconcile');
    expect(html).toMatch(/Reconciliation/);
  });
});
