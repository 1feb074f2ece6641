/**
 * The what-if script: src/whatif/browser.ts and the model and renderer it imports, bundled for
 * the browser by esbuild. `npm run build` writes it to dist/whatif-browser.js (shipped with the
 * package; esbuild stays a dev dependency, so installs and the Lambda bundle carry no native
 * esbuild binary). Run from the sources (tests, tsx), it is bundled here at render time, so the
 * page always runs the model code of the checkout.
 *
 * The renderer reads its templates with node:fs; in the bundle, node:fs, node:path and node:url
 * are small virtual modules serving the templates folder from memory.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot, templatesDir } from '../render/templates.js';

export const PREBUILT_BUNDLE = 'dist/whatif-browser.js';

/** Where the package lives inside the bundle's virtual file system. */
const VIRTUAL_ROOT = '/lmi-advisor';

function templateFiles(): Record<string, string> {
  const files: Record<string, string> = { [`${VIRTUAL_ROOT}/package.json`]: JSON.stringify({ name: 'lmi-advisor' }) };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.hbs')) files[`${VIRTUAL_ROOT}/${relative(packageRoot(), path).split('\\').join('/')}`] = readFileSync(path, 'utf8');
    }
  };
  walk(templatesDir());
  return files;
}

function virtualModules(): Record<string, string> {
  const files = JSON.stringify(templateFiles());
  return {
    fs: `const files = ${files};
const dirs = new Set();
for (const f of Object.keys(files)) { let d = f; while ((d = d.slice(0, d.lastIndexOf('/'))) !== '') dirs.add(d); }
export function existsSync(p) { return Object.hasOwn(files, p) || dirs.has(p); }
export function readFileSync(p) { if (!Object.hasOwn(files, p)) throw new Error('no file ' + p); return files[p]; }
export function readdirSync(p) { const pre = p + '/'; return [...new Set(Object.keys(files).filter((f) => f.startsWith(pre)).map((f) => f.slice(pre.length).split('/')[0]))]; }
export default { existsSync, readFileSync, readdirSync };`,
    path: `export function dirname(p) { const i = p.lastIndexOf('/'); return i <= 0 ? '/' : p.slice(0, i); }
export function join(...parts) { return parts.join('/').replace(/\\/+/g, '/'); }
export default { dirname, join };`,
    url: `export function fileURLToPath(u) { return String(u).replace(/^file:\\/\\//, ''); }
export default { fileURLToPath };`,
  };
}

/** Bundles browser.ts with esbuild (a dev dependency: only from the sources or at build time). */
export async function buildWhatIfBundle(): Promise<string> {
  // A name, not a literal: bundlers of the CLI or the Lambda (which reaches this module through
  // run.ts) must not pull esbuild and its native binary in; only the sources and the build call it.
  const packageName = 'esbuild';
  const esbuild = (await import(/* @vite-ignore */ packageName)) as typeof import('esbuild');
  const modules = virtualModules();
  const result = await esbuild.build({
    entryPoints: [join(packageRoot(), 'src', 'whatif', 'browser.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    // bench/whatif.ts --profile keeps the names, so the page's CPU profile shows them.
    ...(process.env.LMI_WHATIF_BUNDLE_NAMES === '1' ? { minifySyntax: true } : { minify: true }),
    legalComments: 'none',
    logLevel: 'silent',
    // templates.ts finds the package root from its own URL.
    define: { 'import.meta.url': JSON.stringify(`file://${VIRTUAL_ROOT}/src/render/templates.js`) },
    plugins: [
      {
        name: 'lmi-virtual-node',
        setup(build) {
          build.onResolve({ filter: /^(node:)?(fs|path|url)$/ }, (args) => ({ path: args.path.replace(/^node:/, ''), namespace: 'lmi-virtual' }));
          build.onLoad({ filter: /.*/, namespace: 'lmi-virtual' }, (args) => ({ contents: modules[args.path] ?? '', loader: 'js' }));
        },
      },
    ],
  });
  const code = result.outputFiles[0]?.text ?? '';
  if (/<\/script/i.test(code)) throw new Error('what-if bundle: contains "</script"; it cannot be inlined');
  return code;
}

let cached: Promise<string | null> | null = null;

/** Whether whatIfBundle() will give a script (from the sources, or the prebuilt file exists), without building it. */
export function whatIfBundleAvailable(): boolean {
  return fileURLToPath(import.meta.url).endsWith('.ts') || existsSync(join(packageRoot(), PREBUILT_BUNDLE));
}

/**
 * The bundle: built here when running from the sources, else the prebuilt file. null when
 * neither is available (a dist without the prebuilt file): the page is then rendered without
 * the panel.
 */
export function whatIfBundle(): Promise<string | null> {
  if (cached) return cached;
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const prebuilt = join(packageRoot(), PREBUILT_BUNDLE);
  cached = fromSources
    ? buildWhatIfBundle()
    : Promise.resolve(existsSync(prebuilt) ? readFileSync(prebuilt, 'utf8') : null);
  return cached;
}
