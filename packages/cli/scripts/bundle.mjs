#!/usr/bin/env node
// Bundles the `psp-translate` bin: dist/bin.js (tsc's output) and everything it imports, workspace
// packages and third-party dependencies included, into bin/psp-translate.js plus split chunks.
//
// Why: resolving and loading a few hundred small ES and CommonJS modules (zod, yaml, commander,
// our packages) is most of the CLI's start-up time; one bundle starts in a fraction of it.
// What stays as it was:
// - lazy loading: every dynamic `import()` (targets, commands, the cdk8s printer) becomes a chunk
//   loaded only when the command needs it;
// - ts-morph and typescript stay external (and so in `dependencies`): they are big, only
//   `translate --format cdk8s` imports them, and ts-morph loads TypeScript by `require`;
// - the library (`exports`: dist/index.js) stays tsc's output; only the bin is bundled.
// All output files sit in one directory beside dist/, so `new URL('../package.json', import.meta.url)`
// (how the CLI reads its version) finds package.json from whichever file the code landed in.
//
// Run after `tsc -b` (root `build`/`prepare` do; `prepack` runs it before `pnpm pack`).
// Usage: node scripts/bundle.mjs   (from anywhere)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const entry = path.join(packageDir, 'dist', 'bin.js');
const outDir = path.join(packageDir, 'bin');

if (!existsSync(entry)) {
  console.error(`error: ${path.relative(process.cwd(), entry)} is missing: build with tsc -b first (root \`pnpm build\` does both)`);
  process.exit(2);
}

// CommonJS dependencies (commander, yaml, handlebars, cli-table3, ...) call `require` for Node's
// built-ins; an ES module has none, so each output file gets one.
const banner = "import { createRequire as __pspTranslateCreateRequire } from 'node:module';\nconst require = __pspTranslateCreateRequire(import.meta.url);";

// zod's `z` namespace re-exports every message locale (`z.locales.de()`, ~60 of them, ~40% of
// the chunk `ir` and `translate` load). We never switch locale: zod's schemas import English
// directly, so the namespace module is replaced by one exporting `en` only. Checked below: no
// module of ours mentions `locales`.
const ZOD_LOCALES = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const englishOnly = {
  name: 'zod-english-only',
  setup(bundle) {
    bundle.onLoad({ filter: ZOD_LOCALES }, () => ({ contents: "export { default as en } from './en.js';\n", loader: 'js' }));
  },
};

const result = await build({
  absWorkingDir: packageDir,
  entryPoints: { 'psp-translate': entry },
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ts-morph', 'typescript'],
  chunkNames: 'chunk-[hash]',
  banner: { js: banner },
  // Linked maps (back to the TypeScript sources through tsc's maps) for `node --enable-source-maps`
  // while developing; like dist's maps they are not packed.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'eof',
  logLevel: 'warning',
  write: false,
  metafile: true,
  plugins: [englishOnly],
});

const inputs = Object.keys(result.metafile.inputs);
if (!inputs.some((input) => ZOD_LOCALES.test(input))) {
  throw new Error('zod-english-only matched no module: zod moved its locales; update the filter or drop the plugin');
}
const ours = inputs.filter((input) => !input.includes('node_modules') && /\.js$/.test(input));
if (!ours.includes('dist/index.js')) throw new Error('the check below would see none of our modules: the metafile inputs changed shape');
const usesLocales = ours.filter((input) => /\blocales\b/.test(readFileSync(path.join(packageDir, input), 'utf8')));
if (usesLocales.length > 0) throw new Error(`${usesLocales.join(', ')} mention zod's locales, which the bundle leaves out (zod-english-only)`);

// Write atomically (temporary file, then rename): tests may bundle in parallel while another
// process runs the bin. Chunk names carry a content hash, so the same build writes the same files;
// the entry goes last, once every chunk it imports is in place.
mkdirSync(outDir, { recursive: true });
const entryFile = path.join(outDir, 'psp-translate.js');
const files = [...result.outputFiles].sort((a, b) => Number(a.path === entryFile) - Number(b.path === entryFile));
for (const file of files) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents, { mode: file.path === entryFile ? 0o755 : 0o644 });
  renameSync(temporary, file.path);
}
// Chunks of earlier builds would ship in the package: remove what this build did not write.
const written = new Set(files.map((file) => path.basename(file.path)));
for (const name of readdirSync(outDir)) {
  if (!written.has(name) && !name.endsWith('.tmp')) rmSync(path.join(outDir, name), { force: true });
}

// The bundle must run: a missing shim or a misplaced chunk fails here, not on a user's machine.
const version = execFileSync(process.execPath, [entryFile, '--version'], { encoding: 'utf8' }).trim();
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const outputs = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith('.js'));
const entryBytes = outputs.find(([name]) => name.endsWith('psp-translate.js'))?.[1].bytes ?? 0;
const total = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`bundled bin/psp-translate.js (${kib(entryBytes)}, ${outputs.length - 1} chunks, ${kib(total)} in all), version ${version}`);
