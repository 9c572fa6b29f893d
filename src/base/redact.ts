/**
 * Secrets in source URLs (userinfo, API keys in the query) shown as `***` wherever warta shows a URL: the API,
 * the index page, logs, error messages, the CLI. Requests still use the real URL; only what people see changes.
 *
 * Two nets, because a secret reaches text in two ways: inside a URL (found by shape, so a redirect target or a
 * library's error text is caught without knowing it in advance) and as a bare value (an undici error may quote
 * a host or a query without the scheme; a JSON log line escapes characters): the known secrets of the config
 * are replaced wherever they appear.
 */

/** Query parameter names whose values are secrets, compared without case, `-` or `_` (`API-Key` is `apikey`). */
export const SECRET_PARAMS: readonly string[] = ['key', 'apikey', 'api_key', 'token', 'access_token', 'secret', 'password', 'pass', 'auth', 'sig', 'signature'];

/** What redaction shows instead of a secret. */
export const MASK = '***';

// A bare secret shorter than this is not replaced in free text: `key=1` must not turn every "1" of a log line
// into ***. Inside URLs (found by shape) a secret of any length is masked.
const MIN_BARE_SECRET = 6;

const normalizeName = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** A URL in free text: a scheme, `//`, and everything up to a character a URL cannot hold unescaped. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\`]+/gi;

/** Whether a query parameter name looks secret, against the built-in list and `extra`. */
export function isSecretParam(name: string, extra: readonly string[] = []): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    /* a malformed escape: compare as written */
  }
  const n = normalizeName(decoded);
  return SECRET_PARAMS.some((p) => normalizeName(p) === n) || extra.some((p) => normalizeName(p) === n);
}

/**
 * A URL with its userinfo and secret query values replaced by `***`. Works on the text as written (no
 * parsing and re-serializing, which would change what the admin wrote); a string that is not a URL comes
 * back unchanged.
 */
export function redactUrl(url: string, extraParams: readonly string[] = []): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url;
  let rest = url.slice(scheme[0].length);
  // The authority ends at the first /, ? or #; userinfo is what precedes its last @.
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at !== -1) rest = `${MASK}${rest.slice(at)}`;
  return scheme[0] + redactQuery(rest, extraParams);
}

/** Masks the values of secret-looking parameters in the `?query` (and a `#fragment` written like one). */
function redactQuery(rest: string, extra: readonly string[]): string {
  return rest.replace(/([?#&;])([^=&;#]+)=([^&;#]*)/g, (whole, sep: string, name: string, value: string) =>
    value !== '' && isSecretParam(name, extra) ? `${sep}${name}=${MASK}` : whole,
  );
}

/** Every URL found in `text` redacted (redactUrl). */
export function redactUrlsIn(text: string, extraParams: readonly string[] = []): string {
  return text.replace(URL_IN_TEXT, (u) => redactUrl(u, extraParams));
}

/** The secret parts of one URL: userinfo (whole, user, password) and secret query values, as written and decoded. */
export function secretsOfUrl(url: string, extraParams: readonly string[] = []): string[] {
  const out: string[] = [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return out;
  }
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (u.password) out.push(u.password, decode(u.password), `${u.username}:${u.password}`);
  else if (u.username) out.push(u.username, decode(u.username));
  for (const [name, value] of u.searchParams) if (value !== '' && isSecretParam(name, extraParams)) out.push(value);
  // The raw (still escaped) forms, as they appear in the URL text.
  const query = /\?([^#]*)/.exec(url)?.[1] ?? '';
  for (const pair of query.split(/[&;]/)) {
    const eq = pair.indexOf('=');
    if (eq > 0 && eq < pair.length - 1 && isSecretParam(pair.slice(0, eq), extraParams)) out.push(pair.slice(eq + 1));
  }
  return out;
}

/** Redacts free text (log lines, error messages): URLs by shape, then every known secret wherever it appears. */
export interface Redactor {
  /** A URL with its secrets masked. */
  url(url: string): string;
  /** Text with every URL redacted and every known secret masked. */
  text(text: string): string;
  /**
   * Learns more secret parameter names, then the secrets of these URLs and these bare values (tokens). What is
   * learnt is kept: a line about a source a reload removed may still be written.
   */
  learn(s: { params?: readonly string[]; urls?: readonly string[]; values?: readonly string[] }): void;
}

/** A redactor that knows only the built-in secret parameter names until it learns more. */
export function makeRedactor(): Redactor {
  const extraParams: string[] = [];
  // Longest first, so a secret containing another is masked whole.
  let bare: string[] = [];
  const known = new Set<string>();
  const add = (s: string) => {
    if (s.length < MIN_BARE_SECRET) return;
    // As written, URL-encoded, and as a JSON string escapes it (log lines are JSON).
    for (const form of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) known.add(form);
  };
  return {
    url: (url) => redactUrl(url, extraParams),
    text(text) {
      let out = redactUrlsIn(text, extraParams);
      for (const s of bare) if (out.includes(s)) out = out.split(s).join(MASK);
      return out;
    },
    learn({ params = [], urls = [], values = [] }) {
      for (const p of params) if (!extraParams.includes(p)) extraParams.push(p);
      for (const url of urls) for (const s of secretsOfUrl(url, extraParams)) add(s);
      for (const v of values) add(v);
      bare = [...known].sort((a, b) => b.length - a.length);
    },
  };
}

/** A source's status with its URLs and error message redacted (GET /api/sources, the page, `warta sources`). */
export function redactSourceStatus<T extends { url: string; effective_url: string | null; last_error: { code: string; message: string } | null }>(s: T, r: Redactor): T {
  return {
    ...s,
    url: r.url(s.url),
    effective_url: s.effective_url === null ? null : r.url(s.effective_url),
    last_error: s.last_error === null ? null : { code: s.last_error.code, message: r.text(s.last_error.message) },
  };
}
