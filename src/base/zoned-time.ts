/** Times for humans in the admin's zone (config fetch.timezone): the page and pretty logs, and the CLI. */

type Parts = Record<string, string>;

// Intl.DateTimeFormat is costly to build: makeZonedFormat builds one per zone for the many times a page shows.
function partsFormatter(zone: string, seconds: boolean): (d: Date) => Parts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    ...(seconds ? { second: '2-digit', timeZoneName: 'longOffset' } : {}),
  });
  return (d) => Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
}

/** Formats dates as `YYYY-MM-DD HH:MM` in `zone` (an IANA name the config has already validated). */
export function makeZonedFormat(zone: string): (d: Date) => string {
  const parts = partsFormatter(zone, false);
  return (d) => {
    const p = parts(d);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
}

/**
 * `2026-12-02 11:20:00 +07:00`, as the CLI prints times: wall-clock time in `timeZone` with its UTC offset, so a
 * line copied out of a terminal still says which moment it means.
 */
export function formatLocalTime(d: Date, timeZone: string): string {
  const p = partsFormatter(timeZone, true)(d);
  // longOffset is "GMT+07:00", or plain "GMT" at offset zero.
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset}`;
}

/** The zone as an admin reads it: `UTC`, or `Asia/Jakarta (UTC+07:00)` with its offset at `at`. */
export function zoneLabel(zone: string, at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((x) => x.type === 'timeZoneName')?.value ?? '';
  // ICU writes `GMT+07:00`, and a bare `GMT` for a zero offset in some versions.
  const offset = name === 'GMT' ? 'UTC+00:00' : name.replace(/^GMT/, 'UTC');
  return zone === 'UTC' || zone === 'Etc/UTC' ? 'UTC' : `${zone} (${offset})`;
}
