/**
 * Feed dates → instants. RSS uses RFC 822 (RFC 2822 §3.3), Atom uses RFC 3339 / W3C-DTF, and real feeds break both
 * in many ways. A date we cannot read is null (the store substitutes first-seen time): never a guess in the
 * process's local zone, never an Invalid Date.
 */

const MAX_LENGTH = 120;

/** Reads a feed date in any of the forms feeds use; null when the text is not a date we can read unambiguously. */
export function parseDate(input: string): Date | null {
  const s = input.replace(/\s+/g, ' ').trim();
  if (s === '' || s.length > MAX_LENGTH) return null;
  const rfc = parseRfc822(s);
  return rfc !== undefined ? rfc : parseDateGeneral(s);
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC. */
  offset: number;
  millisecond?: number;
}

/** Builds the instant, or null when a field is out of range (no rollover: 31 Feb is not 3 Mar). */
function toDate(p: Parts): Date | null {
  const { year, month, day, hour, minute, second, offset, millisecond = 0 } = p;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  if (Math.abs(offset) >= 24 * 60) return null;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, Math.min(second, 59), millisecond);
  const t = d.getTime() - offset * 60_000;
  return Number.isFinite(t) ? new Date(t) : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** RFC 2822 §4.3: two-digit years 00–49 are 2000–2049, 50–99 are 1950–1999; three digits add 1900. */
function fullYear(digits: string): number {
  const n = Number(digits);
  if (digits.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (digits.length === 3) return 1900 + n;
  return n;
}

function fromEpoch(s: string): Date | null {
  const ms = s.length === 13 ? Number(s) : Number(s) * 1000;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 822 as RSS feeds nearly all write it ("Tue, 01 Dec 2026 10:00:00 +0700"), read by one regular expression
// instead of the ISO attempts, the locale rewrites and the token reader below (issue 15: ~2 % of a cold ingest's
// CPU). Only the plain shape, with the zones whose reading is fixed; anything else returns undefined and is read
// below, which gives the same instant for this shape (test/unit/pipeline/feed/dates.test.ts compares the two).

const RFC822 = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{1,2}):(\d{1,2})(?::(\d{1,2}))? (?:([+-])(\d{2})(\d{2})|(GMT|UTC?|Z|[ECMP][SD]T))$/;
const RFC822_MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** The plain RFC 822 shape read directly; undefined when the text is not in it, null when a field is out of range. */
export function parseRfc822(s: string): Date | null | undefined {
  const m = RFC822.exec(s);
  if (!m) return undefined;
  const [, day, month, year, hour, minute, second, sign, zh, zm, zone] = m;
  const offset = sign !== undefined ? signedOffset(sign, Number(zh), Number(zm)) : ZONES[zone!.toLowerCase()]!;
  if (offset === null) return null;
  return toDate({ year: Number(year), month: RFC822_MONTHS[month!]!, day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second ?? 0), offset });
}

/** The same text read by the general reader (the ISO forms, then the token reader), never the fast path above. */
export function parseDateGeneral(s: string): Date | null {
  const iso = parseIso(s);
  if (iso !== undefined) return iso;
  if (/^\d{10}$|^\d{13}$/.test(s)) return fromEpoch(s);
  return parseFree(localize(s));
}

// ---------------------------------------------------------------------------------------------------------------
// ISO 8601 / W3C-DTF / RFC 3339 (Atom). Returns undefined when the text is not ISO-shaped, null when it is but a
// field is out of range.

