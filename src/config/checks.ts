import { createRequire } from 'node:module';
import { compileTagger, parseQuery, QuerySyntaxError, slugify, type QueryNode } from '../tagging/index.js';
import { explainCron } from './cron-explain.js';
import type { ConfigProblem } from './load.js';
import { didYouMean } from './suggest.js';
import { parseDuration } from './units.js';

/** Locates a problem: a path into the document, the message, and optionally a column inside a string value. */
export type Where = (path: (string | number)[], message: string, column?: number) => ConfigProblem;

// node-cron is ~140M instructions to load; a config without a cron expression (the usual `warta fetch`) never
// needs it, so it is required (its CommonJS build, synchronously) when an expression is first checked.
const requireLazily = createRequire(import.meta.url);
let cron: typeof import('node-cron') | undefined;
const validCron = (expr: string) => (cron ??= requireLazily('node-cron') as typeof import('node-cron')).validate(expr);

/**
 * Cross-field checks the schema cannot express. They read the raw document defensively (any value may have the
 * wrong type, which the schema reports) so they run even when the schema failed.
 */
export function checkSemantics(raw: Record<string, unknown>, where: Where): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const list = (v: unknown) => (Array.isArray(v) ? v.map(obj) : []);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const fetch = obj(raw.fetch);
  const zone = str(fetch.timezone);
  if (zone !== undefined && !validZone(zone)) problems.push(where(['fetch', 'timezone'], `unknown time zone "${zone}" (use an IANA name such as "Asia/Jakarta")`));
  const checkCron = (expr: string | undefined, path: (string | number)[]) => {
    if (expr !== undefined && !validCron(expr)) problems.push(where(path, `invalid cron expression "${expr}": ${explainCron(expr)}`));
  };
  checkCron(str(fetch.schedule), ['fetch', 'schedule']);
  const minI = parseDuration(str(fetch.min_interval) ?? '5m');
  const maxI = parseDuration(str(fetch.max_interval) ?? '24h');
  if (minI !== null && maxI !== null && minI > maxI) problems.push(where(['fetch', 'min_interval'], 'fetch.min_interval must not be longer than fetch.max_interval'));
  // A news page reads in tens of milliseconds; below this every page would end as extract_timeout.
  const pageLimit = parseDuration(str(fetch.page_time_limit) ?? '10s');
  if (pageLimit !== null && pageLimit < 100) problems.push(where(['fetch', 'page_time_limit'], 'fetch.page_time_limit must be at least 100ms (a news page takes tens of milliseconds to read; 10s is the default)'));

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
  // Page options without full_text would silently do nothing.
  sources.forEach((s, i) => {
    if (s.items !== undefined && s.type !== 'html') problems.push(where(['sources', i, 'items'], 'items needs type: html on this source (it selects article links on a section page)'));
    if (s.type === 'html' && s.full_text === false) problems.push(where(['sources', i, 'full_text'], 'a type: html source is read from its article pages: full_text cannot be false (true or tag_only)'));
    if (s.full_text === true || s.full_text === 'tag_only' || s.type === 'html') return;
    for (const key of ['publisher_keywords', 'content_selector', 'remove']) {
      if (s[key] !== undefined && s[key] !== false) problems.push(where(['sources', i, key], `${key} needs full_text: true (or tag_only) on this source: pages are fetched only then`));
    }
  });

  const sourceIds = new Set(sources.map((s) => str(s.id)).filter((n) => n !== undefined));
  // A query's `source:` terms must name configured sources: a typo would silently match nothing, so
  // `NOT source:vivaa` would let the source it meant through.
  const checkSourceRefs = (match: string, path: (string | number)[], owner: string) => {
    for (const ref of sourceRefs(parseQuery(match))) {
      const known = ref.prefix ? [...sourceIds].some((id) => id.startsWith(ref.id)) : sourceIds.has(ref.id);
      if (known) continue;
      const what = ref.prefix ? `no source id starts with "${ref.id}"` : `unknown source "${ref.id}"${didYouMean(ref.id, sourceIds)}`;
      problems.push(where(path, `${owner}: source:${ref.id}${ref.prefix ? '*' : ''} names ${what}`, [...match.slice(0, ref.offset)].length + 1));
    }
  };

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
      checkSourceRefs(match, ['tags', i, 'match'], `tag "${name ?? i}"`);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      problems.push(where(['tags', i, 'match'], `tag "${name ?? i}": ${err.detail} (column ${err.column} of the query)`, err.column));
    }
  });

  const tagNames = new Set(tags.map((t) => str(t.name)).filter((n) => n !== undefined));
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
        if (typeof id === 'string' && !sourceIds.has(id)) problems.push(where(['outputs', i, 'sources', j], `${owner} names unknown source "${id}"${didYouMean(id, sourceIds)}`));
      });
    }
    if (o.tags === undefined && o.match === undefined && o.sources === undefined) {
      problems.push(where(['outputs', i], `${owner} selects nothing: give it tags, a match query or sources`));
    }
    const match = str(o.match);
    if (match === undefined || match.trim() === '') return;
    try {
      compileTagger([{ name: str(o.id) ?? `#${i}`, match }]);
      checkSourceRefs(match, ['outputs', i, 'match'], owner);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      problems.push(where(['outputs', i, 'match'], `${owner}: ${err.detail} (column ${err.column} of the query)`, err.column));
    }
  });
  return problems;
}

/** The `source:` terms of a query (ids lower-cased, as the matcher compares them), with their offsets. */
export function sourceRefs(node: QueryNode, inSource = false, out: { id: string; prefix: boolean; offset: number }[] = []) {
  switch (node.kind) {
    case 'field':
      // The innermost scope wins, as in the matcher: source:(a OR title:b) — b is a title word.
      sourceRefs(node.child, node.field === 'source', out);
      break;
    case 'words':
      if (inSource) out.push({ id: node.raw.toLowerCase(), prefix: node.words.at(-1)?.prefix ?? false, offset: node.offset });
      break;
    case 'regex':
      break;
    case 'and':
    case 'or':
      for (const c of node.children) sourceRefs(c, inSource, out);
      break;
    case 'not':
      sourceRefs(node.child, inSource, out);
      break;
    case 'near':
      sourceRefs(node.left, inSource, out);
      sourceRefs(node.right, inSource, out);
      break;
  }
  return out;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

