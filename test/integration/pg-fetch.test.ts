/**
 * `warta fetch` on a PostgreSQL database daemons share (issue 14): it claims each source before polling it, so a
 * source a daemon polls at that moment is reported and left alone, two `warta fetch` started together poll each
 * source once between them (never both at once), and the command leaves no claim and no node entry behind. The
 * real CLI against a real farm on 127.0.0.1 that counts requests, and in flight, per feed. Pending, with the
 * reason, where no PostgreSQL answers.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStore } from '../../src/store/open.js';
import { runWarta } from '../helpers/daemon.js';
import { rss } from '../helpers/feed-server.js';
import { adminQuery, pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

const SOURCES = ['s0', 's1', 's2', 's3', 's4', 's5'];
// Longer than two CLI start-ups apart on a loaded machine: polls of two commands started together overlap.
const RESPONSE_DELAY_MS = 3000;

/** Feeds /<id>.xml after RESPONSE_DELAY_MS; counts requests and the most in flight at once, per feed. */
class Farm {
  readonly hits = new Map<string, number>();
  readonly peak = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly server: Server = createServer((req, res) => {
    const id = (req.url ?? '/').replace(/^\/|\.xml.*$/g, '');
    this.hits.set(id, (this.hits.get(id) ?? 0) + 1);
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    this.peak.set(id, Math.max(this.peak.get(id) ?? 0, this.inFlight.get(id)!));
    setTimeout(() => {
      this.inFlight.set(id, this.inFlight.get(id)! - 1);
      res.setHeader('Content-Type', 'application/rss+xml; charset=utf-8');
      res.end(rss([{ guid: `${id}-1`, link: `http://127.0.0.1:9/${id}/1`, title: `${id}: Putin bertemu Lukashenko`, pubDate: 'Mon, 30 Nov 2026 08:00:00 +0700' }]));
    }, RESPONSE_DELAY_MS);
  });
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }
  url(id: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${id}.xml`;
  }
  reset(): void {
    this.hits.clear();
    this.peak.clear();
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The result column of each source's line in `warta fetch`'s report. */
function lines(stdout: string): Map<string, string> {
  return new Map(stdout.split('\n').filter((l) => SOURCES.includes(l.split('\t')[0]!)).map((l) => [l.split('\t')[0]!, l.split('\t').slice(1).join(' ')]));
}

describe('warta fetch beside daemons on one PostgreSQL database', function () {
  this.timeout(120_000);
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  let farm: Farm | null = null;
  const tmp = tempDir('warta-pg-fetch-');
  const config = join(tmp.dir, 'warta.yaml');

  before(async function () {
    await pendingWithoutPostgres(this);
    farm = await new Farm().start();
    schema = await testSchema();
    writeFileSync(
      config,
      stringify({
        storage: { url: schema.url, pool_size: 3 },
        fetch: { per_host: 16, concurrency: 16, timeout: '1m' },
        tags: [{ name: 'Putin', match: 'Putin' }],
        sources: SOURCES.map((id) => ({ id, url: farm!.url(id) })),
      }),
    );
  });
  after(async () => {
    await farm?.stop();
    await schema?.drop();
    tmp.cleanup();
  });
  beforeEach(() => farm?.reset());

  const claimsLeft = async () => (await adminQuery(`SELECT source_id, claimed_by FROM ${schema!.name}.source_claims WHERE claimed_by IS NOT NULL ORDER BY source_id`)).rows;
  const nodesLeft = async () => (await adminQuery(`SELECT node FROM ${schema!.name}.nodes ORDER BY node`)).rows.map((r) => r.node as string);

  it('leaves a source a daemon polls now to that daemon, polls the others, and releases its claims', async () => {
    // Migrates the schema, then holds s0 as a daemon in the middle of its poll would.
    const daemon = await openStore({ path: 'unused.db', url: schema!.url, poolSize: 1 });
    try {
      const now = new Date();
      await daemon.nodes.heartbeat({ node: 'daemon-a', fingerprint: 'f', now, until: new Date(now.getTime() + 600_000) });
      expect(await daemon.nodes.claim(['s0'], { node: 'daemon-a', stamp: now, notClaimedSince: now, now, until: new Date(now.getTime() + 600_000) })).to.deep.equal(['s0']);
      const r = await runWarta(['fetch', '--config', config]);
      expect(r.code, r.stderr).to.equal(0);
      const report = lines(r.stdout);
      expect(report.get('s0')).to.equal('skipped - another warta daemon on this database is polling it now');
      for (const id of SOURCES.slice(1)) expect(report.get(id), id).to.match(/^updated 200 new 1/);
      expect(farm!.hits.get('s0') ?? 0, 'requests for the daemon\'s source').to.equal(0);
      for (const id of SOURCES.slice(1)) expect(farm!.hits.get(id), id).to.equal(1);
      // The command released what it claimed and removed its own entry; the daemon's claim stands.
      expect(await claimsLeft()).to.deep.equal([{ source_id: 's0', claimed_by: 'daemon-a' }]);
      expect(await nodesLeft()).to.deep.equal(['daemon-a']);
      await daemon.nodes.leave('daemon-a');
    } finally {
      await daemon.close();
    }
  });

  it('two warta fetch started together poll each source once between them, never both at once', async () => {
    const [a, b] = await Promise.all([runWarta(['fetch', '--config', config]), runWarta(['fetch', '--config', config])]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    const [ra, rb] = [lines(a.stdout), lines(b.stdout)];
    for (const id of SOURCES) {
      expect(farm!.peak.get(id), `${id}: requests in flight at once`).to.equal(1);
      expect(farm!.hits.get(id), `${id}: requests (${ra.get(id)} | ${rb.get(id)})`).to.equal(1);
      const polled = [ra.get(id), rb.get(id)].filter((l) => /^(updated|not_modified)/.test(l ?? ''));
      expect(polled, `${id}: polled by exactly one command`).to.have.length(1);
    }
    expect(await claimsLeft()).to.deep.equal([]);
    expect(await nodesLeft()).to.deep.equal([]);
  });
});
