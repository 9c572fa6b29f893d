/**
 * Shared pieces of the validator-rule checks: URIs, dates, characters, plain text and published HTML.
 * Each check names the feedvalidator module it restates (github.com/w3c/feedvalidator, src/feedvalidator/).
 */
import { Parser } from 'htmlparser2';
import { type XmlElement, childrenNamed, textOf } from '../strict-xml.js';

// validators.py rfc2396_full: an absolute URI written with RFC 2396 characters only.
const FULL_URI = /^[a-zA-Z][0-9a-zA-Z+\-.]*:(\/\/)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$/;
// validators.py rfc822 (its strict RFC 2822 form, which we always write) and rfc3339.
const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// base.py characters(): U+0080–U+009F and U+FFFD draw BadCharacters anywhere.
const BAD_CHARACTERS = /[\u0080-\u009F\uFFFD]/;
// HTML element names (validators.py HTMLValidator.htmltags, abridged to real elements): an end tag of one of
// them in plain text draws ContainsHTML (validators.py nonhtml).
const HTML_ELEMENTS = new Set(
  ('a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col ' +
    'colgroup data dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 ' +
    'h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark meta meter nav ' +
    'noscript object ol optgroup option output p param picture pre progress q s samp script section select small ' +
    'source span strike strong style sub summary sup table tbody td template textarea tfoot th thead time title tr ' +
    'track tt u ul var video wbr font center big marquee blink').split(' '),
);
// Elements warta must never publish: the brief's list plus what the validator calls SecurityRisk.
const FORBIDDEN_ELEMENTS = new Set(
  ('script style iframe object embed applet base link meta form input button select textarea option frame ' +
    'frameset noframes noscript svg math template html head body title param xmp plaintext listing marquee ' +
    'blink bgsound').split(' '),
);
// Attributes warta may publish in HTML: a subset of validators.py acceptable_attributes, without style.
const PUBLISHABLE_ATTRIBUTES = new Set(
  'href src alt title width height colspan rowspan scope start reversed value datetime cite lang dir'.split(' '),
);


export type Problems = string[];

export function checkChars(value: string, where: string, out: Problems) {
  if (BAD_CHARACTERS.test(value)) out.push(`${where}: BadCharacters (C1 control or U+FFFD) [base.py]`);
}

export function checkUri(value: string, where: string, out: Problems) {
  if (!FULL_URI.test(value)) out.push(`${where}: not an absolute RFC 2396 URI: ${JSON.stringify(value)} [validators.py rfc2396_full]`);
}

function checkPlausible(d: Date, where: string, out: Problems, now: Date) {
  if (d.getTime() < Date.UTC(1990, 0, 1) || d.getTime() > now.getTime() + 600_000)
    out.push(`${where}: ImplausibleDate ${d.toISOString()} [validators.py implausible_*]`);
}

/** validators.py rfc822 + IncorrectDOW + implausible_822. */
export function checkRfc822(value: string, where: string, out: Problems, now = new Date()) {
  const m = RFC822.exec(value);
  if (!m) return void out.push(`${where}: not an RFC 822 date: ${JSON.stringify(value)} [validators.py rfc822]`);
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || d.toUTCString() !== value)
    return void out.push(`${where}: invalid or wrong day of week: ${value} [validators.py IncorrectDOW]`);
  checkPlausible(d, where, out, now);
}

/** validators.py rfc3339 + implausible_8601. */
export function checkRfc3339(value: string, where: string, out: Problems, now = new Date()) {
  if (!RFC3339.test(value)) return void out.push(`${where}: not an RFC 3339 date: ${JSON.stringify(value)} [validators.py rfc3339]`);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return void out.push(`${where}: invalid date ${value} [validators.py rfc3339]`);
  checkPlausible(d, where, out, now);
}

/**
 * Plain text (validators.py nonhtml): no HTML end tag (ContainsHTML); and text that looks like an entity or a
 * tag only when its source line holds a `&#x` reference (the RSS profile's CharacterData rule; __init__.py
 * rssCharData). With `rss` the `&#[x0-9]|<[/a-zA-Z]` rule applies too (RSS 2.0 only).
 */
export function checkPlainText(el: XmlElement, line: string, where: string, out: Problems, rss: boolean) {
  const value = textOf(el);
  const raw = el.raw;
  checkChars(value, where, out);
  const endTag = [...value.matchAll(/<\/(\w+)>/g)].find((m) => HTML_ELEMENTS.has(m[1]!.toLowerCase()));
  if (endTag) return void out.push(`${where}: ContainsHTML ${endTag[0]} [validators.py nonhtml]`);
  const hasCharRef = line.includes('&#x');
  if (/&(#?\w+)/.test(value) && !hasCharRef) out.push(`${where}: entity-like text without &#x on its line [validators.py nonhtml]`);
  else if (rss && /&#[x0-9]|<[/a-zA-Z]/.test(value) && !hasCharRef)
    out.push(`${where}: CharacterData: write & and < as &#x26; &#x3C; [validators.py nonhtml]`);
  // The RSS profile's advice, which warta follows everywhere: & and < only ever as &#x26; and &#x3C;.
  if (rss && /&(amp|lt|#0*38|#0*60);/i.test(raw))
    out.push(`${where}: & and < must be written &#x26; and &#x3C; [validators.py nonhtml, RSS profile]`);
}

/** Published HTML (validators.py safeHtml / HTMLValidator / absUrlMixin, plus warta's own policy). */
export function checkHtml(html: string, where: string, out: Problems) {
  checkChars(html, where, out);
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (FORBIDDEN_ELEMENTS.has(name)) out.push(`${where}: <${name}> SecurityRisk [validators.py HTMLValidator]`);
        else if (!HTML_ELEMENTS.has(name)) out.push(`${where}: <${name}> NotHtml [validators.py HTMLValidator]`);
        for (const [attr, value] of Object.entries(attrs)) {
          if (attr === 'style') out.push(`${where}: style attribute DangerousStyleAttr [validators.py checkStyle]`);
          else if (!PUBLISHABLE_ATTRIBUTES.has(attr)) out.push(`${where}: <${name} ${attr}> SecurityRiskAttr [validators.py]`);
          if ((name === 'a' && attr === 'href') || (name === 'img' && attr === 'src')) {
            if (!/^\w+:/.test(value)) out.push(`${where}: relative URL ${value} ContainsRelRef [validators.py absUrlMixin]`);
            const schemes = name === 'a' ? /^(https?|mailto):/i : /^https?:/i;
            if (!schemes.test(value)) out.push(`${where}: <${name} ${attr}="${value}"> has a forbidden scheme`);
          }
        }
        if (name === 'img' && attrs.src === undefined) out.push(`${where}: <img> without src`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
}


export const elementsOf = (el: XmlElement) => el.children.filter((c): c is XmlElement => typeof c !== 'string');

export function checkNoDuplicates(parent: XmlElement, names: string[], where: string, out: Problems) {
  for (const n of names)
    if (childrenNamed(parent, n).length > 1) out.push(`${where}: duplicate <${n}> DuplicateElement [validators.py noduplicates]`);
}

export function checkAllText(el: XmlElement, where: string, out: Problems) {
  for (const [a, v] of Object.entries(el.attrs)) checkChars(v, `${where} @${a}`, out);
  for (const c of el.children) {
    if (typeof c === 'string') checkChars(c, where, out);
    else checkAllText(c, `${where}/${c.name}`, out);
  }
}

export interface Expected {
  /** The URL the document is served at: its self link must equal it. */
  selfUrl: string;
  /** The validator's clock (dates after now + 10 min are implausible). */
  now?: Date;
}

