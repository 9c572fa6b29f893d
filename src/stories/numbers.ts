/**
 * Numbers and amounts in news text, normalized so two rewrites of one story spell them alike: "Rp12.500,00" and
 * "Rp 12.500" → "rp 12.500"; "Senin (2/12/2024)" and "2 Desember 2024" → "2/12" and "2024"; "3,5 persen" and
 * "3.5%" → "3,5%"; "skor 3–1" → "3-1"; "magnitudo 5,6" and "5.6 SR" → "m 5,6". The kind of a number is read
 * back from its spelling (numberKind), so a sketch stays a list of strings.
 */

/** What a normalized number is; two stories that disagree on one kind are different stories. */
export type NumberKind = 'money' | 'score' | 'date' | 'percent' | 'magnitude' | 'measure' | 'year' | 'plain';

const MONTHS: Record<string, number> = {
  januari: 1, january: 1, jan: 1, februari: 2, february: 2, feb: 2, maret: 3, march: 3, mar: 3, april: 4, apr: 4,
  mei: 5, may: 5, juni: 6, june: 6, jun: 6, juli: 7, july: 7, jul: 7, agustus: 8, august: 8, agu: 8, agt: 8, aug: 8,
  september: 9, sep: 9, sept: 9, oktober: 10, october: 10, okt: 10, oct: 10, november: 11, nov: 11,
  desember: 12, december: 12, des: 12, dec: 12,
};
const MONTH_NAMES = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|');

const UNITS: Record<string, string> = {
  ribu: 'ribu', rb: 'ribu', juta: 'juta', jt: 'juta', miliar: 'miliar', milyar: 'miliar', m: 'miliar',
  triliun: 'triliun', t: 'triliun', million: 'juta', billion: 'miliar', trillion: 'triliun',
};

// Physical measures, spelled one way: "10 km" and "10 kilometer" agree.
const MEASURES: Record<string, string> = {
  meter: 'meter', kilometer: 'km', km: 'km', sentimeter: 'cm', cm: 'cm', kilogram: 'kg', kg: 'kg', ton: 'ton',
  liter: 'liter', hektare: 'ha', hektar: 'ha', ha: 'ha', unit: 'unit', derajat: 'derajat',
};
const MEASURE_UNITS = new Set(Object.values(MEASURES));

// Each pattern is tried over the whole text in this order; a span one pattern took is not read again.
// Numbers are bounded by non-digits on both sides so "12.500" is never read as "12" and "500".
const NUM = String.raw`\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?`;
const UNIT = String.raw`(?:\s?(ribu|rb|juta|jt|miliar|milyar|triliun|million|billion|trillion|M|T)\b)?`;
const PATTERNS: { kind: NumberKind | 'skip'; re: RegExp }[] = [
  // Clock times and durations between dates are not evidence: rewrites give different times for one event.
  { kind: 'skip', re: /(?<![\d.,:])\d{1,2}[.:]\d{2}(?:\s?(?:WIB|WITA|WIT|GMT|UTC))(?![\d])/gi },
  { kind: 'money', re: new RegExp(String.raw`(?:\bRp|\bIDR|US\$|\bUSD|\$)\.?\s?(${NUM})${UNIT}`, 'gi') },
  { kind: 'magnitude', re: /(?:[Mm]agnitud[oe]|\bM|\bSR)\s?(\d(?:[.,]\d{1,2})?)(?!\d|[.,]\d)/g },
  { kind: 'magnitude', re: /(?<![\d.,])(\d[.,]\d{1,2})\s?(?:SR\b|skala richter)/gi },
  { kind: 'percent', re: /(?<![\d.,])(\d+(?:[.,]\d+)?)\s?(?:%|persen\b|percent\b)/gi },
  { kind: 'date', re: new RegExp(String.raw`(?<![\d.,])(\d{1,2})\s(${MONTH_NAMES})\b\.?(?:\s((?:19|20)\d{2})\b)?`, 'gi') },
  { kind: 'date', re: /(?<![\d/.,])(\d{1,2})\/(\d{1,2})(?:\/((?:19|20)?\d{2}))?(?![\d/])/g },
  { kind: 'score', re: /(?<![\d.,/-])(\d{1,2})\s?[-–]\s?(\d{1,2})(?!\d|[.,/-]\d)/g },
  { kind: 'measure', re: new RegExp(String.raw`(?<![\d.,])(${NUM})\s?(${Object.keys(MEASURES).join('|')})\b`, 'gi') },
  { kind: 'year', re: /(?<![\d.,])((?:19[5-9]|20\d)\d)(?!\d|[.,]\d)/g },
  { kind: 'plain', re: new RegExp(String.raw`(?<![\d.,])(${NUM})(?![\d])`, 'g') },
];