const ISO_EXTENDED =
  /^(\d{4})(?:-(\d{1,3})(?:-(\d{1,2}))?)?(?:[Tt ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)? ?([Zz]|[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|UT)?$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:[Tt]?(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
// ISO 8601:2000 truncated forms with an implied century (YYMMDD, YY-MM-DD, -YYMM, -YY-MM), which feedparser reads.
const ISO_TRUNCATED_DAY = /^(\d{2})-?(\d{2})-?(\d{2})$/;
const ISO_TRUNCATED_MONTH = /^-(\d{2})-?(\d{2})$/;
// ISO 8601 ordinal dates (year + day of year): YYDDD, YY-DDD, YYYY-DDD. feedparser's ISO 8601 reader takes them.
const ISO_ORDINAL = /^(\d{2}|\d{4}-)-?(\d{3})$/;

function parseIso(s: string): Date | null | undefined {
  let m = ISO_ORDINAL.exec(s);
  if (m) {
    const year = m[1]!.length === 2 ? fullYear(m[1]!) : Number(m[1]!.slice(0, 4));
    const day = Number(m[2]);
    const leap = daysInMonth(year, 2) === 29;
    if (day < 1 || day > (leap ? 366 : 365)) return null;
    return new Date(Date.UTC(year, 0, day));
  }
  m = ISO_EXTENDED.exec(s) ?? ISO_BASIC.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, fraction, zone] = m;
    if (h === undefined && zone !== undefined) return null; // "2003-12-31Z": not a form anyone means
    const offset = zone === undefined ? 0 : isoOffset(zone);
    if (offset === null) return null;
    return toDate({
      year: Number(y),
      month: mo === undefined ? 1 : Number(mo),
      day: d === undefined ? 1 : Number(d),
      hour: Number(h ?? 0),
      minute: Number(mi ?? 0),
      second: Number(sec ?? 0),
      millisecond: fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0')),
      offset,
    });
  }
  m = ISO_TRUNCATED_DAY.exec(s);
  if (m) return toDate({ ...MIDNIGHT, year: fullYear(m[1]!), month: Number(m[2]), day: Number(m[3]) });
  m = ISO_TRUNCATED_MONTH.exec(s);
  if (m) return toDate({ ...MIDNIGHT, year: fullYear(m[1]!), month: Number(m[2]), day: 1 });
  return undefined;
}

const MIDNIGHT = { hour: 0, minute: 0, second: 0, offset: 0 };

function isoOffset(zone: string): number | null {
  if (/^(?:z|utc|gmt|ut)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
  return signedOffset(m[1]!, Number(m[2]), Number(m[3] ?? 0));
}

function signedOffset(sign: string, hours: number, minutes: number): number | null {
  if (hours > 23 || minutes > 59) return null;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// ---------------------------------------------------------------------------------------------------------------
// Everything else: RFC 822 and its relatives (asctime, JavaScript's Date#toString, "Aug 12, 2024 10:00 AM",
// Indonesian "Senin, 12 Agustus 2024 10.00 WIB" …), read token by token. Every token must be understood, so
// junk ("2013-01-28T11:30:00-06:00Textra", "16 zzz 2012") gives null rather than a partial guess.

/** Zone abbreviations → minutes east of UTC. North American names win where ambiguous (CST), as in RFC 822. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  et: -300, ct: -360, mt: -420, pt: -480, // feedparser's zone-only names
  ast: -240, adt: -180, at: -240, akst: -540, akdt: -480, hst: -600, nst: -210, ndt: -150,
  bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, mez: 60, mesz: 120, west: 60,
  eet: 120, eest: 180, msk: 180, sast: 120, pkt: 300, ict: 420, myt: 480, sgt: 480, hkt: 480, pht: 480,
  jst: 540, kst: 540, awst: 480, acst: 570, aest: 600, aedt: 660, nzst: 720, nzdt: 780, brt: -180, art: -180,
  wib: 420, wita: 480, wit: 540, // Indonesia: western, central, eastern
};

const MONTHS: Record<string, number> = {};
function addMonths(names: string[][]): void {
  names.forEach((aliases, i) => aliases.forEach((a) => (MONTHS[a] = i + 1)));
}
addMonths([
  ['jan', 'january', 'januari', 'ιαν', 'januar'],
  ['feb', 'february', 'februari', 'φεβ', 'februar'],
  ['mar', 'march', 'maret', 'μαρ', 'μαω', 'marcius'],
  ['apr', 'april', 'απρ', 'aprilis'],
  ['may', 'mei', 'μαι', 'majus'],
  ['jun', 'june', 'juni', 'ιουν', 'ιον', 'junius'],
  ['jul', 'july', 'juli', 'ιουλ', 'ιολ', 'julius'],
  ['aug', 'august', 'agustus', 'agu', 'agt', 'ags', 'αυγ', 'augusztus'],
  ['sep', 'sept', 'september', 'σεπ', 'szeptember'],
  ['oct', 'october', 'okt', 'oktober', 'οκτ'],
  ['nov', 'november', 'νοε'],
  ['dec', 'december', 'des', 'desember', 'δεκ'],
]);

const DAY_NAMES = new Set([
  'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'senin', 'selasa', 'rabu', 'kamis', 'jumat', 'sabtu', 'minggu', 'ahad',
  'κυρ', 'δευ', 'τρι', 'τετ', 'πεμ', 'παρ', 'σαβ',
]);
const INDONESIAN_DAY_NAMES = new Set(['senin', 'selasa', 'rabu', 'kamis', 'jumat', 'sabtu', 'minggu', 'ahad']);
const FILLERS = new Set(['t', 'at', 'pukul', 'on']);

/** Rewrites the locale-specific shapes feedparser reads (Korean blogs) into ones the token reader knows. */
function localize(s: string): string {
  const out = s
    .replace(/(\d{4})년 ?(\d{1,2})월 ?(\d{1,2})일/, '$1-$2-$3')
    .replace(/오전/, 'am')
    .replace(/오후/, 'pm')
    .replace(/\bEtc\//, '')
    .replace(/\b([ap])\.m\.?/i, '$1m')
    .replace(/(\d)(?:st|nd|rd|th)\b/i, '$1')
    .replace(/\bJum'at\b/i, 'Jumat');
  // Korean sites give local time without a zone: Korea Standard Time.
  return out !== s && /[년월일오전후]/.test(s) && !/[+-]\d{2}:?\d{2}$/.test(out) ? `${out} +0900` : out;
}

type Token =
  | { kind: 'num'; text: string }
  | { kind: 'time'; h: number; m: number; s: number }
  | { kind: 'word'; text: string }
  | { kind: 'sign'; text: string }
  | { kind: 'date'; y: number; m: number; d: number }
  | { kind: 'sep' };

/**
 * One token at a time, in this order: a numeric date (2006/09/15, 15.09.2006); a time (10:00, 10:00:00.5); an
 * Indonesian time (10.00); a number; a word (with an abbreviation's dot); a sign; separators; a parenthesised
 * comment ("(WIB)", dropped); anything else, which no date contains.
 */
const TOKEN_SOURCE = String.raw`(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?!\d)|(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?(?![\d:])|(\d{1,2})\.(\d{2})(?!\d)|(\d+)|(\p{L}+)\.?|([+-])|([\s,/.]+)|\([^)]*\)|(.)`;

function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  const indonesian = /\b(?:WIB|WITA|WIT)\b/.test(s);
  const token = new RegExp(TOKEN_SOURCE, 'uy');
  while (token.lastIndex < s.length) {
    const m = token.exec(s);
    if (!m) return null;
    if (m[1] !== undefined) {
      const date = numericDate(m[1], m[2]!, m[3]!, m[4]!, indonesian || hasIndonesianDay(s));
      if (!date) return null;
      out.push({ kind: 'date', ...date });
    } else if (m[5] !== undefined) out.push({ kind: 'time', h: Number(m[5]), m: Number(m[6]), s: Number(m[7] ?? 0) });
    else if (m[8] !== undefined) out.push({ kind: 'time', h: Number(m[8]), m: Number(m[9]), s: 0 });
    else if (m[10] !== undefined) out.push({ kind: 'num', text: m[10] });
    else if (m[11] !== undefined) out.push({ kind: 'word', text: fold(m[11]) });
    else if (m[12] !== undefined) out.push({ kind: 'sign', text: m[12] });
    else if (m[13] !== undefined) out.push({ kind: 'sep' });
    else if (m[14] !== undefined) return null;
  }
  return out;
}

/** Lower case without diacritics, so "Ιούλ" and "július" meet their table entries. */
function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function hasIndonesianDay(s: string): boolean {
  return s.split(/[^\p{L}']+/u).some((w) => INDONESIAN_DAY_NAMES.has(fold(w.replace("'", ''))));
}

/**
 * 2006/09/15 and 15.09.2006. Day-first and month-first cannot be told apart when both are ≤ 12: that is read
 * day-first only in an Indonesian context (zone WIB/WITA/WIT or an Indonesian day name), otherwise it is null.
 */
function numericDate(a: string, sep: string, b: string, c: string, dayFirst: boolean) {
  if (a.length === 4 && c.length <= 2) return { y: Number(a), m: Number(b), d: Number(c) };
  if (c.length !== 4 || a.length > 2) return null;
  const [x, y] = [Number(a), Number(b)];
  if (x > 12 || ((sep === '.' || dayFirst) && y <= 12)) return { y: Number(c), m: y, d: x };
  if (y > 12) return { y: Number(c), m: x, d: y };
  return null;
}

function parseFree(s: string): Date | null {
  const tokens = tokenize(s);
  if (!tokens) return null;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let time: { h: number; m: number; s: number } | undefined;
  let offset: number | undefined;
  let meridiem: 'am' | 'pm' | undefined;
  let numericZone = false;
  let namedZone = false;
  const numbers: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.kind) {
      case 'sep':
        break;
      case 'date':
        if (year !== undefined || month !== undefined) return null;
        [year, month, day] = [t.y, t.m, t.d];
        break;
      case 'time':
        if (time) return null;
        time = t;
        break;
      case 'num':
        if (t.text.length === 4) {
          if (year !== undefined) return null;
          year = Number(t.text);
        } else if (t.text.length <= 2) numbers.push(t.text);
        else return null;
        break;
      case 'sign': {
        // After the time, +hhmm / -hh:mm / +h is a zone offset (and wins over a zone name); elsewhere "-" separates.
        if (!time || numericZone) {
          if (t.text === '-' && !time) break;
          return null;
        }
        const next = tokens[i + 1];
        let value: number | null = null;
        if (next?.kind === 'num' && next.text.length === 4) {
          value = signedOffset(t.text, Number(next.text.slice(0, 2)), Number(next.text.slice(2)));
        } else if (next?.kind === 'num' && next.text.length <= 2) value = signedOffset(t.text, Number(next.text), 0);
        else if (next?.kind === 'time' && next.s === 0) value = signedOffset(t.text, next.h, next.m);
        if (value === null) return null;
        offset = value;
        numericZone = true;
        i++;
        break;
      }
      case 'word': {
        const w = t.text;
        if (MONTHS[w] !== undefined && month === undefined) month = MONTHS[w];
        else if (DAY_NAMES.has(w) && !time) continue;
        else if ((w === 'am' || w === 'pm') && !meridiem) meridiem = w;
        else if (FILLERS.has(w) && !time) continue;
        else if (time && !namedZone && (ZONES[w] !== undefined || /^\p{L}{1,5}$/u.test(w))) {
          // RFC 2822 §4.3: military zones were defined backwards in RFC 822, and an unknown zone name means
          // "-0000" (UTC, local zone unknown): both read as UTC. A numeric offset, when given too, wins.
          namedZone = true;
          if (!numericZone) offset = ZONES[w] ?? 0;
        } else return null;
        break;
      }
    }
  }

  if (month === undefined) return null;
  if (day === undefined) {
    // With the month as a word: the first number is the day; a second one is a two-digit year.
    if (numbers.length === 0 || numbers.length > 2) return null;
    day = Number(numbers[0]);
    if (numbers.length === 2) {
      if (year !== undefined) return null;
      year = fullYear(numbers[1]!);
    }
  } else if (numbers.length > 0) return null;
  if (year === undefined) return null;

  let hour = time?.h ?? 0;
  if (meridiem) {
    if (!time || hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return toDate({ year, month, day, hour, minute: time?.m ?? 0, second: time?.s ?? 0, offset: offset ?? 0 });
}
