#!/usr/bin/env node
// Entry point installed as `warta`. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import { runCli } from '../dist/cli.js';

// `warta … | head`: a reader that closed the pipe wants no more output; that is not an error to crash on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
