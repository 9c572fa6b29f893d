#!/usr/bin/env node
// Compiles src/ to dist/ with tsc, and with --if-stale only when a source is newer than the last build.
// `npm ci` and `npm link` run it (the prepare script) and so does npx: the first `npx warta` in a checkout
// installs the checkout into npx's cache and runs prepare again, which recompiled an up-to-date dist/ for ~8 s.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
  for (const input of ['src', 'tsconfig.json', 'package.json']) visit(join(root, input));
  return newest;
}

function builtAt() {
  try {
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
// Stamped with the time the build started: a source saved during the build is newer, so the next run compiles.
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
utimesSync(stamp, new Date(started), new Date(started));