/** The kind of a normalized number, from its spelling. */
export function numberKind(n: string): NumberKind {
  if (n.startsWith('rp ') || n.startsWith('usd ')) return 'money';
  if (n.startsWith('m ')) return 'magnitude';
  if (n.endsWith('%')) return 'percent';
  if (n.includes('/')) return 'date';
  if (/^\d+-\d+$/.test(n)) return 'score';
  const space = n.indexOf(' ');
  if (space > 0 && MEASURE_UNITS.has(n.slice(space + 1))) return 'measure';
  if (/^(?:19[5-9]|20\d)\d$/.test(n)) return 'year';
  return 'plain';
}

/** The digits of a normalized number without its kind: "rp 12.500 juta" → "12.500", "15%" → "15". */
export function numberCore(n: string): string {
  return n.replace(/^(?:rp|usd|m) /, '').replace(/ \w+$/, '').replace(/%$/, '');
}

// "3.5" is a decimal in English text, "12.500" thousands in Indonesian: only a one- or two-digit tail is a
// decimal fraction. Decimals are spelled with a comma, thousands with dots; ",00" cents are dropped.
function normalizeAmount(raw: string): string {
  let s = raw;
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '#').replace('.', ',').replace(/#/g, '.');
  else if (/^\d+\.\d{1,2}$/.test(s)) s = s.replace('.', ',');
  s = s.replace(/,0+$/, '');
  if (/^[1-9]\d{3,}$/.test(s)) s = s.replace(/\B(?=(\d{3})+$)/g, '.');
  return s;
}

function yearOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  return raw.length === 2 ? `20${raw}` : raw;
}

/**
 * The numbers of `text`, normalized, in order of first appearance, at most `limit`. Single digits alone
 * ("3 orang", "ke-2") are left out: too common to tell stories apart.
 */
export function numbersOf(text: string, limit = 24): string[] {
  // Every pattern needs a digit: text without one (many headlines and leads) skips the eleven passes.
  if (!/\d/.test(text)) return [];
  const taken: [number, number][] = [];
  const found: { at: number; value: string }[] = [];
  const free = (from: number, to: number) => taken.every(([a, b]) => to <= a || from >= b);
  for (const { kind, re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const from = m.index;
      const to = from + m[0].length;
      if (!free(from, to)) continue;
      taken.push([from, to]);
      for (const value of valuesOf(kind, m)) found.push({ at: from, value });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const out: string[] = [];
  for (const { value } of found) {
    if (!out.includes(value)) out.push(value);
    if (out.length >= limit) break;
  }
  return out;
}

function valuesOf(kind: NumberKind | 'skip', m: RegExpExecArray): string[] {
  switch (kind) {
    case 'skip':
      return [];
    case 'money': {
      const currency = /^(?:rp|idr)/i.test(m[0]) ? 'rp' : 'usd';
      const unit = m[2] === undefined ? '' : (UNITS[m[2].toLowerCase()] ?? m[2].toLowerCase());
      const amount = normalizeAmount(m[1]!);
      // "Rp 80 ribu" is "Rp 80.000"; larger units stay words ("Rp 1,7 miliar"): their digits were rounded.
      if (unit === 'ribu' && /^\d{1,3}$/.test(amount)) return [`${currency} ${amount}.000`];
      return [`${currency} ${amount}${unit === '' ? '' : ` ${unit}`}`];
    }
    case 'magnitude':
      return [`m ${m[1]!.replace('.', ',')}`];
    case 'percent':
      return [`${normalizeAmount(m[1]!)}%`];
    case 'date': {
      const day = Number(m[1]);
      const month = /^\d+$/.test(m[2]!) ? Number(m[2]) : MONTHS[m[2]!.toLowerCase()]!;
      if (day < 1 || day > 31 || month < 1 || month > 12) return [];
      const year = yearOf(m[3]);
      return year === null ? [`${day}/${month}`] : [`${day}/${month}`, year];
    }
    case 'score':
      return [`${Number(m[1])}-${Number(m[2])}`];
    case 'measure':
      return [`${normalizeAmount(m[1]!)} ${MEASURES[m[2]!.toLowerCase()]}`];
    case 'year':
      return [m[1]!];
    case 'plain': {
      const value = normalizeAmount(m[1]!);
      return /^\d$/.test(value) ? [] : [value];
    }
  }
}
