import { expect } from 'chai';
import { Agent } from 'undici';
import { fetchFeed, makeFetchAgent, type FetchLimits } from '../../src/pipeline/fetch/fetch.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';

const limits: FetchLimits = { timeoutMs: 2000, maxBody: 64 * 1024, maxRedirects: 5, userAgent: 'warta/test' };
const now = () => new Date('2026-11-26T10:00:00Z');
const BASIC = `Basic ${Buffer.from('user:s3cret@pass').toString('base64')}`;

describe('pipeline: credentials in a source URL (real loopback servers)', () => {
  let home: FeedServer;
  let other: FeedServer;
  let agent: Agent;
  before(async () => {
    [home, other] = await Promise.all([new FeedServer().start(), new FeedServer().start()]);
    agent = makeFetchAgent(limits);
    const feed = feedRoute(() => ({ body: rss([{ guid: '1', title: 'Putin' }]) }));
    home.routes.set('/feed', feed);
    home.routes.set('/moved', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', '/feed');
      res.end();
    });
    home.routes.set('/away', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', other.url('/feed'));
      res.end();
    });
    other.routes.set('/feed', feed);
  });
  after(async () => {
    await agent.close();
    await Promise.all([home.stop(), other.stop()]);
  });
  const withUser = (server: FeedServer, path: string) => server.url(path).replace('http://', 'http://user:s3cret%40pass@');

  it('sends the userinfo as Basic auth (percent-decoded), also after a redirect within the origin', async () => {
    expect((await fetchFeed(agent, { url: withUser(home, '/feed'), etag: null, lastModified: null }, limits, now)).kind).to.equal('ok');
    expect(home.requests.at(-1)!.headers.authorization).to.equal(BASIC);
    await fetchFeed(agent, { url: withUser(home, '/moved'), etag: null, lastModified: null }, limits, now);
    expect(home.requests.slice(-2).map((r) => [r.path, r.headers.authorization])).to.deep.equal([['/moved', BASIC], ['/feed', BASIC]]);
  });

  it('never sends them to another origin a redirect leads to', async () => {
    const r = await fetchFeed(agent, { url: withUser(home, '/away'), etag: null, lastModified: null }, limits, now);
    expect(r.kind).to.equal('ok');
    expect(home.requests.at(-1)!.headers.authorization).to.equal(BASIC);
    expect(other.requests.at(-1)!.headers.authorization).to.equal(undefined);
  });

  it('sends no Authorization for a URL without userinfo', async () => {
    await fetchFeed(agent, { url: home.url('/feed'), etag: null, lastModified: null }, limits, now);
    expect(home.requests.at(-1)!.headers.authorization).to.equal(undefined);
  });
});
