import { describe, expect, it } from 'vitest';
import { checkAllowedInstanceTypes } from '../../src/config/instance-types.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';

/** lmi.allowedInstanceTypes is checked against the prices once they are known (issue 8, friction). */
describe('checkAllowedInstanceTypes', () => {
  const book = loadBundledPriceBook();
  const config = (types: string[]) => parseConfig({ lmi: { allowedInstanceTypes: types } }, 'cfg.yaml');

  it('refuses a type no analysed region prices, naming the dotted key and the type', () => {
    const act = () => checkAllowedInstanceTypes(config(['c7g.large', 'c9z.huge']), book, ['us-east-1'], 'cfg.yaml');
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/^cfg\.yaml: lmi\.allowedInstanceTypes\[1\]: "c9z\.huge" is not an instance type of the bundled price book .* for us-east-1/);
  });

  it('accepts priced types, and the default (empty: every priced type)', () => {
    expect(() => checkAllowedInstanceTypes(config(['c7g.large', 'm7g.xlarge']), book, ['us-east-1'], 'cfg.yaml')).not.toThrow();
    expect(() => checkAllowedInstanceTypes(config([]), book, ['us-east-1'], 'cfg.yaml')).not.toThrow();
  });

  it('judges nothing where no analysed region has instance prices (those functions are already "no prices")', () => {
    expect(() => checkAllowedInstanceTypes(config(['c9z.huge']), book, ['eu-west-1'], 'cfg.yaml')).not.toThrow();
  });
});
