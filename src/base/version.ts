import { readFileSync } from 'node:fs';

/** warta's version, from package.json (src/ and dist/ are both one level below it). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The User-Agent warta fetches with, so publishers can identify and contact the software. */
export const USER_AGENT = `warta/${VERSION}`;
