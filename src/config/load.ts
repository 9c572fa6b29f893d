import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import { WartaError } from '../base/errors.js';
import { slugify } from '../tagging/index.js';
import { checkSemantics } from './checks.js';
import { checkAccess } from './access-warnings.js';
import { checkHost } from './host-checks.js';
import { locateIssue, nodeLocation, yamlHint } from './locate.js';
import { configSchema, type ConfigInput } from './schema.js';
import { configCache, jsonSafe, type ConfigCache } from './cache.js';
import { parseDuration, parseSize } from './units.js';

/** The validated, frozen configuration every module receives. */
export interface Config {
  file: string;
  server: {
    host: string;
    port: number;
    baseUrl: string;
    /** Required by the admin routes when set; null: they answer loopback clients only. */
    adminToken: string | null;
    /** Per client address on the public routes; perMinute 0: no rate limit. */
    rateLimit: { perMinute: number; burst: number; concurrentRenders: number };
    /** Reverse proxies whose forwarding headers name the client (addresses or CIDR ranges). */
    trustedProxies: string[];
  };
  /** `url`: a PostgreSQL database (null: SQLite at `path`). */
  storage: { path: string; url: string | null; poolSize: number; statementTimeoutMs: number; leaseMs: number; retentionDays: number | null };
  fetch: {
    schedule: string;
    timezone: string;
    timeoutMs: number;
    maxBody: number;
    concurrency: number;
    perHost: number;
    minIntervalMs: number;
    maxIntervalMs: number;
    hostPauseMaxMs: number;
    redirectPersistAfter: number;
    blockPrivateAddresses: boolean;
    /** Article pages fetched at once (full_text sources). */
    pageConcurrency: number;
    /** Longest reading (parse and extraction) of one fetched page, in a page reader thread. */
    pageTimeLimitMs: number;
  };
  sources: readonly {
    id: string;
    url: string;
    title: string | null;
    schedule: string;
    maxItems: number | null;
    tags: readonly string[];
    /** Publisher category (as written) → tag, or 'same-name' to apply a tag whose name the category equals. */
    fromCategories: 'same-name' | Readonly<Record<string, string>> | null;
    /** Items only for the admin and for private outputs naming this source. */
    private: boolean;
    /** A collapsed output shows a story as its member from the source with the highest priority. */
    priority: number;
    /** 'html': a section page with no feed; its article links become items (their pages are read as full_text). */
    type: 'feed' | 'html';
    /** type html: CSS selector of the article links; null: found automatically. */
    items: string | null;
    /** Whole articles: 'full' publishes the article as the item's content, 'tag_only' tags on it only; null: off. */
    fullText: 'full' | 'tag_only' | null;
    /** The article page's own keywords become tags. */
    publisherKeywords: boolean;
    contentSelector: string | null;
    remove: readonly string[];
  }[];
  tags: readonly { name: string; slug: string; match: string; aliases: readonly string[]; stem: 'id' | null }[];
  outputs: readonly {
    id: string;
    title: string;
    description: string;
    /** Empty: no tag filter. */
    tags: readonly string[];
    match: string | null;
    /** Empty: every source. */
    sources: readonly string[];
    limit: number;
    token: string | null;
    /** One entry per story. */
    collapse: boolean;
  }[];
  /** Stories (issue 13): the window a story grows in, the similarity that makes one, parameters links lose. */
  stories: { windowMs: number; threshold: number; ignoreParams: readonly string[] };
  /** Query parameter names whose values are secret, besides base/redact.ts SECRET_PARAMS. */
  redact: { queryParams: readonly string[] };
  log: { level: string };
  /** Things that work but are probably not what the admin meant (warta check-config prints them). */
  warnings: readonly ConfigProblem[];
}

/** One problem in a config file, located for the admin's editor. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Thrown when the config cannot be used; carries every problem found, not just the first. */
export class ConfigError extends WartaError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('config_invalid', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** `FILE:LINE:COL: message`, the form editors and CI annotators understand. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Which config file to use: --config, else WARTA_CONFIG, else config/warta.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.WARTA_CONFIG ?? 'config/warta.yaml';
}

/** What else to check beyond the file itself. */
export interface LoadOptions {
  /** Also check the config against this machine (database path writable, listen address): see host-checks.ts. */
  checkHost?: boolean;
}

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError([{ file, line: 1, col: 1, message: `cannot read config: ${reason}` }]);
  }
  // A large file read again unchanged: yaml's value of it from the last run (cache.ts).
  const cache = configCache(text, file, env);
  const kept = cache?.read();
  return validate(text, file, env, options, kept, kept === undefined ? cache : null);
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}, options: LoadOptions = {}): Config {
  return validate(text, file, env, options, undefined, null);
}

/**
 * Validates the value of `text` (`kept`: yaml's value of it from the cache, else parsed here, and kept in `cache`).
 * The YAML document, with its positions, is parsed only where a problem or a warning needs a line and column.
 */
