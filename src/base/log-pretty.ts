/**
 * Log lines for a person at a terminal: `12:30:12.345 INFO  refresh updated  source=antara httpStatus=200`,
 * a day line when the date changes, continuation lines indented.
 *
 * Written here rather than taken from pino-pretty: pino-pretty 13 pulls in 13 packages (a CLI's argument
 * parsing, config-file loading and date formatting among them) and, through strip-json-comments 5.1, an
 * `engines: node >= 22` warning on the Node 20 we support. What warta needs is ~80 lines: one line per event,
 * times in the admin's zone, messages that already carry their list (a rejected reload's problems) printed once.
 */
import { makeZonedFormat, zoneLabel } from './zoned-time.js';

/** How pretty lines are written. */
export interface PrettyOptions {
  /** IANA zone for times (config fetch.timezone). */
  zone: string;
  /** ANSI colours (a terminal that wants them: not NO_COLOR). */
  color: boolean;
}

const LEVEL_COLOR: Record<string, number> = { fatal: 31, error: 31, warn: 33, info: 32, debug: 90, trace: 90 };
// Fields every line has, shown by the layout itself or of no use to a reader.
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** A formatter of pino's JSON lines; it remembers the last day printed, to print the next day's line once. */
export function makePrettyFormatter(opts: PrettyOptions): (jsonLine: string) => string {
  const stamp = makeZonedFormat(opts.zone);
  const paint = (code: number, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let lastDay = '';
  return (jsonLine) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(jsonLine) as Record<string, unknown>;
    } catch {
      return jsonLine; // not ours to judge: pass it on as it came
    }
    const at = new Date(typeof e.time === 'string' || typeof e.time === 'number' ? e.time : Date.now());
    const [day, minute] = stamp(at).split(' ') as [string, string];
    const seconds = `${minute}:${String(at.getUTCSeconds()).padStart(2, '0')}.${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
    const level = String(e.level ?? 'info');
    const msg = String(e.msg ?? '');
    const [first = '', ...more] = msg.split('\n');
    const fields: string[] = [];
    const below: string[] = [...more];
    for (const [k, v] of Object.entries(e)) {
      // A null says "none" (error: null on a success): noise to a reader, kept in the JSON form.
      if (HIDDEN.has(k) || v === undefined || v === null) continue;
      if (k === 'err' && v && typeof v === 'object') {
        below.push(...errorLines(v as Record<string, unknown>));
        continue;
      }
      // A list the message already spells out (config reload rejected: its problems) is not printed twice.
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' && msg.includes(x))) continue;
      fields.push(`${paint(2, `${k}=`)}${value(v)}`);
    }
    const head = `${paint(2, seconds)} ${paint(LEVEL_COLOR[level] ?? 0, level.toUpperCase().padEnd(5))} ${first}${fields.length ? `  ${fields.join(' ')}` : ''}`;
    const out = [head, ...below.map((l) => `    ${l}`)].join('\n');
    if (day === lastDay) return `${out}\n`;
    lastDay = day;
    return `${paint(2, `── ${day} · ${zoneLabel(opts.zone, at)} ──`)}\n${out}\n`;
  };
}

/** A value as `key=value` shows it: bare when it cannot be misread, JSON otherwise. */
function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** pino's serialized error: its message, then its stack without the line that repeats the message. */
function errorLines(err: Record<string, unknown>): string[] {
  const head = `${String(err.type ?? 'Error')}: ${String(err.message ?? '')}`;
  const stack = typeof err.stack === 'string' ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => `  ${l.trim()}`) : [];
  return [head, ...stack];
}
