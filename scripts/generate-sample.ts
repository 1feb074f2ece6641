import { fileURLToPath } from 'node:url';
import { writeSnapshot } from '../src/source/snapshot-writer.js';
import { generateAccount, SAMPLE_SEED } from './sample-generator.js';

/**
 * Writes the bundled sample account: `npx tsx scripts/generate-sample.ts [path]`
 * (default fixtures/sample-account.ndjson.gz). The output is byte-deterministic; a test checks that
 * the committed file equals a fresh generation.
 */

export const SAMPLE_PATH = fileURLToPath(new URL('../fixtures/sample-account.ndjson.gz', import.meta.url));

export async function writeSample(path: string = SAMPLE_PATH): Promise<{ functions: number }> {
  const { header, profiles } = generateAccount({ seed: SAMPLE_SEED });
  return writeSnapshot(path, header, profiles(), { gzipLevel: 9 });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? SAMPLE_PATH;
  const { functions } = await writeSample(path);
  console.log(`wrote ${path}: ${functions} functions`);
}
