/**
 * The checkable facts of the corpora, as pass/fail checks against warta's output.
 *
 * Mapping to warta's model (see the report in run.ts):
 * - feedparser `id`/`guid` and gofeed `guid` ↔ IncomingItem.guid; `link` ↔ link; feed `link` ↔ siteUrl.
 * - titles: warta's titles are plain text, while feedparser and gofeed keep (sanitized) markup in HTML titles,
 *   so a title passes when it equals the expected value, or the expected value read as HTML and reduced to text.
 * - `published_parsed`/`publishedParsed` ↔ published; `updated_parsed`/`updatedParsed` ↔ updated, else published:
 *   both libraries also report dc:date as the update date, which warta reads as the publication date.
 * - encoding cases: our encoding passes when it is the expected one or decodes the body to the same text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { IngestedFeed } from '../../src/base/model.js';
import { parseDate } from '../../src/pipeline/feed/dates.js';
import { detectEncoding, resolveCharset } from '../../src/pipeline/feed/decode.js';
import { plainText } from '../../src/pipeline/feed/normalize.js';
import { type Comparable, evaluate, Missing, Unsupported } from './pyexpr.js';
import type { Outcome, Task } from './run.js';

export interface Check {
  /** The key in known-failures.json. */
  id: string;
  kind: 'date' | 'feedparser' | 'gofeed';
  folder: string;
  pass: boolean;
  detail: string;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A warta title: compared leniently with the markup-keeping titles of the other libraries. */
class Title implements Comparable {
  constructor(readonly value: string) {}
  equals(other: unknown): boolean {
    if (other instanceof Title) return other.value === this.value;
    if (typeof other !== 'string') return false;
    return this.value === other || this.value === collapse(other) || this.value === plainText({ type: 'html', value: other });
  }
  toString() {
    return JSON.stringify(this.value);
  }
}

class Encoding implements Comparable {
  constructor(private readonly body: Buffer, private readonly contentType: string | null) {}
  equals(other: unknown): boolean {
    if (typeof other !== 'string') return false;
    const ours = detectEncoding(this.body, this.contentType).name;
    const theirs = resolveCharset(other);
    if (theirs === null) return false;
    if (ours === theirs) return true;
    try {
      return iconv.decode(this.body, ours) === iconv.decode(this.body, theirs);
    } catch {
      return false;
    }
  }
  toString() {
    return detectEncoding(this.body, this.contentType).name;
  }
}

function struct(d: Date | null): unknown {
  if (d === null) return new Missing();
  const yday = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), (d.getUTCDay() + 6) % 7, yday, 0];
}

const orMissing = (v: string | null | undefined) => (v === null || v === undefined ? new Missing() : v);

/** feedparser's result as far as warta's model has it. */
function feedparserEnv(feed: IngestedFeed | null, withContent: boolean, body: Buffer, contentType: string | null) {
  const missingEntry: Record<string, unknown> = {};
  for (const k of ['title', 'link', 'id', 'guid', 'published_parsed', 'updated_parsed', ...(withContent ? ['description', 'summary'] : [])]) {
    missingEntry[k] = new Missing();
  }
  const entries = feed
    ? feed.items.map((i) => ({
        title: new Title(i.title),
        link: orMissing(i.link),
        id: orMissing(i.guid),
        guid: orMissing(i.guid),
        published_parsed: struct(i.published),
        updated_parsed: struct(i.updated ?? i.published),
        ...(withContent ? { description: orMissing(i.summary ?? i.content), summary: orMissing(i.summary ?? i.content) } : {}),
      }))
    : [missingEntry];
  return {
    feed: feed ? { title: new Title(feed.title ?? ''), link: orMissing(feed.siteUrl) } : { title: new Missing(), link: new Missing() },
    entries,
    ...(withContent ? { encoding: new Encoding(body, contentType) } : {}),
  };
}

const unwrap = (v: unknown) => (v instanceof Title ? v.value : v);
const FUNCTIONS = {
  ord: (s: unknown) => (typeof unwrap(s) === 'string' ? (unwrap(s) as string).codePointAt(0) : new Missing()),
  len: (s: unknown) => (typeof unwrap(s) === 'string' || Array.isArray(s) ? (unwrap(s) as string).length : new Missing()),
};

function summarize(o: Outcome | undefined): string {
  if (!o) return 'not run';
  if (o.kind === 'hang') return 'hang';
  if (o.kind === 'error') return `error ${o.code ?? ''} ${o.message.split('\n')[0]}`;
  const f = o.feed;
  const items = f.items
    .slice(0, 2)
    .map((i) => JSON.stringify({ title: i.title, link: i.link, guid: i.guid, published: i.published, updated: i.updated, summary: i.summary?.slice(0, 80) }));
  return `got ${f.format}/${f.parser} title=${JSON.stringify(f.title)} site=${f.siteUrl} items=[${items.join(', ')}]`;
}

