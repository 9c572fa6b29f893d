#!/usr/bin/env node
// Compiles src/ to dist/ with tsc, then bundles the CLI into dist/bundle/ with esbuild; with --if-stale only when
// a source is newer than the last build. `npm ci` and `npm link` run it (the prepare script) and so does npx: the
// first `npx warta` in a checkout installs the checkout into npx's cache and runs prepare again, which
// recompiled an up-to-date dist/ for ~8 s.
//
// Why a bundle: a command's start-up was mostly Node's module loader, per file (resolving, reading, stat-ing,
// compiling ~300 ES and CommonJS modules, zod alone 95): `warta fetch` on 0 sources 2.60e9 instructions from
// dist/, 1.76-1.86e9 from the bundle (BENCHMARKS.md "Second pass (branch repoll15b)"). bin/warta.js runs the
// bundle; dist/ beside it stays tsc's file-per-module build (the typecheck's output, the worker threads' scripts,
// and the layout the bundle's paths are kept in, below).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stamp = join(root, 'dist', '.build-stamp');

/** The newest modification time among the inputs of the build (ms), and the file that has it. */
function newestInput() {
  let newest = { ms: 0, file: '' };
  const visit = (path) => {
    const s = statSync(path);
    if (s.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (s.mtimeMs > newest.ms) newest = { ms: s.mtimeMs, file: path };
  };
  // package-lock.json: dist/bundle/ holds copies of the packages, so a lockfile-only update (`npm update`, `npm audit
  // fix`) must rebuild it, or `npm start` keeps running the old packages' code.
  for (const input of ['src', 'tsconfig.json', 'package.json', 'package-lock.json']) if (existsSync(join(root, input))) visit(join(root, input));
  return newest;
}

function builtAt() {
  try {
    // A build from before the bundle (or one whose bundle was removed) is no build: bin/warta.js runs the bundle.
    statSync(join(root, 'dist', 'bundle', 'cli.js'));
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

if (process.argv.includes('--if-stale')) {
  const input = newestInput();
  if (builtAt() >= input.ms) {
    console.log('dist/ is up to date (npm run build compiles anyway)');
    process.exit(0);
  }
}
const started = Date.now();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
await bundle();
// Stamped with the time the build started: a source saved during the build is newer, so the next run compiles.
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
utimesSync(stamp, new Date(started), new Date(started));

/**
 * dist/bundle/: src/cli.ts and every package it imports (better-sqlite3, a native addon, stays outside) as ES
 * modules, split at each dynamic import so a command still loads only what it uses (`--version` no store, a 304
 * poll no feed parser). Each bundled module keeps the `import.meta.url` of its own file in dist/ (the tsc build),
 * so what it finds from there (package.json, migrations/, the worker threads' scripts, createRequire of a
 * package) is found alike in both layouts. CommonJS packages get the `require` of their chunk. Source maps
 * (linked, to src/*.ts) are read by Node when source maps are on: `warta start` turns them on (bin/warta.js),
 * other commands with NODE_OPTIONS=--enable-source-maps (reading them costs a short command ~0.3e9 instructions).
 * inputs.json lists the source files each bundle file holds (test/integration/cli-startup.test.ts reads it).
 */
async function bundle() {
  const entry = join(root, 'src', 'cli.ts');
  const out = join(root, 'dist', 'bundle');
  rmSync(out, { recursive: true, force: true });
  const { build } = await import('esbuild');
  const srcDir = join(root, 'src');
  const keepImportMetaUrl = {
    name: 'keep-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        const rel = relative(srcDir, args.path);
        if (!rel.startsWith('..') && text.includes('import.meta.url')) {
          const compiled = `../${rel.split(sep).join('/').replace(/\.ts$/, '.js')}`;
          text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, import.meta.url).href`);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
  const result = await build({
    entryPoints: { cli: entry },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    // pg-native: pg's optional native binding, required inside a try (absent here, as before).
    external: ['better-sqlite3', 'pg-native'],
    banner: { js: "import { createRequire as __wartaCreateRequire } from 'node:module'; const require = __wartaCreateRequire(import.meta.url);" },
    plugins: [keepImportMetaUrl],
  });
  const inputs = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    inputs[relative(out, join(root, file)).split(sep).join('/')] = Object.keys(output.inputs).map((i) => i.replace(/^src\/(.*)\.ts$/, 'dist/$1.js'));
  }
  writeFileSync(join(out, 'inputs.json'), `${JSON.stringify(inputs)}\n`);
}
