#!/usr/bin/env node
// Entry point installed as `warta`. The TypeScript is compiled to dist/ and bundled into dist/bundle/ by `npm ci`
// (the prepare script, scripts/build.mjs).
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code of the modules on disk (in the OS temp directory, or NODE_COMPILE_CACHE),
// so a later run skips most of parsing and compiling its ~300 modules. Node 20 has no such function: the
// guard makes it a no-op there, and a cache that cannot be written only leaves the start-up as it was.
// It must run before dist/ is loaded, hence the dynamic import below.
if (typeof module.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache();

// The daemon's logged stack traces name src/*.ts lines (the bundle's source maps); a short command does not pay
// for reading them (~0.3e9 instructions): NODE_OPTIONS=--enable-source-maps turns them on for any command.
if (process.argv[2] === 'start') process.setSourceMapsEnabled(true);

const { runCli } = await import('../dist/bundle/cli.js');

// `warta … | head`: a reader that closed the pipe wants no more output; that is not an error to crash on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
