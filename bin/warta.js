#!/usr/bin/env node
// Entry point installed as `warta`. The TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import { runCli } from '../dist/cli.js';

process.exitCode = await runCli(process.argv.slice(2));
