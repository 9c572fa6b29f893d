import { createRequire } from 'node:module';

let probe: { querySelector(s: string): unknown } | null = null;

/**
 * Whether linkedom (the DOM article pages are read with) accepts `selector`. Loaded only when a config names a
 * selector, so `warta --help` and check-config of other configs stay as light as before (cli-startup.test.ts).
 */
export function validSelector(selector: string): boolean {
  try {
    if (!probe) {
      const { parseHTML } = createRequire(import.meta.url)('linkedom') as typeof import('linkedom');
      probe = (parseHTML('<p></p>') as unknown as { document: { querySelector(s: string): unknown } }).document;
    }
    probe.querySelector(selector);
    return true;
  } catch {
    return false;
  }
}