function validate(text: string, file: string, env: NodeJS.ProcessEnv, options: LoadOptions, kept: unknown, cache: ConfigCache | null): Config {
  let parsedDoc: { doc: Document; lines: LineCounter } | null = null;
  const source = () => (parsedDoc ??= parseYaml(text, file));
  const at = (offset: number, message: string): ConfigProblem => {
    const pos = source().lines.linePos(offset);
    return { file, line: pos.line, col: pos.col, message };
  };
  let value = kept;
  if (value === undefined) {
    value = source().doc.toJS() ?? {};
    // Kept before substitution: the environment is applied afresh on every run, and no variable's value is written.
    if (cache && jsonSafe(value)) cache.write(JSON.stringify(value));
  }
  // `${VAR}` in values; a problem with one is reported at its place in the document.
  if (!substituteValues(value, env)) {
    const problems = substituteEnv(source().doc, env, at);
    throw new ConfigError(problems.length ? problems : [at(0, 'a ${VAR} reference could not be substituted')]);
  }

  const raw = value as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError([at(0, 'config must be a mapping of sections (server, sources, tags, outputs …)')]);
  const overrides = applyEnvOverrides(raw, env);
  // A value from the environment is not in the file: say where it came from.
  const fromEnv = (path: string, p: ConfigProblem): ConfigProblem => {
    const name = overrides.get(path);
    return name ? { ...p, message: `${name}=${JSON.stringify(env[name])}: ${p.message}` } : p;
  };

  // Schema problems and cross-field problems are reported together, so one run lists everything to fix.
  const where = (path: (string | number)[], message: string, column = 1) => {
    const loc = nodeLocation(source().doc, path);
    const p = at(loc.offset, message);
    // `column` (1-based) points inside a string value, e.g. at a query's syntax error.
    return column > 1 && loc.exact ? { ...p, col: p.col + loc.quote + column - 1 } : p;
  };
  const problems: ConfigProblem[] = [];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = locateIssue(source().doc, issue, at);
      // A value from the environment is not in the file: say where it came from.
      problems.push(fromEnv(issue.path.join('.'), p));
    }
  }
  problems.push(...checkSemantics(raw, where));
  if (problems.length || !parsed.success) throw new ConfigError(sortProblems(problems));
  const config = freeze(parsed.data, file, sortProblems(checkAccess(raw, where)));
  if (options.checkHost) {
    const host = checkHost(config).map((h) => fromEnv(h.path.join('.'), where(h.path, h.message)));
    if (host.length) throw new ConfigError(host);
  }
  return config;
}

/** The YAML document of `text` with its line counter; its syntax errors as a ConfigError. */
function parseYaml(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const p = { file, line: pos.line, col: pos.col, message: e.message.split('\n')[0]! };
    // One slip often yields two parser errors on one line; the hint once is enough.
    const hint = problems.some((q) => q.line === p.line) ? '' : yamlHint(e.code, p.message);
    problems.push(hint ? { ...p, message: `${p.message} (${hint})` } : p);
  }
  if (problems.length) throw new ConfigError(problems);
  return { doc, lines };
}

/**
 * Replaces `${NAME}` in the string values (not the keys) of a parsed document, as substituteEnv does in the
 * document; false when a reference is malformed or unset (substituteEnv then says where).
 */
function substituteValues(value: unknown, env: NodeJS.ProcessEnv): boolean {
  let ok = true;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${') ? substituteString(v, env, () => (ok = false)) : v;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = walk(v[i]);
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) (v as Record<string, unknown>)[k] = walk((v as Record<string, unknown>)[k]);
    return v;
  };
  walk(value);
  return ok;
}

/**
 * Replaces `${NAME}` in string values with environment variables, so secrets (output tokens) stay out of the
 * file; `$${` writes a literal `${`. An unset variable is an error at its position, never an empty string.
 */
function substituteEnv(doc: Document, env: NodeJS.ProcessEnv, at: (offset: number, message: string) => ConfigProblem): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = substituteString(node.value, env, (message) => problems.push(at(node.range?.[0] ?? 0, message)));
    },
  });
  return problems;
}

/**
 * One string's `${NAME}` references replaced from `env`; `$${` is a literal `${`. A malformed or unset reference
 * stays as written and `problem` is told why (the same rule for the document and for a cached value).
 */
function substituteString(s: string, env: NodeJS.ProcessEnv, problem: (message: string) => void): string {
  return s.replace(/\$?\$\{([^}]*)\}/g, (whole: string, name: string) => {
    if (whole.startsWith('$$')) return whole.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problem(`"\${${name}}" is not a valid environment variable reference`);
      return whole;
    }
    const value = env[name];
    if (value === undefined) {
      problem(`environment variable ${name} is not set (referenced as \${${name}})`);
      return whole;
    }
    return value;
  });
}

