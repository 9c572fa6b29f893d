/** RSS 2.0 checks: rss.py, channel.py, item.py, link.py, validators.py. */
import { type XmlElement, child, childrenNamed, parseXml, textOf } from '../strict-xml.js';
import {
  type Expected,
  type Problems,
  checkAllText,
  checkHtml,
  checkNoDuplicates,
  checkPlainText,
  checkRfc822,
  checkUri,
  elementsOf,
} from './common.js';

const NS_ATOM = 'http://www.w3.org/2005/Atom';
const KNOWN_NAMESPACES: Record<string, string> = {
  atom: NS_ATOM,
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
};

/** RSS 2.0 as the validator sees it: rss.py, channel.py, item.py, link.py, validators.py. */
export function checkRss(src: string, expected: Expected): Problems {
  const out: Problems = [];
  const now = expected.now ?? new Date();
  const lines = src.split('\n');
  const lineOf = (el: XmlElement) => lines[el.line - 1] ?? '';
  let rss: XmlElement;
  try {
    rss = parseXml(src);
  } catch (err) {
    return [`not well-formed: ${(err as Error).message}`];
  }
  checkAllText(rss, 'rss', out);
  if (rss.name !== 'rss' || rss.attrs.version !== '2.0') out.push('root must be <rss version="2.0"> [root.py]');
  for (const [a, v] of Object.entries(rss.attrs)) {
    if (!a.startsWith('xmlns:')) continue;
    const prefix = a.slice(6);
    if (KNOWN_NAMESPACES[prefix] !== v) out.push(`namespace ${prefix}=${v} is not the standard one [base.py namespaces]`);
  }
  const channels = childrenNamed(rss, 'channel');
  if (channels.length !== 1) return [...out, 'exactly one <channel> expected'];
  const channel = channels[0]!;

  for (const n of ['title', 'link', 'description'])
    if (!child(channel, n)) out.push(`channel: missing <${n}> [channel.py Missing*]`);
  checkNoDuplicates(channel, ['title', 'link', 'description', 'language', 'lastBuildDate', 'pubDate', 'docs', 'generator'], 'channel', out);
  const title = child(channel, 'title');
  if (title) {
    if (textOf(title).trim() === '') out.push('channel/title: NotBlank [channel.py]');
    checkPlainText(title, lineOf(title), 'channel/title', out, true);
  }
  const link = child(channel, 'link');
  if (link) checkUri(textOf(link), 'channel/link', out);
  const description = child(channel, 'description');
  if (description) checkPlainText(description, lineOf(description), 'channel/description', out, true);
  for (const n of ['lastBuildDate', 'pubDate']) {
    const d = child(channel, n);
    if (d) checkRfc822(textOf(d), `channel/${n}`, out, now);
  }
  const language = child(channel, 'language');
  if (language && !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/.test(textOf(language))) out.push('channel/language: InvalidLanguage [validators.py iso639]');

  const selfLinks = childrenNamed(channel, 'atom:link').filter((l) => l.attrs.rel === 'self');
  if (selfLinks.length !== 1) out.push('channel: exactly one atom:link rel="self" expected [channel.py MissingAtomSelfLink]');
  for (const l of selfLinks) {
    if (l.attrs.href !== expected.selfUrl) out.push(`self link ${l.attrs.href} ≠ served URL ${expected.selfUrl} [link.py SelfDoesntMatchLocation]`);
    if (l.attrs.type !== 'application/rss+xml') out.push('self link type must be application/rss+xml [link.py SelfNotAtom]');
  }

  let sawItem = false;
  const guids = new Set<string>();
  elementsOf(channel).forEach((el, index) => {
    if (el.name !== 'item') {
      if (sawItem) out.push(`channel/${el.name} after the first item: MisplacedItem [channel.py]`);
      return;
    }
    sawItem = true;
    const where = `item[${index}]`;
    const itemTitle = child(el, 'title');
    const itemDescription = child(el, 'description');
    if (!itemTitle && !itemDescription) out.push(`${where}: ItemMustContainTitleOrDescription [item.py]`);
    checkNoDuplicates(el, ['title', 'link', 'description', 'guid', 'pubDate', 'source', 'content:encoded', 'author'], where, out);
    if (itemTitle) {
      if (textOf(itemTitle).trim() === '') out.push(`${where}/title: NotBlank [item.py]`);
      checkPlainText(itemTitle, lineOf(itemTitle), `${where}/title`, out, true);
    }
    const itemLink = child(el, 'link');
    if (itemLink) checkUri(textOf(itemLink), `${where}/link`, out);
    const guid = child(el, 'guid');
    if (!guid) out.push(`${where}: MissingGuid [item.py]`);
    else {
      const value = textOf(guid);
      if (guids.has(value)) out.push(`${where}/guid: DuplicateValue ${value} [item.py unique]`);
      guids.add(value);
      const permaLink = guid.attrs.isPermaLink;
      if (permaLink !== undefined && permaLink !== 'true' && permaLink !== 'false') out.push(`${where}/guid: InvalidBooleanAttribute [item.py guid]`);
      if (permaLink !== 'false' && !/^https?:\/\/[^/]/.test(value))
        out.push(`${where}/guid: ${value} is not a permalink: needs isPermaLink="false" [item.py guid InvalidPermalink]`);
    }
    const pubDate = child(el, 'pubDate');
    if (pubDate) checkRfc822(textOf(pubDate), `${where}/pubDate`, out, now);
    for (const author of childrenNamed(el, 'author'))
      if (!/^\S+@\S+ \(.+\)$/.test(textOf(author))) out.push(`${where}/author: must be "email (Name)"; use dc:creator [item.py email_with_name]`);
    for (const category of childrenNamed(el, 'category')) {
      if (textOf(category).trim() === '') out.push(`${where}/category: NotBlank [item.py]`);
      checkPlainText(category, lineOf(category), `${where}/category`, out, true);
    }
    const source = child(el, 'source');
    if (source) {
      if (source.attrs.url === undefined) out.push(`${where}/source: MissingAttribute url [item.py source]`);
      else checkUri(source.attrs.url, `${where}/source@url`, out);
      checkPlainText(source, lineOf(source), `${where}/source`, out, true);
    }
    if (itemDescription) checkHtml(textOf(itemDescription), `${where}/description`, out);
    const encoded = child(el, 'content:encoded');
    if (encoded) {
      checkHtml(textOf(encoded), `${where}/content:encoded`, out);
      const names = elementsOf(el).map((c) => c.name);
      if (!itemDescription || names.indexOf('description') > names.indexOf('content:encoded'))
        out.push(`${where}: NeedDescriptionBeforeContent [item.py]`);
    }
  });
  return out;
}
