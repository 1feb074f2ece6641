// Part of `npm run build`: bundles the what-if panel's script (src/whatif/browser.ts, the model
// and the renderer) with esbuild into dist/whatif-browser.js, which the compiled CLI embeds in
// report.html. Runs after tsc (it uses the compiled dist/src/whatif/bundle.js).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWhatIfBundle, PREBUILT_BUNDLE } from '../dist/src/whatif/bundle.js';
import { packageRoot } from '../dist/src/render/templates.js';

const code = await buildWhatIfBundle();
writeFileSync(join(packageRoot(), PREBUILT_BUNDLE), code);
