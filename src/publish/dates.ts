/**
 * Date formats of the published feeds, always in UTC so that output does not depend on the host's time zone.
 */

/** RFC 822 as RSS 2.0 wants it, with a four-digit year: `Wed, 02 Oct 2002 13:00:00 GMT`. */
export function rfc822(d: Date): string {
  // toUTCString() is specified (ECMA-262 Date.prototype.toUTCString) to give exactly this shape for years
  // 1000–9999, the only ones we publish (see plausibleDate).
  return d.toUTCString();
}

/** RFC 3339 in UTC; milliseconds only when non-zero: `2002-10-02T13:00:00Z`, `2002-10-02T13:00:00.250Z`. */
export function rfc3339(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

// The W3C validator calls a date before 1990 "implausible" (feedvalidator validators.py implausible_822,
// implausible_8601), as it does a date more than ten minutes in its own future.
const EARLIEST = Date.UTC(1990, 0, 1);

/**
 * Whether a date is one we may publish: not before 1990 and not after `latest` (the feed's own updated time,
 * itself never in the future). Real feeds carry epoch-zero dates and future dates from wrong time zones.
 */
export function plausibleDate(d: Date, latest: Date): boolean {
  const t = d.getTime();
  return Number.isFinite(t) && t >= EARLIEST && t <= latest.getTime();
}
