import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A handler for one path of the fixture server. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A feed document served with validators, answering conditional requests with 304 like a good server. */
export function feedRoute(get: () => { body: string | Buffer; type?: string }): Route {
  return (req, res) => {
    const { body, type } = get();
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const etag = `"${createHash('sha1').update(buf).digest('hex')}"`;
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      return res.end();
    }
    res.setHeader('Content-Type', type ?? 'application/rss+xml; charset=utf-8');
    res.end(buf);
  };
}

/** A loopback HTTP server for tests: routes are set per test; every request is counted. */
export class FeedServer {
  readonly routes = new Map<string, Route>();
  readonly hits = new Map<string, number>();
  readonly requests: { path: string; headers: IncomingMessage['headers'] }[] = [];
  private server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      this.requests.push({ path, headers: req.headers });
      const route = this.routes.get(path);
      if (!route) {
        res.statusCode = 404;
        return res.end('not found');
      }
      route(req, res);
    });
  }

  /** Starts on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return this.origin + path;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An RSS 2.0 document from plain item descriptions (text is inserted as given: escape it yourself). */
export function rss(items: { guid?: string; link?: string; title: string; description?: string; content?: string; pubDate?: string; categories?: string[] }[], channel = { title: 'Fixture', link: 'http://127.0.0.1/' }): string {
  const entries = items
    .map(
      (i) => `    <item>
      <title>${i.title}</title>
      ${i.link ? `<link>${i.link}</link>` : ''}
      ${i.guid ? `<guid isPermaLink="false">${i.guid}</guid>` : ''}
      ${i.description ? `<description>${i.description}</description>` : ''}
      ${i.content ? `<content:encoded><![CDATA[${i.content}]]></content:encoded>` : ''}
      ${(i.categories ?? []).map((c) => `<category>${c}</category>`).join('')}
      ${i.pubDate ? `<pubDate>${i.pubDate}</pubDate>` : ''}
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>${channel.title}</title>
    <link>${channel.link}</link>
    <description>fixture</description>
${entries}
  </channel>
</rss>`;
}