/** Container-friendly overrides; they are validated like the file's own values. Returns key path → variable. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const section = (name: string) => {
    const s = raw[name];
    if (s && typeof s === 'object' && !Array.isArray(s)) return s as Record<string, unknown>;
    return (raw[name] = {}) as Record<string, unknown>;
  };
  const applied = new Map<string, string>();
  for (const [name, sectionName, key] of ENV_OVERRIDES) {
    if (!env[name]) continue;
    section(sectionName)[key] = env[name];
    applied.set(`${sectionName}.${key}`, name);
  }
  return applied;
}

const ENV_OVERRIDES = [
  ['WARTA_LISTEN', 'server', 'listen'],
  ['WARTA_BASE_URL', 'server', 'base_url'],
  ['WARTA_DB', 'storage', 'path'],
  ['WARTA_DB_URL', 'storage', 'url'],
  ['WARTA_ADMIN_TOKEN', 'server', 'admin_token'],
] as const;

function freeze(c: ConfigInput, file: string, warnings: ConfigProblem[]): Config {
  const [, host = '127.0.0.1', port = '8080'] = /^\[?(.*?)\]?:(\d+)$/.exec(c.server.listen) ?? [];
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const baseUrl = (c.server.base_url ?? `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`).replace(/\/+$/, '');
  const config: Config = {
    file,
    server: {
      host,
      port: Number(port),
      baseUrl,
      adminToken: c.server.admin_token ?? null,
      rateLimit: { perMinute: c.server.rate_limit.requests_per_minute, burst: c.server.rate_limit.burst, concurrentRenders: c.server.rate_limit.concurrent_renders },
      trustedProxies: c.server.trusted_proxies,
    },
    storage: {
      ...storagePlace(c.storage.path, c.storage.url),
      poolSize: c.storage.pool_size,
      statementTimeoutMs: parseDuration(c.storage.statement_timeout)!,
      leaseMs: parseDuration(c.storage.lease)!,
      retentionDays: c.storage.retention_days ?? null,
    },
    fetch: {
      schedule: c.fetch.schedule,
      timezone: c.fetch.timezone,
      timeoutMs: parseDuration(c.fetch.timeout)!,
      maxBody: parseSize(c.fetch.max_body)!,
      concurrency: c.fetch.concurrency,
      perHost: c.fetch.per_host,
      minIntervalMs: parseDuration(c.fetch.min_interval)!,
      maxIntervalMs: parseDuration(c.fetch.max_interval)!,
      hostPauseMaxMs: parseDuration(c.fetch.host_pause_max)!,
      redirectPersistAfter: c.fetch.redirect_persist_after,
      blockPrivateAddresses: c.fetch.block_private_addresses,
      pageConcurrency: c.fetch.page_concurrency,
      pageTimeLimitMs: parseDuration(c.fetch.page_time_limit)!,
    },
    sources: c.sources.map((s) => ({
      id: s.id,
      url: s.url,
      title: s.title ?? null,
      schedule: s.schedule ?? c.fetch.schedule,
      maxItems: s.max_items ?? null,
      tags: s.tags ?? [],
      fromCategories: s.from_categories === true ? 'same-name' : s.from_categories ? s.from_categories : null,
      private: s.private ?? false,
      priority: s.priority,
      type: s.type ?? 'feed',
      items: s.items ?? null,
      fullText: s.full_text === 'tag_only' ? 'tag_only' : s.full_text === true || s.type === 'html' ? 'full' : null,
      publisherKeywords: s.publisher_keywords ?? false,
      contentSelector: s.content_selector ?? null,
      remove: s.remove ?? [],
    })),
    tags: c.tags.map((t) => ({ name: t.name, slug: slugify(t.name), match: t.match, aliases: t.aliases ?? [], stem: t.stem === undefined ? c.tagging.stem : t.stem })),
    outputs: c.outputs.map((o) => ({ id: o.id, title: o.title, description: o.description ?? o.title, tags: o.tags ?? [], match: o.match ?? null, sources: o.sources ?? [], limit: o.limit, token: o.token ?? null, collapse: o.collapse })),
    stories: { windowMs: parseDuration(c.stories.window)!, threshold: c.stories.threshold, ignoreParams: c.stories.ignore_params },
    redact: { queryParams: c.redact.query_params },
    log: { level: c.log.level },
    warnings,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Where the data is: `sqlite:PATH` is storage.path written as a URL; a postgres:// URL is kept as it is. */
function storagePlace(path: string, url: string | undefined): { path: string; url: string | null } {
  const file = (p: string) => (p === ':memory:' ? ':memory:' : resolve(p));
  if (url === undefined) return { path: file(path), url: null };
  if (/^sqlite:/i.test(url)) return { path: file(url.slice('sqlite:'.length)), url: null };
  return { path: file(path), url };
}
