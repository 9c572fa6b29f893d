#!/usr/bin/env node
// Entry point installed as `warta`. The TypeScript is compiled to dist/ and bundled into dist/bundle/ by `npm ci`
// (the prepare script, scripts/build.mjs).
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code of the modules on disk (in the OS temp directory, or NODE_COMPILE_CACHE),
// so a later run skips most of parsing and compiling its ~300 modules. Node 20 has no such function: the
// guard makes it a no-op there, and a cache that cannot be written only leaves the start-up as it was.
// It must run before dist/ is loaded, hence the dynamic import below.
if (typeof module.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache();

// Stack traces name the bundle's files and functions. NODE_OPTIONS=--enable-source-maps maps them to src/*.ts
// lines, for any command, at a cost: a short command reads the maps (~0.3e9 instructions), and the daemon holds a
// chunk's parsed map (~10 MiB of heap) from the first stack trace that passes through it (the reliability load
// check saw a step of 10.5 MiB when `warta start` turned them on by default).

const { runCli } = await import('../dist/bundle/cli.js');

// `warta … | head`: a reader that closed the pipe wants no more output; that is not an error to crash on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
