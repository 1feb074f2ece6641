import { ConfigError } from '../errors.js';
import type { PriceBook } from '../prices/types.js';
import type { Config } from './schema.js';

/**
 * `lmi.allowedInstanceTypes` checked against the prices once they are known: a type that no
 * analysed region prices (a typo, a family LMI does not use) would otherwise leave every function
 * without an instance to run on, and the report would say "insufficient data" instead of naming
 * the mistake. Regions without any instance price do not count (their functions already get a
 * "no prices" warning); when no region has one, nothing can be judged and nothing is refused.
 */
export function checkAllowedInstanceTypes(config: Config, priceBook: PriceBook, regions: readonly string[], configPath: string | undefined): void {
  const allowed = config.lmi.allowedInstanceTypes;
  if (allowed.length === 0) return;
  const priced = regions.map((r) => priceBook.regions[r]).filter((p) => p !== undefined && p.instances.length > 0);
  if (priced.length === 0) return;
  const known = new Set(priced.flatMap((p) => p!.instances.map((i) => i.instanceType)));
  allowed.forEach((type, index) => {
    if (known.has(type)) return;
    const examples = [...known].sort().slice(0, 6).join(', ');
    throw new ConfigError(
      configPath ?? 'config',
      `lmi.allowedInstanceTypes[${index}]`,
      `"${type}" is not an instance type of the ${priceBook.source} price book (${priceBook.asOf}) for ${priced.map((p) => p!.region).join(', ')} (C/M/R types such as ${examples})`,
    );
  });
}
