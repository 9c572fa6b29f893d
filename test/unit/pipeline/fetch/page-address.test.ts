/**
 * The address rule of article pages (issue 12): with loopback not allowed (WARTA_TEST_ALLOW_LOOPBACK unset), a
 * page on 127.0.0.1 is fetched only as the source's own host (FetchRequest.trusted), and a redirect from there to
 * another non-public host is refused on that hop. A real server on 127.0.0.1.
 */
import { expect } from 'chai';
import { fetchFeed, hostnameOf, makeFetchAgent, type FetchLimits } from '../../../../src/pipeline/fetch/fetch.js';
import { FeedServer } from '../../../helpers/feed-server.js';

describe('pipeline/fetch: article pages only from public addresses or the source\'s own host', () => {
  let server: FeedServer;
  const pageLimits: FetchLimits = { timeoutMs: 5_000, maxBody: 1024 * 1024, maxRedirects: 5, userAgent: 'warta-test', blockPrivateAddresses: true, allowLoopback: false, blockRule: 'page rule' };
  const pageAgent = makeFetchAgent(pageLimits);
  const feedAgent = makeFetchAgent({ ...pageLimits, blockPrivateAddresses: false });
  const get = (url: string, sourceUrl: string | null) =>
    fetchFeed(pageAgent, { url, etag: null, lastModified: null, trusted: sourceUrl ? { hostname: hostnameOf(sourceUrl)!, dispatcher: feedAgent } : undefined }, pageLimits, () => new Date());

  before(async () => {
    server = await new FeedServer().start();
    server.routes.set('/artikel', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>isi</p>'));
    server.routes.set('/ke-host-lain', (_q, res) => res.writeHead(302, { location: server.origin.replace('127.0.0.1', '127.0.0.2') + '/artikel' }).end());
    server.routes.set('/ke-localhost', (_q, res) => res.writeHead(302, { location: server.origin.replace('127.0.0.1', 'localhost') + '/artikel' }).end());
    server.routes.set('/ke-file', (_q, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
  });
  after(async () => {
    await pageAgent.close();
    await feedAgent.close();
    await server.stop();
  });

  const cases: { why: string; path: string; source: string | null; want: string }[] = [
    { why: "on the source's own host", path: '/artikel', source: 'http://127.0.0.1:9/rss.xml', want: 'ok' },
    { why: 'a loopback page of another source host', path: '/artikel', source: 'https://berita.example/rss', want: 'blocked_address' },
    { why: 'with no source host to trust', path: '/artikel', source: null, want: 'blocked_address' },
    { why: 'a redirect from the own host to another loopback address', path: '/ke-host-lain', source: 'http://127.0.0.1:9/rss.xml', want: 'blocked_address' },
    { why: 'a redirect to localhost', path: '/ke-localhost', source: 'http://127.0.0.1:9/rss.xml', want: 'blocked_address' },
    { why: 'a redirect to file:', path: '/ke-file', source: 'http://127.0.0.1:9/rss.xml', want: 'bad_url' },
  ];
  for (const c of cases) {
    it(`${c.why}: ${c.want}`, async () => {
      const r = await get(server.url(c.path), c.source);
      expect(r.kind === 'error' ? r.error.code : r.kind).to.equal(c.want);
      if (c.want === 'blocked_address' && r.kind === 'error') expect(r.error.message).to.include('page rule');
    });
  }
});
