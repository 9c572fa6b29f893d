/** Atom 1.0 checks: feed.py, entry.py, content.py, link.py, category.py, author.py, validators.py. */
import { type XmlElement, child, childrenNamed, parseXml, textOf } from '../strict-xml.js';
import {
  type Expected,
  type Problems,
  checkAllText,
  checkHtml,
  checkNoDuplicates,
  checkPlainText,
  checkRfc3339,
  checkUri,
  elementsOf,
} from './common.js';

const NS_ATOM = 'http://www.w3.org/2005/Atom';
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkTextConstruct(el: XmlElement, lines: string[], where: string, out: Problems) {
  const type = el.attrs.type ?? 'text';
  const value = textOf(el);
  if (elementsOf(el).length > 0) out.push(`${where}: child elements in a text construct`);
  if (value.trim() === '') out.push(`${where}: NotBlank [content.py]`);
  if (type === 'text') checkPlainText(el, lines[el.line - 1] ?? '', where, out, false);
  else if (type === 'html') checkHtml(value, where, out);
  else out.push(`${where}: type ${type} is not text or html [content.py]`);
}

/** Atom 1.0 as the validator sees it: feed.py, entry.py, content.py, link.py, category.py, author.py. */
export function checkAtom(src: string, expected: Expected): Problems {
  const out: Problems = [];
  const now = expected.now ?? new Date();
  const lines = src.split('\n');
  let feed: XmlElement;
  try {
    feed = parseXml(src);
  } catch (err) {
    return [`not well-formed: ${(err as Error).message}`];
  }
  checkAllText(feed, 'feed', out);
  if (feed.name !== 'feed' || feed.attrs.xmlns !== NS_ATOM) out.push('root must be <feed xmlns="http://www.w3.org/2005/Atom">');
  if (Object.keys(feed.attrs).some((a) => a.startsWith('xmlns:'))) out.push('Atom must be the default namespace [base.py AvoidNamespacePrefix]');

  const checkId = (el: XmlElement | undefined, where: string) => {
    if (!el) return void out.push(`${where}: missing <id> [feed.py/entry.py MissingElement]`);
    const id = textOf(el);
    if (id !== id.trim()) out.push(`${where}/id: UnexpectedWhitespace [validators.py nows]`);
    if (id.toLowerCase().startsWith('urn:uuid:')) {
      if (!UUID_URN.test(id)) out.push(`${where}/id: InvalidUUID ${id} [validators.py rfc2396]`);
    } else {
      let canonical = '';
      try {
        canonical = new URL(id).href;
      } catch {}
      if (canonical !== id || /%[0-9a-f]{2}/.test(id.replace(/%[0-9A-F]{2}/g, '')))
        out.push(`${where}/id: NonCanonicalURI ${id} [validators.py canonicaluri]`);
    }
  };
  const checkLinks = (parent: XmlElement, where: string) => {
    const seen = new Set<string>();
    for (const l of childrenNamed(parent, 'link')) {
      if (l.attrs.href === undefined) out.push(`${where}/link: MissingHref [link.py]`);
      else checkUri(l.attrs.href, `${where}/link@href`, out);
      const key = `${l.attrs.rel ?? 'alternate'} ${l.attrs.type ?? ''} ${l.attrs.hreflang ?? ''}`;
      if (seen.has(key)) out.push(`${where}/link: DuplicateAtomLink ${key} [feed.py/entry.py]`);
      seen.add(key);
    }
  };
  const checkAuthor = (a: XmlElement, where: string) => {
    const name = child(a, 'name');
    if (!name || textOf(name).trim() === '') return void out.push(`${where}/author: missing or blank <name> [author.py]`);
    checkPlainText(name, lines[name.line - 1] ?? '', `${where}/author/name`, out, false);
    if (/<[^<>\s@]+@[^<>\s]+>/.test(textOf(name))) out.push(`${where}/author/name: ContainsEmail [validators.py nonemail]`);
    const uri = child(a, 'uri');
    if (uri) checkUri(textOf(uri), `${where}/author/uri`, out);
  };

  let sawEntry = false;
  for (const el of elementsOf(feed)) {
    if (el.name === 'entry') sawEntry = true;
    else if (sawEntry) out.push(`feed/${el.name} after the first entry: MisplacedMetadata [feed.py]`);
  }
  checkNoDuplicates(feed, ['id', 'title', 'subtitle', 'updated', 'generator', 'rights', 'icon', 'logo'], 'feed', out);
  checkId(child(feed, 'id'), 'feed');
  const title = child(feed, 'title');
  if (!title) out.push('feed: missing <title> [feed.py]');
  else checkTextConstruct(title, lines, 'feed/title', out);
  const subtitle = child(feed, 'subtitle');
  if (subtitle) checkTextConstruct(subtitle, lines, 'feed/subtitle', out);
  const updated = child(feed, 'updated');
  if (!updated) out.push('feed: missing <updated> [feed.py]');
  else checkRfc3339(textOf(updated), 'feed/updated', out, now);
  checkLinks(feed, 'feed');
  const selfLinks = childrenNamed(feed, 'link').filter((l) => l.attrs.rel === 'self');
  if (selfLinks.length !== 1) out.push('feed: exactly one link rel="self" expected [feed.py MissingSelf]');
  for (const l of selfLinks) {
    if (l.attrs.href !== expected.selfUrl) out.push(`self link ${l.attrs.href} ≠ served URL ${expected.selfUrl} [link.py SelfDoesntMatchLocation]`);
    if (l.attrs.type !== 'application/atom+xml') out.push('self link type must be application/atom+xml [link.py SelfNotAtom]');
  }
  const feedAuthors = childrenNamed(feed, 'author');
  feedAuthors.forEach((a) => checkAuthor(a, 'feed'));

  const ids = new Set<string>();
  const updatedValues = new Set<string>();
  childrenNamed(feed, 'entry').forEach((entry, index) => {
    const where = `entry[${index}]`;
    checkNoDuplicates(entry, ['id', 'title', 'updated', 'published', 'content', 'summary', 'rights', 'source'], where, out);
    const id = child(entry, 'id');
    checkId(id, where);
    if (id) {
      if (ids.has(textOf(id))) out.push(`${where}/id: DuplicateEntries [entry.py unique]`);
      ids.add(textOf(id));
    }
    const entryTitle = child(entry, 'title');
    if (!entryTitle) out.push(`${where}: missing <title> [entry.py MissingElement]`);
    else checkTextConstruct(entryTitle, lines, `${where}/title`, out);
    const entryUpdated = child(entry, 'updated');
    if (!entryUpdated) out.push(`${where}: missing <updated> [entry.py MissingElement]`);
    else {
      checkRfc3339(textOf(entryUpdated), `${where}/updated`, out, now);
      if (updatedValues.has(textOf(entryUpdated))) out.push(`${where}/updated: DuplicateUpdated ${textOf(entryUpdated)} [entry.py unique]`);
      updatedValues.add(textOf(entryUpdated));
    }
    const published = child(entry, 'published');
    if (published) checkRfc3339(textOf(published), `${where}/published`, out, now);
    if (feedAuthors.length === 0 && childrenNamed(entry, 'author').length === 0) out.push(`${where}: missing <author> [entry.py MissingElement]`);
    childrenNamed(entry, 'author').forEach((a) => checkAuthor(a, where));
    checkLinks(entry, where);
    const content = child(entry, 'content');
    const summary = child(entry, 'summary');
    if (content) checkTextConstruct(content, lines, `${where}/content`, out);
    if (summary) checkTextConstruct(summary, lines, `${where}/summary`, out);
    if (!content) {
      if (!summary) out.push(`${where}: MissingTextualContent [entry.py]`);
      if (!childrenNamed(entry, 'link').some((l) => (l.attrs.rel ?? 'alternate') === 'alternate'))
        out.push(`${where}: MissingContentOrAlternate [entry.py]`);
    }
    for (const c of childrenNamed(entry, 'category'))
      if ((c.attrs.term ?? '').trim() === '') out.push(`${where}/category: missing or blank term [category.py]`);
  });
  return out;
}
