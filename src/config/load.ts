import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cron from 'node-cron';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { WartaError } from '../errors.js';
import { compileTagger, QuerySyntaxError, slugify } from '../tagging/index.js';
import { configSchema, type ConfigInput } from './schema.js';
import { parseDuration, parseSize } from './units.js';

/** The validated, frozen configuration every module receives. */
export interface Config {
  file: string;
  server: { host: string; port: number; baseUrl: string };
  storage: { path: string; retentionDays: number | null };
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
  }[];
  log: { level: string };
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

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError([{ file, line: 1, col: 1, message: `cannot read config: ${reason}` }]);
  }
  return parseConfig(text, file, env);
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ConfigProblem => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, col: pos.col, message };
  };
  const problems: ConfigProblem[] = doc.errors.map((e) => at(e.pos[0], e.message.split('\n')[0]!));
  if (problems.length) throw new ConfigError(problems);

  problems.push(...substituteEnv(doc, env, at));
  if (problems.length) throw new ConfigError(problems);

  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([at(0, 'config must be a mapping of sections (server, sources, tags, outputs …)')]);
  applyEnvOverrides(raw, env);

  // Schema problems and cross-field problems are reported together, so one run lists everything to fix.
  const where = (path: (string | number)[], message: string, column = 1) => {
    const loc = nodeLocation(doc, path);
    const p = at(loc.offset, message);
    // `column` (1-based) points inside a string value, e.g. at a query's syntax error.
    return column > 1 && loc.exact ? { ...p, col: p.col + loc.quote + column - 1 } : p;
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(locateIssue(doc, issue, at));
  problems.push(...checkSemantics(raw, where));
  if (problems.length || !parsed.success) throw new ConfigError(sortProblems(problems));
  const input = parsed.data;
  return freeze(input, file);
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
      node.value = node.value.replace(/\$?\$\{([^}]*)\}/g, (whole: string, name: string) => {
        if (whole.startsWith('$$')) return whole.slice(1);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          problems.push(at(node.range?.[0] ?? 0, `"\${${name}}" is not a valid environment variable reference`));
          return whole;
        }
        const value = env[name];
        if (value === undefined) {
          problems.push(at(node.range?.[0] ?? 0, `environment variable ${name} is not set (referenced as \${${name}})`));
          return whole;
        }
        return value;
      });
    },
  });
  return problems;
}

/** Container-friendly overrides; they are validated like the file's own values. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const section = (name: string) => {
    const s = raw[name];
    if (s && typeof s === 'object' && !Array.isArray(s)) return s as Record<string, unknown>;
    return (raw[name] = {}) as Record<string, unknown>;
  };
  if (env.WARTA_LISTEN) section('server').listen = env.WARTA_LISTEN;
  if (env.WARTA_BASE_URL) section('server').base_url = env.WARTA_BASE_URL;
  if (env.WARTA_DB) section('storage').path = env.WARTA_DB;
}

type Where = (path: (string | number)[], message: string, column?: number) => ConfigProblem;

/**
 * Cross-field checks the schema cannot express. They read the raw document defensively (any value may have the
 * wrong type, which the schema reports) so they run even when the schema failed.
 */
