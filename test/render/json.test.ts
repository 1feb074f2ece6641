import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/render/json.js';
import { RENDERERS } from '../../src/render/index.js';
import type { ReportModel } from '../../src/report/types.js';

/** Only the fields renderJson touches matter; the rest of the model is opaque to it. */
function model(extra: Record<string, unknown>): ReportModel {
  return { schema: 'lmi-advisor.report/v1', accountId: '123456789012', ...extra } as unknown as ReportModel;
}

describe('renderJson', () => {
  it('keeps key order and unrounded numbers, 2-space indent, trailing newline', () => {
    // Prepare
    const m = model({ totals: { savingsUsd: 12.345678901, standardUsd: 0.1 + 0.2 }, warnings: [] });
    // Act
    const text = renderJson(m);
    // Assess
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "accountId": "123456789012",\n');
    expect(text).toContain('"savingsUsd": 12.345678901');
    expect(text).toContain('"standardUsd": 0.30000000000000004');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['schema', 'accountId', 'totals', 'warnings']);
  });

  it('keeps null (unknown) as null', () => {
    const text = renderJson(model({ functions: [{ name: 'f', savingsUsd: null }] }));
    expect((JSON.parse(text) as { functions: { savingsUsd: unknown }[] }).functions[0]?.savingsUsd).toBeNull();
  });

  it('refuses NaN/Infinity instead of turning them into null', () => {
    expect(() => renderJson(model({ functions: [{ name: 'orders-api', savingsUsd: Number.NaN }] }))).toThrow(
      /non-finite number \(NaN\) at key "savingsUsd" of "orders-api"/,
    );
    expect(() => renderJson(model({ totals: { standardUsd: Number.POSITIVE_INFINITY } }))).toThrow(/Infinity/);
  });

  it('is registered as report.json', () => {
    expect(RENDERERS.json?.file).toBe('report.json');
    expect(RENDERERS.json?.render).toBe(renderJson);
  });
});
