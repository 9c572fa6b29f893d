/**
 * warta's subscribed sources to and from OPML 2.0 (http://opml.org/spec2.opml), the format feed readers
 * exchange subscription lists in, and the edit that adds imported sources to a config file.
 *
 * Import is lenient because real exports are: outlines nest in folders to any depth, `type="rss"` is often
 * missing, some readers spell the attribute `xmlurl` or `XMLURL`, titles come double-escaped ("Q&amp;amp;A"),
 * and `feed://` URLs still circulate. Anything unusable is reported as a problem, never thrown.
 */
import { decodeHTMLStrict } from 'entities';
import { Parser } from 'htmlparser2';
import { Document, isMap, isScalar, isSeq, parseDocument, visit, YAMLSeq } from 'yaml';
import { WartaError } from '../base/errors.js';
import { rfc822 } from './dates.js';
import { publishableUrl } from './url.js';
import { oneLine } from './text.js';
import { XmlWriter } from './xml.js';
import { slugify } from '../tagging/index.js';

/** One subscribed source as OPML carries it. */
export interface OpmlSource {
  id: string;
  url: string;
  title: string | null;
}

// OPML 2.0 allows attributes it does not define only in a namespace. `warta:id` keeps a source's id across an
// export → import between warta instances; other readers ignore it.
const WARTA_NS = 'urn:warta:opml';
const ID_PATTERN = /^[a-z0-9-]+$/;
const MAX_ID_LENGTH = 48;

/** OPML 2.0 document listing the sources (outline type="rss", text/title, xmlUrl, htmlUrl when known). */
export function exportSourcesOpml(sources: readonly (OpmlSource & { siteUrl?: string | null })[], now: Date): string {
  const w = new XmlWriter();
  w.start('opml', [['version', '2.0'], ['xmlns:warta', WARTA_NS]]);
  w.start('head').text('title', 'warta sources').text('dateCreated', rfc822(now)).end();
  w.start('body');
  for (const s of sources) {
    // OPML 2.0 requires `text` on rss outlines and the validator `title` (MissingTitleAttr); the URL stands in
    // for a missing title and is read back as "no title".
    const name = oneLine(s.title ?? '') || s.url;
    w.empty('outline', [
      ['type', 'rss'],
      ['text', name],
      ['title', name],
      ['xmlUrl', s.url],
      ['htmlUrl', s.siteUrl ? publishableUrl(s.siteUrl, null) : null],
      ['warta:id', s.id],
    ]);
  }
  // The body must hold at least one outline; a plain text outline imports as nothing.
  if (sources.length === 0) w.empty('outline', [['text', 'No sources']]);
  return w.end().end().toString();
}

/** Reads an OPML file (nested outline folders included, any outline with xmlUrl) into sources; ids derived from titles/hosts as [a-z0-9-]+, unique against `taken`; bad/non-http URLs reported, not thrown. */
export function parseSourcesOpml(xml: string, taken: ReadonlySet<string>): { sources: OpmlSource[]; problems: string[] } {
  const sources: OpmlSource[] = [];
  const problems: string[] = [];
  const used = new Set(taken);
  const seen = new Map<string, string>();
  const lineOf = lineLocator(xml);
  let isOpml = false;

  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        const name = tag.toLowerCase();
        if (name === 'opml') isOpml = true;
        if (name !== 'outline') return;
        // Attribute names are matched case-insensitively: `xmlurl` and `xmlURL` exist in the wild.
        const attr = lowerKeys(attribs);
        const raw = attr.xmlurl?.trim();
        if (raw === undefined) return;
        const where = `line ${lineOf(parser.startIndex)}`;
        const named = cleanTitle(attr.title ?? '') ?? cleanTitle(attr.text ?? '');
        const label = named ?? raw;
        const url = feedUrl(raw);
        if (url === null) {
          problems.push(`${where}: "${label}": ${raw === '' ? 'empty xmlUrl' : `"${raw}" is not an http:// or https:// URL`}, skipped`);
          return;
        }
        const key = urlKey(url);
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push(`${where}: "${label}": ${url} is already listed (as "${first}"), skipped`);
          return;
        }
        // Readers (and our export) write the URL as the text of an untitled feed.
        const title = named === url || named === raw ? null : named;
        const given = attr['warta:id'];
        const id = given && ID_PATTERN.test(given) && !used.has(given) ? given : deriveId(title, url, used);
        used.add(id);
        seen.set(key, id);
        sources.push({ id, url, title });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  if (!isOpml) return { sources: [], problems: ['not an OPML document: no <opml> element found'] };
  if (sources.length === 0 && problems.length === 0) problems.push('the OPML file lists no feeds (no outline has an xmlUrl)');
  return { sources, problems };
}