export function feedparserChecks(
  corpora: string,
  expectations: { path: string; group: string; expect: string | null; headers: Record<string, string> | null }[],
  outcomeOf: Map<string, Outcome>,
  tasks: Task[],
): Check[] {
  const taskOf = new Map(tasks.map((t) => [t.rel, t]));
  const checks: Check[] = [];
  for (const e of expectations) {
    if (!e.expect) continue;
    const rel = `feedparser/${e.path}`;
    const outcome = outcomeOf.get(rel);
    const task = taskOf.get(rel);
    if (!task) continue;
    const folder = rel.split('/').slice(0, -1).slice(0, 4).join('/');
    const withContent = folder.endsWith('/encoding');
    const body = readFileSync(join(corpora, rel));
    const env = feedparserEnv(outcome?.kind === 'feed' ? outcome.feed : null, withContent, body, task.contentType);
    let pass: boolean;
    try {
      pass = evaluate(e.expect, env, FUNCTIONS);
    } catch (err) {
      if (err instanceof Unsupported) continue; // not a fact warta's model carries
      throw err;
    }
    checks.push({ id: rel, kind: 'feedparser', folder, pass, detail: `expect ${e.expect}\n      ${summarize(outcome)}` });
  }
  return checks;
}

export function gofeedChecks(corpora: string, outcomeOf: Map<string, Outcome>): Check[] {
  const checks: Check[] = [];
  const dir = join(corpora, 'gofeed/testdata/translator');
  if (!existsSync(dir)) return checks;
  const pairs: [input: string, expected: string][] = [];
  for (const sub of readdirSync(dir).sort()) {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      if (sub === 'json') {
        if (name.endsWith('_expected.json')) pairs.push([`${sub}/${name.replace('_expected.json', '.json')}`, `${sub}/${name}`]);
      } else if (name.endsWith('.xml')) pairs.push([`${sub}/${name}`, `${sub}/${name.replace(/\.xml$/, '.json')}`]);
    }
  }
  for (const [input, expectedFile] of pairs) {
    const rel = `gofeed/testdata/translator/${input}`;
    const folder = `gofeed/testdata/translator/${input.split('/')[0]}`;
    const expected = JSON.parse(readFileSync(join(dir, expectedFile), 'utf8')) as Record<string, any>;
    const outcome = outcomeOf.get(rel);
    const feed = outcome?.kind === 'feed' ? outcome.feed : null;
    const add = (field: string, pass: boolean, want: unknown, got: unknown) =>
      checks.push({
        id: `${rel}#${field}`,
        kind: 'gofeed',
        folder,
        pass,
        detail: `${field}: expected ${JSON.stringify(want)}, got ${feed ? JSON.stringify(got) : summarize(outcome)}`,
      });
    if (typeof expected.title === 'string') add('title', !!feed && new Title(feed.title ?? '').equals(expected.title), expected.title, feed?.title);
    if (typeof expected.link === 'string') add('link', feed?.siteUrl === expected.link, expected.link, feed?.siteUrl);
    const items: Record<string, unknown>[] = Array.isArray(expected.items) ? expected.items : [];
    items.forEach((want, i) => {
      const got = feed?.items[i];
      const at = `items[${i}]`;
      if (typeof want.title === 'string') add(`${at}.title`, !!got && new Title(got.title).equals(want.title), want.title, got?.title);
      if (typeof want.link === 'string') add(`${at}.link`, got?.link === want.link, want.link, got?.link);
      if (typeof want.guid === 'string') add(`${at}.guid`, got?.guid === want.guid, want.guid, got?.guid);
      const sameInstant = (w: unknown, g: Date | null | undefined) => typeof w === 'string' && !!g && Date.parse(w) === g.getTime();
      if (typeof want.publishedParsed === 'string') {
        add(`${at}.publishedParsed`, sameInstant(want.publishedParsed, got?.published), want.publishedParsed, got?.published);
      }
      if (typeof want.updatedParsed === 'string') {
        const updated = got ? (got.updated ?? got.published) : null;
        add(`${at}.updatedParsed`, sameInstant(want.updatedParsed, updated), want.updatedParsed, updated);
      }
    });
  }
  return checks;
}

export function dateChecks(corpora: string): Check[] {
  const cases = JSON.parse(readFileSync(join(corpora, 'feedparser/dates.json'), 'utf8')) as {
    parser: string;
    input: string;
    expected_utc: number[] | null;
  }[];
  return cases.map((c) => {
    const d = parseDate(c.input);
    const got = d && [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
    return {
      id: `feedparser/dates.json#${c.parser}:${c.input}`,
      kind: 'date' as const,
      folder: 'feedparser/dates.json',
      pass: JSON.stringify(got) === JSON.stringify(c.expected_utc),
      detail: `parseDate(${JSON.stringify(c.input)}) = ${JSON.stringify(got)}, expected ${JSON.stringify(c.expected_utc)}`,
    };
  });
}
