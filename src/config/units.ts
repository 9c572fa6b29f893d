/** A duration: one or more number+unit parts, e.g. "20s", "1h30m", "500ms". */
export const DURATION_PATTERN = /^\s*(\d+(\.\d+)?(ms|s|m|h|d)\s*)+$/;
/** A size in bytes with an optional unit, e.g. "10MiB", "512KiB", "2048". */
export const SIZE_PATTERN = /^\s*\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB|b|kb|kib|mb|mib|gb|gib)?\s*$/;

/** Parses durations like "20s", "5m", "1h30m", "500ms", "2d" into milliseconds; null when malformed. */
export function parseDuration(s: string): number | null {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const text = s.trim();
  if (!DURATION_PATTERN.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** Parses sizes like "10MiB", "512KiB", "1MB", "2048" (bytes) into bytes; null when malformed. */
export function parseSize(s: string): number | null {
  if (!SIZE_PATTERN.test(s)) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(s);
  if (!m) return null;
  const factor: Record<string, number> = {
    b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3,
  };
  return Math.floor(Number(m[1]) * factor[(m[2] ?? 'b').toLowerCase()]!);
}
