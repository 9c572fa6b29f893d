import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_THRESHOLD } from '../stories/compare.js';
import { DURATION_PATTERN, SIZE_PATTERN, parseDuration } from './units.js';
import { validSelector } from './selector.js';

// The one description of warta's config: the loader validates with it, and `warta schema` derives the JSON
// Schema for editors from it. Keys are snake_case as admins write them; unknown keys are errors (a typo must
// never silently fall back to a default).

const id = z.string().regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and "-" only ([a-z0-9-]+)');

const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http:// or https:// URL' },
);

// Patterns (not refinements) so the generated JSON Schema lets editors flag a bad value too.
const duration = (what: string) => z.string().regex(DURATION_PATTERN, `${what} must be a duration such as "20s", "5m", "24h"`);
const size = (what: string) => z.string().regex(SIZE_PATTERN, `${what} must be a size such as "10MiB", "512KiB"`);

/** "203.0.113.7", "10.0.0.0/8", "fd00::/8": an address, or a range with a prefix its family allows. */
function isAddressOrCidr(v: string): boolean {
  const [addr, prefix, ...rest] = v.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const LISTEN = /^(\[[0-9a-fA-F:]+\]|[^\s:]+):\d{1,5}$/;
const listen = z
  .string()
  .regex(LISTEN, 'must be host:port, e.g. "127.0.0.1:8080"')
  // What the shape allows but listen() would throw on (ERR_SOCKET_BAD_PORT) must fail here, before start.
  .refine((s) => {
    if (!LISTEN.test(s)) return true; // the pattern reports it
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1–65535');

// A selector linkedom cannot read would fail on every page: it is refused here, at FILE:LINE:COL.
const cssSelector = (what: string) =>
  z.string().min(1).refine(validSelector, { message: `${what} must be a CSS selector such as "div.article-body"` });

/** The config file's schema. */
export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        listen: listen.default('127.0.0.1:8080').describe('host:port the HTTP server listens on'),
        base_url: httpUrl.optional().describe('public URL of this warta, used in self links and OPML (default: http://<listen>)'),
        admin_token: z
          .string()
          .min(16, 'admin_token must be at least 16 characters (use a random string, e.g. from ${ENV})')
          .optional()
          .describe('token for the admin routes (/api/*, /metrics, source health on /): Authorization: Bearer <token>; unset: loopback clients only'),
        rate_limit: z
          .strictObject({
            requests_per_minute: z.number().int().min(0).default(600).describe('requests per minute per client address on the public routes (0: no limit)'),
            burst: z.number().int().min(1).default(120).describe('requests a client may make at once before the per-minute rate applies'),
            concurrent_renders: z.number().int().min(1).max(1024).default(8).describe('feed and page renders in progress at once for public clients'),
          })
          .prefault({})
          .describe('limits on the public routes; past them: 429 with Retry-After'),
        trusted_proxies: z
          .array(
            z.string().refine((v) => isAddressOrCidr(v), { message: 'must be an IP address or a CIDR range such as "10.0.0.0/8" or "fd00::/8"' }),
          )
          .default([])
          .describe('reverse proxies (IP addresses or CIDR ranges) whose X-Forwarded-For / Forwarded / X-Real-IP name the client that rate limits count'),
      })
      .prefault({}),
    storage: z
      .strictObject({
        path: z.string().min(1).default('data/warta.db').describe('SQLite database file, relative to the working directory'),
        url: z
          .string()
          .regex(/^(postgres(ql)?:\/\/\S+|sqlite:\S+)$/i, 'must be "postgres://user:pass@host:5432/db" (PostgreSQL) or "sqlite:path/to/warta.db"')
          .optional()
          .describe('postgres://user:pass@host:5432/db selects PostgreSQL (use ${ENV} for the password); sqlite:PATH is storage.path (env WARTA_DB_URL)'),
        pool_size: z.number().int().min(1).max(100).default(10).describe('PostgreSQL: connections in the pool'),
        statement_timeout: duration('statement_timeout').default('30s').describe('PostgreSQL: a statement (lock waits included) running longer fails and is retried later'),
        lease: duration('lease')
          // Renewed every third of it: shorter than 3 s, one slow round trip to the database would lose it.
          .refine((v) => (parseDuration(v) ?? 0) >= 3000, 'lease must be at least "3s" (it is renewed every third of it)')
          .default('60s').describe('PostgreSQL, several daemons: how long a daemon that stopped answering keeps its sources before another polls them'),
        retention_days: z.number().int().min(1).optional().describe('remove items first seen more than this many days ago (default: keep forever)'),
      })
      .prefault({}),
    fetch: z
      .strictObject({
        schedule: z.string().default('*/15 * * * *').describe('default cron expression for sources'),
        timezone: z.string().default('UTC').describe('IANA zone cron expressions are evaluated in'),
        timeout: duration('timeout').default('20s').describe('deadline for one whole fetch, body included'),
        max_body: size('max_body').default('10MiB').describe('cap on a decoded feed body'),
        concurrency: z.number().int().min(1).max(256).default(16).describe('fetches in flight at once'),
        per_host: z.number().int().min(1).max(64).default(2).describe('fetches in flight at once to one registrable domain'),
        min_interval: duration('min_interval').default('5m').describe('a source is never polled more often than this'),
        max_interval: duration('max_interval').default('24h').describe('feed hints (ttl, skipHours, Cache-Control …) never stretch the interval past this'),
        host_pause_max: duration('host_pause_max').default('5m').describe('longest pause of a host after 429/503 with Retry-After'),
        redirect_persist_after: z.number().int().min(1).max(100).default(3).describe('consecutive polls that must see the same 301/308 before the new URL is kept'),
        block_private_addresses: z.boolean().default(false).describe('refuse sources that resolve to loopback, private or link-local addresses'),
        page_concurrency: z.number().int().min(1).max(64).default(4).describe('article pages (full_text sources) fetched at once; feed polls go first'),
        page_time_limit: duration('page_time_limit').default('10s').describe('longest reading of one fetched page (parsing and extracting the article, off the event loop); past it the reader is stopped and the page recorded as extract_timeout'),
      })
      .prefault({}),
    sources: z
      .array(
        z.strictObject({
          id: id.describe('unique id of the source ([a-z0-9-]+)'),
          url: httpUrl.describe('feed URL (RSS, Atom or JSON Feed); its userinfo and secret query values are shown as ***'),
          private: z.boolean().optional().describe('keep this source\'s items out of every public route: only private outputs naming it and the admin see them'),
          title: z.string().optional().describe('display name (default: the feed’s own title)'),
          schedule: z.string().optional().describe('cron expression (default: fetch.schedule)'),
          max_items: z.number().int().min(1).optional().describe('keep only this many newest items of this source (default: all)'),
          priority: z.number().finite().default(0).describe('a story (items of several sources reporting one event) is represented in collapsed outputs by its member from the source with the highest priority; ties: the earliest'),
          tags: z.array(z.string().min(1)).optional().describe('tags every item of this source carries'),
          from_categories: z
            .union([z.boolean(), z.record(z.string(), z.string().min(1))])
            .optional()
            .describe('publisher categories as tags: true = a category named like a configured tag applies it; or a map {category: tag}'),
          type: z.enum(['feed', 'html']).optional().describe('feed (default), or html: a section page with no feed whose article links become items, each page read as with full_text'),
          items: cssSelector('items').optional().describe('type: html: CSS selector of the article links (or their containers) on the page (default: found automatically)'),
          full_text: z
            .union([z.boolean(), z.literal('tag_only')])
            .optional()
            .describe('fetch each new item\'s page and store the article as its content (true), or use it for tagging only and publish the feed\'s summary (tag_only)'),
          publisher_keywords: z.boolean().optional().describe('the article page\'s own keywords become tags (with full_text)'),
          content_selector: cssSelector('content_selector').optional().describe('CSS selector of the article on its page, when automatic extraction fails'),
          remove: z.array(cssSelector('remove')).optional().describe('CSS selectors of parts to drop inside the article'),
        }),
      )
      .default([]),
    tags: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe('tag name, shown to readers; its slug names the tag feed'),
          match: z.string().min(1).describe('query: terms, "phrases", AND, OR, NOT, parentheses, prefix*, NEAR/n, field:, /regex/'),
          aliases: z.array(z.string().min(1)).optional().describe('phrases that also apply the tag'),
          stem: z.enum(['id']).nullable().optional().describe('Indonesian stemming for this tag (default: tagging.stem)'),
        }),
      )
      .default([]),
    outputs: z
      .array(
        z.strictObject({
          id: id.describe('unique id; served at /feeds/<id>.rss|.atom|.json'),
          title: z.string().min(1),
          description: z.string().optional(),
          tags: z.array(z.string().min(1)).min(1).optional().describe('items carrying any of these tags are published'),
          match: z.string().min(1).optional().describe('a query items must also satisfy (alone, it defines the output)'),
          sources: z.array(z.string().min(1)).min(1).optional().describe('only items of these sources'),
          limit: z.number().int().min(1).max(1000).default(50).describe('newest items published (1–1000)'),
          collapse: z.boolean().default(false).describe('one entry per story: its representative, with the other outlets listed under "Juga diberitakan oleh:"'),
          token: z
            .string()
            .min(16, 'token must be at least 16 characters (use a random string, e.g. from ${ENV})')
            .optional()
            .describe('makes the output private: served only with ?token=<token>, never listed'),
        }),
      )
      .default([]),
    stories: z
      .strictObject({
        window: duration('window').default('72h').describe('items join a story only when published within this of its first item'),
        threshold: z
          .number()
          .min(0.05, 'threshold must be between 0.05 and 1')
          .max(1, 'threshold must be between 0.05 and 1')
          .default(DEFAULT_THRESHOLD)
          .describe('similarity (0.05–1) at or above which two items of different sources, with no differing names or numbers, are one story; a change re-clusters the window'),
        ignore_params: z
          .array(z.string().min(1).regex(/^[^\s=&?#]+$/, 'must be a query parameter name'))
          .default([])
          .describe('more query parameters to remove from links (canonical URLs and published links), besides utm_*, fbclid, gclid, dclid, mc_cid, mc_eid, _ga, yclid, igshid'),
      })
      .prefault({})
      .describe('stories: items of several sources reporting one event'),
    tagging: z
      .strictObject({
        stem: z.enum(['id']).nullable().default(null).describe('Indonesian stemming for every tag (per tag: tags[].stem)'),
      })
      .prefault({}),
    redact: z
      .strictObject({
        query_params: z
          .array(z.string().min(1))
          .default([])
          .describe('more query parameter names whose values are secret, besides key, apikey, api_key, token, access_token, secret, password, pass, auth, sig, signature'),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      })
      .prefault({}),
  })
  .describe('warta configuration');

/** The config as written, after defaults. */
export type ConfigInput = z.infer<typeof configSchema>;