function checkSemantics(raw: Record<string, unknown>, where: Where): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const list = (v: unknown) => (Array.isArray(v) ? v.map(obj) : []);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const fetch = obj(raw.fetch);
  const zone = str(fetch.timezone);
  if (zone !== undefined && !validZone(zone)) problems.push(where(['fetch', 'timezone'], `unknown time zone "${zone}" (use an IANA name such as "Asia/Jakarta")`));
  const checkCron = (expr: string | undefined, path: (string | number)[]) => {
    if (expr !== undefined && !cron.validate(expr)) problems.push(where(path, `invalid cron expression "${expr}" (five fields: minute hour day month weekday)`));
  };
  checkCron(str(fetch.schedule), ['fetch', 'schedule']);
  const minI = parseDuration(str(fetch.min_interval) ?? '5m');
  const maxI = parseDuration(str(fetch.max_interval) ?? '24h');
  if (minI !== null && maxI !== null && minI > maxI) problems.push(where(['fetch', 'min_interval'], 'fetch.min_interval must not be longer than fetch.max_interval'));

  const sources = list(raw.sources);
  const tags = list(raw.tags);
  const outputs = list(raw.outputs);
  const duplicates = (items: Record<string, unknown>[], key: string, section: string) => {
    const seen = new Map<string, number>();
    items.forEach((x, i) => {
      const v = str(x[key]);
      if (v === undefined) return;
      const first = seen.get(v);
      if (first !== undefined) problems.push(where([section, i, key], `duplicate ${section.replace(/s$/, '')} ${key} "${v}" (first at ${section}[${first}])`));
      else seen.set(v, i);
    });
  };
  duplicates(sources, 'id', 'sources');
  duplicates(tags, 'name', 'tags');
  duplicates(outputs, 'id', 'outputs');
  sources.forEach((s, i) => checkCron(str(s.schedule), ['sources', i, 'schedule']));

  const slugs = new Map<string, string>();
  tags.forEach((t, i) => {
    const name = str(t.name);
    const match = str(t.match);
    if (name !== undefined) {
      const slug = slugify(name);
      if (slug === '') problems.push(where(['tags', i, 'name'], `tag "${name}" has no letters or digits to make a URL slug from`));
      else if (slugs.has(slug) && slugs.get(slug) !== name) problems.push(where(['tags', i, 'name'], `tag "${name}" has the same slug "${slug}" as tag "${slugs.get(slug)}"`));
      else slugs.set(slug, name);
    }
    if (match === undefined || match.trim() === '') return;
    try {
      compileTagger([{ name: name ?? `#${i}`, match, aliases: Array.isArray(t.aliases) ? t.aliases.filter((a): a is string => typeof a === 'string') : [] }]);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      problems.push(where(['tags', i, 'match'], `tag "${name ?? i}": ${err.detail} (column ${err.column} of the query)`, err.column));
    }
  });

  const tagNames = new Set(tags.map((t) => str(t.name)).filter((n) => n !== undefined));
  const sourceIds = new Set(sources.map((s) => str(s.id)).filter((n) => n !== undefined));
  const knownTags = (list: unknown, path: (string | number)[], owner: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((name: unknown, j: number) => {
      if (typeof name === 'string' && !tagNames.has(name)) problems.push(where([...path, j], `${owner} names unknown tag "${name}"`));
    });
  };
  sources.forEach((s, i) => {
    knownTags(s.tags, ['sources', i, 'tags'], `source "${str(s.id) ?? i}"`);
    const map = s.from_categories;
    if (map && typeof map === 'object' && !Array.isArray(map)) {
      for (const [category, tag] of Object.entries(map as Record<string, unknown>)) {
        if (typeof tag === 'string' && !tagNames.has(tag)) problems.push(where(['sources', i, 'from_categories', category], `source "${str(s.id) ?? i}" maps category "${category}" to unknown tag "${tag}"`));
      }
    }
  });
  outputs.forEach((o, i) => {
    const owner = `output "${str(o.id) ?? i}"`;
    knownTags(o.tags, ['outputs', i, 'tags'], owner);
    if (Array.isArray(o.sources)) {
      o.sources.forEach((id: unknown, j: number) => {
        if (typeof id === 'string' && !sourceIds.has(id)) problems.push(where(['outputs', i, 'sources', j], `${owner} names unknown source "${id}"`));
      });
    }
    if (o.tags === undefined && o.match === undefined && o.sources === undefined) {
      problems.push(where(['outputs', i], `${owner} selects nothing: give it tags, a match query or sources`));
    }
    const match = str(o.match);
    if (match === undefined || match.trim() === '') return;
    try {
      compileTagger([{ name: str(o.id) ?? `#${i}`, match }]);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      problems.push(where(['outputs', i, 'match'], `${owner}: ${err.detail} (column ${err.column} of the query)`, err.column));
    }
  });
  return problems;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function freeze(c: ConfigInput, file: string): Config {
  const [, host = '127.0.0.1', port = '8080'] = /^\[?(.*?)\]?:(\d+)$/.exec(c.server.listen) ?? [];
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const baseUrl = (c.server.base_url ?? `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`).replace(/\/+$/, '');
  const config: Config = {
    file,
    server: { host, port: Number(port), baseUrl },
    storage: { path: c.storage.path === ':memory:' ? ':memory:' : resolve(c.storage.path), retentionDays: c.storage.retention_days ?? null },
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
    },
    sources: c.sources.map((s) => ({
      id: s.id,
      url: s.url,
      title: s.title ?? null,
      schedule: s.schedule ?? c.fetch.schedule,
      maxItems: s.max_items ?? null,
      tags: s.tags ?? [],
      fromCategories: s.from_categories === true ? 'same-name' : s.from_categories ? s.from_categories : null,
    })),
    tags: c.tags.map((t) => ({ name: t.name, slug: slugify(t.name), match: t.match, aliases: t.aliases ?? [], stem: t.stem === undefined ? c.tagging.stem : t.stem })),
    outputs: c.outputs.map((o) => ({ id: o.id, title: o.title, description: o.description ?? o.title, tags: o.tags ?? [], match: o.match ?? null, sources: o.sources ?? [], limit: o.limit, token: o.token ?? null })),
    log: { level: c.log.level },
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

/** Where a zod issue points in the YAML: the offending key for unknown keys, else the value (or its parent). */
function locateIssue(doc: Document, issue: z.core.$ZodIssue, at: (offset: number, message: string) => ConfigProblem): ConfigProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const label = path.length ? path.join('.') : 'config';
  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(doc, path);
    const key = issue.keys[0]!;
    let offset = nodeLocation(doc, path).offset;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    return at(offset, `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${label}`);
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    const exists = nodeAt(doc, path) !== undefined;
    message = exists ? `must be ${issue.expected}` : `is required (${issue.expected})`;
  }
  return at(nodeLocation(doc, path).offset, `${label}: ${message}`);
}

function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  return doc.getIn(path, true) as Node | undefined;
}

/**
 * Where the node at `path` starts, or its nearest existing ancestor. `exact` says the node itself was found;
 * `quote` is 1 for a quoted scalar, whose text starts one column after its opening quote.
 */
function nodeLocation(doc: Document, path: (string | number)[]): { offset: number; exact: boolean; quote: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : nodeAt(doc, path.slice(0, n));
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
      const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      return { offset: node.range[0], exact: n === path.length, quote: quoted ? 1 : 0 };
    }
  }
  return { offset: 0, exact: false, quote: 0 };
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}
