import { existsSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { USER_AGENT } from '../base/version.js';
import { parseConfig, resolveConfigPath, type Config } from '../config/load.js';
import { fetchFeed, makeFetchAgent, PAGE_LOOPBACK_ENV, type FetchLimits } from '../pipeline/fetch/fetch.js';
import { fetchArticle, type FetchedArticle } from '../pipeline/page/article.js';
import { makeReaderPool } from '../pipeline/page/reader-pool.js';
import { sanitizeHtml } from '../publish/sanitize.js';
import { EXIT, type CliContext } from './context.js';

/** The test-only switch that lets loopback pages through (see PAGE_LOOPBACK_ENV). */
export const ALLOW_LOOPBACK_ENV = PAGE_LOOPBACK_ENV;

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

export interface ExtractOpts {
  json?: boolean;
  selector?: string;
  config?: string;
}

/** Runs `warta extract` (loaded only when the command runs: it needs the fetcher, a DOM and the sanitizer). */
export async function extractCommand(url: string, opts: ExtractOpts, ctx: CliContext): Promise<number> {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    process.stderr.write(`warta extract: not an http(s) URL: ${url}\n`);
    return EXIT.usage;
  }
  if (opts.selector !== undefined && !validSelector(opts.selector)) {
    process.stderr.write(`warta extract: not a CSS selector: ${opts.selector}\n`);
    return EXIT.usage;
  }
  const config = readConfigOrDefaults(opts.config, ctx);
  if (!config) return EXIT.config;
  // Page URLs come from third parties (a feed's links): non-public addresses are refused whatever
  // fetch.block_private_addresses says (issue 12).
  const limits: FetchLimits = {
    timeoutMs: config.fetch.timeoutMs,
    maxBody: config.fetch.maxBody,
    maxRedirects: 5,
    userAgent: USER_AGENT,
    blockPrivateAddresses: true,
    allowLoopback: ctx.env[ALLOW_LOOPBACK_ENV] === '1',
  };
  const agent = makeFetchAgent(limits);
  // The daemon's reader, with its time and memory limits: the preview fails where the daemon would.
  const reader = makeReaderPool({ size: () => 1, timeLimitMs: () => config.fetch.pageTimeLimitMs });
  try {
    const fetchPage = (u: string) => fetchFeed(agent, { url: u, etag: null, lastModified: null, accept: HTML_ACCEPT }, limits, () => new Date());
    const result = await fetchArticle(fetchPage, url, { contentSelector: opts.selector ?? null }, reader);
    if ('error' in result) {
      process.stderr.write(`warta extract: ${result.error.code}: ${result.error.message}\n`);
      return EXIT.sourceFailed;
    }
    const a = result.ok;
    if (a.selectorEmpty) process.stderr.write(`warta extract: selector_empty: ${opts.selector} matched nothing on ${a.url}\n`);
    process.stdout.write(opts.json ? `${JSON.stringify(toJson(a), null, 2)}\n` : formatText(a));
    return EXIT.ok;
  } finally {
    await reader.close();
    await agent.close();
  }
}

/** The JSON an admin sees: the fields issue 12 names, html sanitized as every output is. */
export function toJson(a: FetchedArticle) {
  return {
    url: a.url,
    canonical: a.canonical,
    title: a.title,
    published: a.published?.toISOString() ?? null,
    keywords: a.keywords,
    text: a.text,
    html: a.html ? sanitizeHtml(a.html, a.url) : '',
    pages: a.pages,
    is_article: a.isArticle,
    links: a.links,
  };
}

function formatText(a: FetchedArticle): string {
  const lines = [
    `url        ${a.url}`,
    `canonical  ${a.canonical ?? '-'}`,
    `title      ${a.title ?? '-'}`,
    `published  ${a.published?.toISOString() ?? '-'}`,
    `keywords   ${a.keywords.length ? a.keywords.join(' · ') : '-'}`,
    `pages      ${a.pages.length}`,
    `article    ${a.isArticle ? 'yes' : 'no (a listing page)'}`,
  ];
  if (!a.isArticle) lines.push(`links      ${a.links.length}`, ...a.links.map((l) => `  ${l}`));
  return `${lines.join('\n')}\n${a.text ? `\n${a.text}\n` : ''}`;
}

// The config's fetch limits when there is a config; the defaults when none was named and the default file is absent.
function readConfigOrDefaults(flag: string | undefined, ctx: CliContext): Config | null {
  const named = flag !== undefined || ctx.env.WARTA_CONFIG !== undefined;
  if (!named && !existsSync(resolveConfigPath(undefined, ctx.env))) return parseConfig('', '(defaults)');
  return ctx.readConfig(flag);
}

function validSelector(selector: string): boolean {
  try {
    (parseHTML('<p></p>') as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(selector);
    return true;
  } catch {
    return false;
  }
}
