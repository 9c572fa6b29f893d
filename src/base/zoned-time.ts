/** Times for humans in the admin's zone (config fetch.timezone), to the minute. */

/** Formats dates as `YYYY-MM-DD HH:MM` in `zone` (an IANA name the config has already validated). */
export function makeZonedFormat(zone: string): (d: Date) => string {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (d) => {
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
}

/** The zone as an admin reads it: `UTC`, or `Asia/Jakarta (UTC+07:00)` with its offset at `at`. */
export function zoneLabel(zone: string, at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((x) => x.type === 'timeZoneName')?.value ?? '';
  // ICU writes `GMT+07:00`, and a bare `GMT` for a zero offset in some versions.
  const offset = name === 'GMT' ? 'UTC+00:00' : name.replace(/^GMT/, 'UTC');
  return zone === 'UTC' || zone === 'Etc/UTC' ? 'UTC' : `${zone} (${offset})`;
}
