/**
 * Deterministic random tag soup for sanitizer tests: misnested, unclosed and stray tags from a vocabulary that
 * includes everything the sanitizer must drop, with hostile attribute values and awkward text.
 */
const TAGS = (
  'p div a b i em strong span ul ol li dl dt dd table tr td th tbody thead tfoot caption col colgroup h1 h2 h3 pre ' +
  'code blockquote figure figcaption img br hr section article font center form input script iframe noscript ' +
  'details summary q sub sup small s u mark time del ins abbr select option textarea button svg math object ' +
  'template xmp listing nobr marquee title style html body head picture source video audio'
).split(' ');
const TEXT = ['x', ' ', 'a & b', '<', '&amp;', '&lt;', 'AT&T', '\n', '&#0;', '&nbsp;', ']]>', 'é', '😀', '\u0085'];
const HREFS = ['/a', '#f', 'javascript:x()', 'https://x.example/', 'data:text/html,x', '//cdn.example/x'];
const SRCS = ['/i.png', 'data:image/png;base64,AA', 'https://x.example/i.png', ''];

/** `count` fragments from a linear congruential generator seeded with `seed`. */
export function tagSoups(seed: number, count: number): string[] {
  let state = seed;
  const rnd = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const soup = (depth: number): string => {
    let s = '';
    const n = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) {
      const r = rnd();
      if (r < 0.3 || depth > 5) s += pick(TEXT);
      else if (r < 0.45) s += `</${pick(TAGS)}>`;
      else {
        const tag = pick(TAGS);
        const attrs = rnd() < 0.5 ? ` href="${pick(HREFS)}" src="${pick(SRCS)}" onclick="x()" style="a:b"` : '';
        s += `<${tag}${attrs}>${soup(depth + 1)}${rnd() < 0.7 ? `</${tag}>` : ''}`;
      }
    }
    return s;
  };
  return Array.from({ length: count }, () => soup(0));
}
