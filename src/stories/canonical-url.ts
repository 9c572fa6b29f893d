/**
 * Canonical URLs: one spelling per article, so an aggregator relaying an outlet's link and the outlet's own feed
 * name the same article the same way. Generic rules are safe for any site (tracking parameters, fragment, host
 * case, default port, a trailing index.html); mobile/AMP spellings are undone only for the outlets in OUTLETS,
 * whose URL shapes are known — for any other host a guess could merge two different pages.
 */

/** Query parameters that only track the click: removed from canonical and from published links. */
export const TRACKING_PARAMS: readonly string[] = ['fbclid', 'gclid', 'dclid', 'mc_cid', 'mc_eid', '_ga', 'yclid', 'igshid'];

/** Options of canonicalUrl/stripTracking: `ignoreParams` are more parameter names to drop (config `stories.ignore_params`). */
export interface CanonicalOptions {
  ignoreParams?: readonly string[];
}

/**
 * How an outlet spells its mobile and AMP pages. `mobile` says where `m.D` / `amp.D` pages live: on `www.D`, on
 * the bare `D`, or on `SECTION.D` where SECTION is the first path segment (m.detik.com/news/berita/… is
 * news.detik.com/berita/…). For every outlet listed, `/amp` as the last path segment, `amp` as the first one,
 * a `.amp` suffix and the `amp` query parameter mark the AMP copy of the same page.
 */
interface OutletRule {
  domain: string;
  mobile: 'www' | 'bare' | 'section';
}

/** Indonesian outlets (and BBC Indonesia) whose mobile/AMP URL shapes are undone. Documented in README.md. */
export const OUTLETS: readonly OutletRule[] = [
  { domain: 'detik.com', mobile: 'section' },
  { domain: 'kompas.com', mobile: 'section' },
  { domain: 'liputan6.com', mobile: 'www' },
  { domain: 'tribunnews.com', mobile: 'www' },
  { domain: 'cnnindonesia.com', mobile: 'www' },
  { domain: 'okezone.com', mobile: 'www' },
  { domain: 'antaranews.com', mobile: 'www' },
  { domain: 'tempo.co', mobile: 'www' },
  { domain: 'republika.co.id', mobile: 'www' },
  { domain: 'viva.co.id', mobile: 'www' },
  { domain: 'suara.com', mobile: 'www' },
  { domain: 'sindonews.com', mobile: 'www' },
  { domain: 'kumparan.com', mobile: 'bare' },
  { domain: 'bbc.com', mobile: 'www' },
];

// A section name as a host label: what m.detik.com/SECTION/… may be moved to.
const SECTION_LABEL = /^[a-z0-9][a-z0-9-]{0,30}$/;

function outletOf(host: string): OutletRule | null {
  for (const rule of OUTLETS) if (host === rule.domain || host.endsWith(`.${rule.domain}`)) return rule;
  return null;
}

function parseHttp(link: string): URL | null {
  if (typeof link !== 'string') return null;
  const trimmed = link.trim();
  if (trimmed === '' || trimmed.length > 8192) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url;
}

function isTracking(name: string, extra: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.includes(lower) || extra.has(lower);
}

function dropTracking(url: URL, opts: CanonicalOptions | undefined): void {
  const extra = new Set((opts?.ignoreParams ?? []).map((p) => p.toLowerCase()));
  // Collected first: deleting while iterating URLSearchParams skips entries.
  const names = [...new Set([...url.searchParams.keys()])].filter((n) => isTracking(n, extra));
  for (const name of names) url.searchParams.delete(name);
}

/**
 * The link with tracking parameters removed (utm_*, fbclid, gclid, … and `ignoreParams`), everything else as
 * published: what outputs link to. Null for anything but an absolute http(s) URL.
 */
export function stripTracking(link: string, opts?: CanonicalOptions): string | null {
  const url = parseHttp(link);
  if (url === null) return null;
  if (url.search !== '') {
    dropTracking(url, opts);
    if ([...url.searchParams.keys()].length === 0) url.search = '';
  }
  return url.href;
}

/** The key of a list of `ignoreParams` (SketchedText.canonical.params): equal keys, equal canonical URLs. */
export function canonicalParams(ignoreParams: readonly string[]): string {
  return ignoreParams.join('\n');
}

/**
 * One spelling of the page a link points to: tracking parameters and the fragment dropped, host lower-cased,
 * default port and a trailing index.html removed, remaining parameters sorted, and for the outlets in OUTLETS
 * the mobile/AMP copy mapped to the main page. Null for anything but an absolute http(s) URL; never throws.
 */
export function canonicalUrl(link: string, opts?: CanonicalOptions): string | null {
  const url = parseHttp(link);
  if (url === null) return null;
  url.hash = '';
  // Most links carry no query: the parameters' work (URLSearchParams objects, a Set) only for those that do.
  const query = url.search !== '';
  if (query) dropTracking(url, opts);
  // WHATWG URL already lower-cases the host and drops :80/:443 for http/https; a trailing dot is the same host.
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  const rule = outletOf(url.hostname);
  if (rule !== null) undoMobileAndAmp(url, rule);
  url.pathname = url.pathname.replace(/\/index\.html?$/i, '/');
  if (query) url.searchParams.sort();
  // A bare "?" (search reads '' for it) is dropped too.
  if (!query || [...url.searchParams.keys()].length === 0) url.search = '';
  return url.href;
}

function undoMobileAndAmp(url: URL, rule: OutletRule): void {
  const { domain } = rule;
  url.searchParams.delete('amp');
  let segments = url.pathname.split('/').slice(1);
  if (segments[segments.length - 1] === 'amp' || segments[segments.length - 1] === '') {
    // "/…/amp" and "/…/amp/" both name the AMP copy.
    const last = segments[segments.length - 1] === '' ? segments.length - 2 : segments.length - 1;
    if (last > 0 && segments[last] === 'amp') segments = segments.slice(0, last);
  }
  if (segments[0] === 'amp' && segments.length > 1) segments = segments.slice(1);
  const lastSegment = segments[segments.length - 1];
  if (lastSegment !== undefined && lastSegment.endsWith('.amp') && lastSegment.length > 4) {
    segments[segments.length - 1] = lastSegment.slice(0, -4);
  }
  const host = url.hostname;
  const sub = host.slice(0, host.length - domain.length - 1);
  if (host === domain || sub === 'm' || sub === 'amp' || sub === 'www') {
    const mobile = sub === 'm' || sub === 'amp';
    if (rule.mobile === 'section' && mobile && segments.length > 1 && SECTION_LABEL.test(segments[0]!)) {
      url.hostname = `${segments[0]}.${domain}`;
      segments = segments.slice(1);
    } else {
      url.hostname = rule.mobile === 'bare' ? domain : `www.${domain}`;
    }
  } else if (sub.startsWith('m.') || sub.startsWith('amp.')) {
    // m.news.detik.com-style: the section host itself in its mobile form.
    url.hostname = `${sub.slice(sub.indexOf('.') + 1)}.${domain}`;
  }
  url.pathname = `/${segments.join('/')}`;
}
