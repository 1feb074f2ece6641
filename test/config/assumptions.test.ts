import { describe, expect, it } from 'vitest';
import { configLeafKeys, describeAssumptions, KNOB_DESCRIPTIONS } from '../../src/config/assumptions.js';
import { parseConfig } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';

describe('KNOB_DESCRIPTIONS', () => {
  it('describes every leaf key of the schema, and nothing else', () => {
    // Prepare
    const leaves = configLeafKeys(defaultConfig());
    // Assess: same set, same order as the schema
    expect(Object.keys(KNOB_DESCRIPTIONS)).toEqual(leaves);
    for (const key of leaves) expect(KNOB_DESCRIPTIONS[key]?.length ?? 0).toBeGreaterThan(10);
  });

  it('covers every knob the schema accepts: each described key can be set on its own', () => {
    for (const key of Object.keys(KNOB_DESCRIPTIONS)) {
      const [section, knob] = key.split('.') as [string, string];
      const value = (defaultConfig() as unknown as Record<string, Record<string, unknown>>)[section]?.[knob];
      expect(() => parseConfig({ [section]: { [knob]: value } }, 'test')).not.toThrow();
    }
  });
});

describe('describeAssumptions', () => {
  it('lists every knob with the value used and its default', () => {
    // Prepare
    const config = parseConfig({ lmi: { discount: 0.3, instanceFamilies: ['m'] } }, 'test');
    // Act
    const rows = describeAssumptions(config);
    // Assess
    expect(rows.map((r) => r.key)).toEqual(Object.keys(KNOB_DESCRIPTIONS));
    const discount = rows.find((r) => r.key === 'lmi.discount');
    expect(discount).toEqual({ key: 'lmi.discount', value: 0.3, default: 0, description: KNOB_DESCRIPTIONS['lmi.discount'] });
    expect(rows.find((r) => r.key === 'lmi.instanceFamilies')?.value).toEqual(['m']);
    expect(rows.find((r) => r.key === 'lmi.headroom')).toMatchObject({ value: 2, default: 2 });
  });
});
