import { expect } from 'chai';
import { parseTarget } from '../../../src/http/target.js';

describe('http/target: the request target as path and query', () => {
  // Every target must come out as the WHATWG URL parser would have it, whichever way it is read.
  const targets = [
    '/', '/feeds/all.rss', '/tags/hubungan-rusia-dengan-belarusia.atom', '/feeds/a_b~c.json', '/feeds/s0.rss?token=abc',
    '/feeds/../api/sources', '/feeds/./all.rss', '/.well-known/x', '/feeds/%2e%2e/x', '/feeds//all.rss', '/feeds/', '/feeds\\all.rss',
    '/tags/caf%C3%A9.rss', '/tags/café.rss', '/feeds/all.rss?', '/feeds/all.rss#x', '/a..b/c.', '//evil.example/x', '/?token=t',
  ];
  for (const t of targets) {
    it(`reads ${JSON.stringify(t)} as new URL does`, () => {
      const url = new URL(t, 'http://warta.invalid');
      const got = parseTarget(t)!;
      expect(got.path).to.equal(url.pathname);
      expect(got.hasQuery).to.equal(url.search !== '');
      expect([...got.query()]).to.deep.equal([...url.searchParams]);
    });
  }

  it('answers null for a target URL cannot parse', () => {
    expect(parseTarget('http://[::1')).to.equal(null);
  });
});
