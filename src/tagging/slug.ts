/** Tag names → URL-safe ids. */

/**
 * The slug of a tag name: lower-case ASCII letters and digits, accents removed, every other run of
 * characters turned into one '-', no leading or trailing '-'. May be '' (e.g. a name in Arabic script).
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD') // lower-casing İ yields i + U+0307; decompose again so the mark can go
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
