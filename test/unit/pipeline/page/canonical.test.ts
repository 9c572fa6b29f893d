import { expect } from 'chai';
import { findCanonical } from '../../../../src/pipeline/page/canonical.js';
import { parsePage } from '../../../../src/pipeline/page/dom.js';

describe('pipeline/page: canonical URL', () => {
  const page = 'https://m.jurnas.example/artikel/162345/putin?utm_source=rss';
  const cases: [what: string, head: string, want: string | null][] = [
    ['link rel=canonical', '<link rel="canonical" href="https://www.jurnas.example/artikel/162345/putin/">', 'https://www.jurnas.example/artikel/162345/putin/'],
    ['relative, resolved against the page URL', '<link rel="canonical" href="/artikel/162345/putin/">', 'https://m.jurnas.example/artikel/162345/putin/'],
    ['og:url when there is no link', '<meta property="og:url" content="https://www.jurnas.example/a/1">', 'https://www.jurnas.example/a/1'],
    ['link before og:url', '<meta property="og:url" content="https://x.example/og"><link rel="canonical" href="https://x.example/link">', 'https://x.example/link'],
    ['rel with several values', '<link rel="alternate canonical" href="https://x.example/c">', 'https://x.example/c'],
    ['not http(s): skipped for the next candidate', '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="https://x.example/og">', 'https://x.example/og'],
    ['empty href', '<link rel="canonical" href="  ">', null],
    ['none', '<title>x</title>', null],
  ];
  for (const [what, head, want] of cases) {
    it(what, () => expect(findCanonical(parsePage(`<html><head>${head}</head><body></body></html>`), page)).to.equal(want));
  }
});