/** Adds sources to a warta YAML config text, keeping its comments and formatting (yaml's Document API), skipping URLs already present; returns the new text and what was added/skipped. */
export function addSourcesToConfig(
  yamlText: string,
  sources: readonly OpmlSource[],
): { text: string; added: OpmlSource[]; skipped: { source: OpmlSource; reason: string }[] } {
  const doc = parseDocument(yamlText);
  if (doc.errors.length) {
    throw new WartaError('config_invalid', `cannot add sources: the config does not parse as YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) throw new WartaError('config_invalid', 'cannot add sources: the config is not a mapping of sections');
  const pair = root?.items.find((p) => isScalar(p.key) && p.key.value === 'sources');
  const list = pair?.value ?? null;
  if (list !== null && !isSeq(list) && !(isScalar(list) && list.value === null)) {
    throw new WartaError('config_invalid', 'cannot add sources: "sources" is not a list');
  }

  const existingUrls = new Map<string, string>();
  const existingIds = new Set<string>();
  for (const item of isSeq(list) ? list.items : []) {
    if (!isMap(item)) continue;
    const id = String(item.get('id') ?? '');
    existingIds.add(id);
    const url = item.get('url');
    if (typeof url === 'string') existingUrls.set(urlKey(url), id);
  }

  const added: OpmlSource[] = [];
  const skipped: { source: OpmlSource; reason: string }[] = [];
  for (const source of sources) {
    const key = urlKey(source.url);
    const owner = existingUrls.get(key);
    let reason: string | null = null;
    if (owner !== undefined) reason = `already in the config as source "${owner}"`;
    else if (!ID_PATTERN.test(source.id)) reason = `id "${source.id}" is not [a-z0-9-]+`;
    else if (existingIds.has(source.id)) reason = `id "${source.id}" is already used`;
    if (reason !== null) {
      skipped.push({ source, reason });
      continue;
    }
    existingUrls.set(key, source.id);
    existingIds.add(source.id);
    added.push(source);
  }
  if (added.length === 0) return { text: yamlText, added, skipped };
  return { text: insertSources(yamlText, doc, pair?.key, list, added), added, skipped };
}

/**
 * Splices the new items into the original text instead of re-serializing the document: yaml's toString keeps
 * comments but not their alignment, and an admin's file should change only where sources were added.
 */
function insertSources(text: string, doc: Document, key: unknown, list: unknown, added: readonly OpmlSource[]): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = (indent: number) => itemsYaml(added, ' '.repeat(indent), eol);
  const column = (offset: number) => offset - text.lastIndexOf('\n', offset - 1) - 1;
  const keyRange = isScalar(key) ? key.range : undefined;

  if (isSeq(list) && !list.flow && list.items.length > 0 && list.range) {
    // After the line where the last item ends (its range ends past its trailing comment and newline).
    const end = (list.items.at(-1) as { range?: [number, number, number] }).range?.[1] ?? list.range[1];
    const at = text[end - 1] === '\n' ? end : lineEnd(text, end);
    return spliceAt(text, at, block(column(list.range[0])), eol);
  }
  const empty = list === null || (isScalar(list) && list.value === null) || (isSeq(list) && list.flow && list.items.length === 0);
  if (keyRange && empty) {
    // `sources:`, `sources: ~` or `sources: []`: the empty value goes, the list follows on the next lines.
    const range = (list as { range?: [number, number, number] } | null)?.range;
    let edited = text;
    if (range && range[1] > range[0]) edited = text.slice(0, range[0]).replace(/[ \t]+$/, '') + text.slice(range[1]);
    return spliceAt(edited, lineEnd(edited, keyRange[0]), block(column(keyRange[0]) + 2), eol);
  }
  if (!keyRange && (doc.contents === null || (isMap(doc.contents) && !doc.contents.flow))) {
    return spliceAt(text, text.length, `sources:${eol}${block(2)}`, eol);
  }
  // Rare shapes (a flow list with items, a flow mapping at the root): let yaml re-serialize the document.
  const found = doc.get('sources', true);
  const seq = isSeq(found) ? found : new YAMLSeq();
  doc.set('sources', seq);
  seq.flow = false;
  for (const s of added) seq.items.push(doc.createNode(configEntry(s)));
  return doc.toString({ lineWidth: 0 });
}

/** Offset just past the end of the line holding `offset` (the text's end when it has no final newline). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Inserts whole lines at a line start, first ending the previous line when the file has no final newline. */
function spliceAt(text: string, at: number, lines: string, eol: string): string {
  const before = text.slice(0, at);
  return (before === '' || before.endsWith('\n') ? before : before + eol) + lines + text.slice(at);
}

/** The new list items as block YAML, each line prefixed with `indent`. Titles and URLs double-quoted, as the shipped config writes them. */
function itemsYaml(added: readonly OpmlSource[], indent: string, eol: string): string {
  const doc = new Document(added.map(configEntry));
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value !== 'id' && isScalar(pair.value)) pair.value.type = 'QUOTE_DOUBLE';
    },
  });
  const yaml = doc.toString({ lineWidth: 0 });
  return yaml
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => indent + l + eol)
    .join('');
}

/** A source as the config writes it, with `${` escaped: the loader substitutes `${NAME}` with the environment. */
function configEntry(s: OpmlSource): Record<string, string> {
  const literal = (v: string) => v.replace(/\$?\$\{[^}]*\}/g, (m) => `$${m}`);
  return s.title === null ? { id: s.id, url: literal(s.url) } : { id: s.id, title: literal(s.title), url: literal(s.url) };
}

/** An http(s) feed URL from an xmlUrl, accepting the `feed:` scheme some readers still write; null when unusable. */
function feedUrl(raw: string): string | null {
  let text = raw;
  // feed://host/path is http://host/path; feed:https://host/path wraps a full URL.
  if (/^feed:\/\//i.test(text)) text = `http://${text.slice(7)}`;
  else if (/^feed:https?:/i.test(text)) text = text.slice(5);
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' ? text : null;
  } catch {
    return null;
  }
}

/** Two spellings of one feed URL compare equal (WHATWG serialization: case of scheme and host, default port). */
function urlKey(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url.trim();
  }
}

/**
 * A title as plain text, or null when empty. The XML parser has already decoded XML's entities; decoding HTML
 * entities once more undoes the double escaping many readers write ("Q&amp;amp;A") and the HTML-only named
 * entities ("&eacute;") that XML leaves undecoded. Only `;`-terminated references, so "AT&T" stays as it is.
 */
function cleanTitle(raw: string): string | null {
  return oneLine(decodeHTMLStrict(raw)) || null;
}

/** A fresh [a-z0-9-]+ id from the title, else the host, never one in `used`. */
function deriveId(title: string | null, url: string, used: ReadonlySet<string>): string {
  const host = new URL(url).hostname.replace(/^www\./, '');
  const base = clip(slugify(title ?? '')) || clip(slugify(host)) || 'source';
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Cuts a slug to MAX_ID_LENGTH at a '-' when one is near, so ids stay readable in URLs and logs. */
function clip(slug: string): string {
  if (slug.length <= MAX_ID_LENGTH) return slug;
  const cut = slug.slice(0, MAX_ID_LENGTH);
  const dash = cut.lastIndexOf('-');
  return (dash > MAX_ID_LENGTH / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

function lowerKeys(attribs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attribs)) out[k.toLowerCase()] ??= v;
  return out;
}

/** 1-based line number of a character offset, for problems an admin can find in the file. */
function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
