/** Times as the CLI prints them: one format everywhere, in the zone the admin configured (fetch.timezone). */

/**
 * `2026-12-02 11:20:00 +07:00`: wall-clock time in `timeZone` (an IANA name) with its UTC offset, so a line
 * copied out of a terminal still says which moment it means.
 */
export function formatLocalTime(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  // longOffset is "GMT+07:00", or plain "GMT" at offset zero.
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset}`;
}
