/**
 * The bundled price book: the fallback when live Price List prices cannot be fetched, and the
 * prices of `npm start`'s sample. us-east-1 only; every figure and its source is in
 * bundled/SOURCES.md. Callers must tell the user when they fall back to it.
 */
import * as z from 'zod';
import { PriceBookError } from '../errors.js';
import data from './bundled/price-list.json' with { type: 'json' };
import { parsePriceList } from './price-list.js';
import type { PriceBook } from './types.js';

const bundledFileSchema = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  note: z.string(),
  items: z.array(z.object({}).loose()).min(1),
});

/** Parses the bundled price file (source 'bundled'); a fresh object on every call. */
export function loadBundledPriceBook(): PriceBook {
  const file = bundledFileSchema.safeParse(data);
  if (!file.success) {
    const issue = file.error.issues[0];
    throw new PriceBookError(
      `bundled price file src/prices/bundled/price-list.json: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
      { cause: file.error },
    );
  }
  return parsePriceList(file.data.items, { source: 'bundled', asOf: file.data.asOf });
}
