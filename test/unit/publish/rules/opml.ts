/** OPML 2.0 checks: opml.py. */
import { type XmlElement, child, childrenNamed, parseXml, textOf } from '../strict-xml.js';
import { type Problems, checkAllText, checkRfc822, checkUri } from './common.js';

/** OPML 2.0 as the validator sees it: opml.py. */
export function checkOpml(src: string, now = new Date()): Problems {
  const out: Problems = [];
  let opml: XmlElement;
  try {
    opml = parseXml(src);
  } catch (err) {
    return [`not well-formed: ${(err as Error).message}`];
  }
  checkAllText(opml, 'opml', out);
  if (opml.name !== 'opml' || opml.attrs.version !== '2.0') out.push('root must be <opml version="2.0"> [opml.py]');
  const head = child(opml, 'head');
  const body = child(opml, 'body');
  if (!head) out.push('missing <head> [opml.py]');
  if (!body) return [...out, 'missing <body> [opml.py]'];
  const created = head && child(head, 'dateCreated');
  if (created) checkRfc822(textOf(created), 'head/dateCreated', out, now);
  const outlines = childrenNamed(body, 'outline');
  if (outlines.length === 0) out.push('body: needs an <outline> [opml.py MissingElement]');
  // text and title are parsed as HTML (opml.py safeHtml): a tag or an ampersand before letters is NotHtml.
  const htmlSafe = (v: string, where: string) => {
    if (/<[a-zA-Z/!?]|&[a-zA-Z#]/.test(v)) out.push(`${where}: would not parse as HTML text [opml.py safeHtml]`);
  };
  outlines.forEach((o, i) => {
    const where = `outline[${i}]`;
    if (o.attrs.text === undefined) out.push(`${where}: MissingAttribute text [opml.py]`);
    else htmlSafe(o.attrs.text, `${where}@text`);
    if (o.attrs.title !== undefined) htmlSafe(o.attrs.title, `${where}@title`);
    if (o.attrs.type !== undefined && o.attrs.type.toLowerCase() === 'rss') {
      if (o.attrs.xmlUrl === undefined) out.push(`${where}: MissingXmlURL [opml.py]`);
      if (o.attrs.title === undefined) out.push(`${where}: MissingTitleAttr [opml.py]`);
    } else if (o.attrs.type === undefined && Object.keys(o.attrs).some((a) => a !== 'text')) {
      out.push(`${where}: MissingOutlineType [opml.py]`);
    }
    for (const a of ['xmlUrl', 'htmlUrl', 'url']) if (o.attrs[a] !== undefined) checkUri(o.attrs[a]!, `${where}@${a}`, out);
  });
  return out;
}

