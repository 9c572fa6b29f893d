/**
 * The HTML we republish from other people's feeds, made safe for any feed reader and clean for the W3C validator.
 *
 * Two passes:
 * 1. sanitize-html (a well-kept library, as our style asks for sanitizing) is the security gate: an allowlist of
 *    elements and attributes, content of script-like elements dropped, URLs resolved against the article's URL and
 *    limited to http(s) (plus mailto for links).
 * 2. html-tree.ts reshapes its output so that an HTML5 parser reads it back without a single parse error
 *    (`<p>` holding a block, nested `<a>`, stray table parts, list items outside lists), because the validator
 *    parses descriptions with html5lib in strict mode and warns on any error (feedvalidator validators.py
 *    HTMLValidator, NotHtml). sanitize-html alone keeps htmlparser2's forgiving tree, which html5lib rejects.
 *
 * The allowlists are subsets of the validator's acceptable_elements / acceptable_attributes (validators.py):
 * anything outside them draws SecurityRisk / SecurityRiskAttr. `style` is never kept (DangerousStyleAttr).
 *
 * Images: only http(s) sources. data: URLs are dropped: in feeds they are nearly always lazy-loading
 * placeholders (the real image sits in data-src, which we promote), they bloat every copy of the feed, and some
 * readers render SVG data: images in contexts we do not control. srcset/picture are not kept: the plain src is
 * enough for a reader, and every candidate URL would need the same resolution and scheme checks.
 */
import sanitize from 'sanitize-html';
import { normalizeHtml } from './html-tree.js';
import { cleanText } from './text.js';
import { LINK_SCHEMES, WEB_SCHEMES, publishableUrl } from './url.js';

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'bdi', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'details', 'dfn', 'div',
  'dl', 'dt', 'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd',
  'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table',
  'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u', 'ul', 'var', 'wbr',
];

const ALLOWED_ATTRIBUTES: Record<string, sanitize.AllowedAttribute[]> = {
  '*': ['lang', 'title', { name: 'dir', values: ['ltr', 'rtl', 'auto'] }],
  a: ['href'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  ol: ['start', 'reversed'],
  li: ['value'],
  time: ['datetime'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
};

// Disallowed elements whose content goes with them: scripts, embedded documents and their fallback text, forms.
const DROP_WITH_CONTENT = [
  'script', 'style', 'textarea', 'option', 'xmp', 'iframe', 'noscript', 'noembed', 'noframes', 'object', 'embed',
  'applet', 'template', 'svg', 'math', 'select', 'button', 'title', 'head', 'audio', 'video', 'canvas', 'map',
  'frameset', 'datalist',
];

// Where lazy-loading scripts keep the real image when src is a placeholder.
const LAZY_SRC = ['data-src', 'data-lazy-src', 'data-original'];
const MAX_DEPTH = 100;
const NUMERIC = new Set(['width', 'height', 'colspan', 'rowspan', 'start', 'value']);

function resolveAttributes(tagName: string, attribs: sanitize.Attributes, base: string | null): sanitize.Attributes {
  const out: sanitize.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (name === 'href') {
      const url = publishableUrl(value, base, LINK_SCHEMES);
      if (url !== null) out.href = url;
    } else if (name === 'src' || name === 'cite') {
      const url = publishableUrl(value, base, WEB_SCHEMES);
      if (url !== null) out[name] = url;
    } else if (NUMERIC.has(name)) {
      if (/^\s*\d{1,6}\s*$/.test(value)) out[name] = value.trim();
    } else {
      out[name] = value;
    }
  }
  if (tagName === 'img' && out.src === undefined) {
    for (const name of LAZY_SRC) {
      const raw = attribs[name];
      const url = raw === undefined ? null : publishableUrl(raw, base, WEB_SCHEMES);
      if (url !== null) {
        out.src = url;
        break;
      }
    }
  }
  return out;
}

/**
 * Sanitizes HTML from a source feed for publishing: keeps text, links, images and basic formatting; removes
 * scripts, styles, event handlers, embedded content and forms; makes URLs absolute against `baseUrl` (the
 * article's URL) and drops those that cannot be (or that use another scheme than http(s)/mailto). Returns '' when
 * nothing is left. Pure and deterministic.
 */
export function sanitizeHtml(html: string, baseUrl: string | null): string {
  const base = baseUrl === null ? null : publishableUrl(baseUrl, null);
  const filtered = sanitize(cleanText(html), {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    nonTextTags: DROP_WITH_CONTENT,
    disallowedTagsMode: 'discard',
    // Deeper elements are unwrapped (their text kept): no real article nests 100 deep, and it bounds the
    // recursion of the second pass on hostile input.
    nestingLimit: MAX_DEPTH,
    parseStyleAttributes: false,
    enforceHtmlBoundary: false,
    transformTags: { '*': (tagName, attribs) => ({ tagName, attribs: resolveAttributes(tagName, attribs, base) }) },
  });
  return normalizeHtml(filtered);
}
