/**
 * Several daemons on one PostgreSQL database (issue 14): three real daemon processes on one schema of the
 * server at 127.0.0.1:5432, polling a feed farm on three loopback hosts (127.0.0.1, .2, .3) that counts requests
 * per source and requests in flight per host. Checked: the start-up poll and every cron tick poll each source
 * once across the daemons; no host ever sees more than fetch.per_host requests at once from all of them;
 * no item is stored twice; every daemon serves the same feed bytes and ETags; a daemon SIGKILLed mid-refresh
 * loses its source to another within the lease; a daemon whose database connections are terminated reconnects
 * and carries on. Pending, with the reason, where no PostgreSQL answers.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { adminQuery, pendingWithoutPostgres, testSchema } from '../helpers/postgres.js';
import { rss } from '../helpers/feed-server.js';
import { waitFor } from '../helpers/wait.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const PER_HOST_SOURCES = 4;
const LEASE_S = 6;
// Every 20 s: with node-cron's 20 s jitter, a tick's polls spread over the whole period, so daemons overlap.
const SCHEDULE = '*/20 * * * * *';
const TICK_MS = 20_000;
const RESPONSE_DELAY_MS = 600;

/** One loopback host of the farm: counts requests per path and the most in flight at once. */
class FarmHost {
  readonly hits = new Map<string, number>();
  inFlight = 0;
  peak = 0;
  /** Paths whose next request hangs until released (a refresh the test kills its daemon in). */
  readonly hang = new Map<string, () => void>();
  readonly hanging = new Set<string>();
  private server: Server;
  constructor(readonly address: string, items: (path: string) => string) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      this.inFlight++;
      this.peak = Math.max(this.peak, this.inFlight);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.inFlight--;
        res.setHeader('Content-Type', 'application/rss+xml; charset=utf-8');
        res.end(items(path));
      };
      req.socket.on('close', () => {
        if (!done) {
          done = true;
          this.inFlight--;
        }
      });
      if (this.hang.has(path)) {
        this.hanging.add(path);
        this.hang.set(path, finish);
        return;
      }
      setTimeout(finish, RESPONSE_DELAY_MS);
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, this.address, resolve));
    return this;
  }
  url(path: string): string {
    return `http://${this.address}:${(this.server.address() as AddressInfo).port}${path}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Two items per source: "<id> Putin …" (tagged) and "<id> cuaca …". */
function feedOf(path: string): string {
  const id = path.replace(/^\/|\.xml$/g, '');
  return rss([
    { guid: `${id}-1`, link: `http://127.0.0.1:9/${id}/1`, title: `${id}: Putin bertemu Lukashenko`, pubDate: 'Mon, 30 Nov 2026 08:00:00 +0700' },
    { guid: `${id}-2`, link: `http://127.0.0.1:9/${id}/2`, title: `${id}: cuaca Jakarta`, pubDate: 'Mon, 30 Nov 2026 09:00:00 +0700' },
  ]);
}

type Log = Record<string, unknown>;
const refreshes = (d: Daemon): Log[] => d.logs().filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('refresh ') && l.msg !== 'refresh crashed');

describe('three daemons on one PostgreSQL database', function () {
  this.timeout(180_000);
  let schema: Awaited<ReturnType<typeof testSchema>> | null = null;
  const farm: FarmHost[] = [];
  const daemons: Daemon[] = [];
  const sources: { id: string; host: FarmHost; path: string }[] = [];

  before(async function () {
    await pendingWithoutPostgres(this);
    schema = await testSchema();
    for (const address of HOSTS) farm.push(await new FarmHost(address, feedOf).start());
    for (const [h, host] of farm.entries()) {
      for (let k = 0; k < PER_HOST_SOURCES; k++) sources.push({ id: `h${h}-s${k}`, host, path: `/h${h}-s${k}.xml` });
    }
    // The source the kill test hangs in, on a host of its own (it holds that host's one slot while it hangs);
    // its start-up poll hangs until the test lets it go.
    const slowHost = await new FarmHost('127.0.0.4', feedOf).start();
    farm.push(slowHost);
    slowHost.hang.set('/slow.xml', () => {});
    sources.push({ id: 'slow', host: slowHost, path: '/slow.xml' });
    const config = {
      server: { base_url: 'http://127.0.0.1:9' },
      storage: { url: schema.url, lease: `${LEASE_S}s`, pool_size: 4 },
      fetch: { schedule: SCHEDULE, min_interval: '1s', per_host: 1, timeout: '10m' },
      tags: [{ name: 'Putin', match: 'Putin' }],
      outputs: [{ id: 'semua', title: 'Semua', match: 'Putin OR cuaca' }],
      sources: sources.map((s) => ({ id: s.id, url: s.host.url(s.path) })),
    };
    // Started together, as a deploy starts replicas.
    daemons.push(...(await Promise.all([1, 2, 3].map(() => startDaemon({ config, args: ['--log-level', 'debug'] })))));
  });

  after(async () => {
    for (const d of daemons) await d.close();
    for (const h of farm) await h.stop();
    await schema?.drop();
  });

  const total = (path: string) => farm.reduce((n, h) => n + (h.hits.get(path) ?? 0), 0);

  it('the start-up poll reaches each source once across the three daemons', async () => {
    await waitFor(() => farm[3]!.hanging.has('/slow.xml') && sources.every((s) => s.id === 'slow' || refreshes(daemons[0]!).concat(refreshes(daemons[1]!), refreshes(daemons[2]!)).some((l) => l.source === s.id && l.why === 'startup')), {
      what: 'a start-up refresh of every source on some daemon',
      timeoutMs: 60_000,
      details: () => daemons.map((d) => d.stdout.slice(-3000)).join('\n---\n'),
    });
    const startups = daemons.flatMap(refreshes).filter((l) => l.why === 'startup');
    const perSource = new Map<string, number>();
    for (const l of startups) perSource.set(l.source as string, (perSource.get(l.source as string) ?? 0) + 1);
    expect([...perSource.values()].filter((n) => n !== 1), 'start-up refreshes per source').to.deep.equal([]);
    expect(total('/slow.xml'), 'requests for the hanging source').to.equal(1);
  });

  it('each cron tick polls every source once, and no host sees more than per_host (1) requests at once', async () => {
    // Two whole ticks after the start-up, each given its jitter and the queue behind one slot per host.
    const firstTick = Math.ceil((Date.now() + 1000) / TICK_MS) * TICK_MS;
    const ticks = [firstTick, firstTick + TICK_MS].map((t) => new Date(t).toISOString());
    const cronOf = (tick: string) => daemons.flatMap(refreshes).filter((l) => l.why === 'cron' && l.tick === tick);
    await waitFor(() => ticks.every((t) => sources.every((s) => s.id === 'slow' || cronOf(t).some((l) => l.source === s.id))), {
      what: `a cron refresh of every source for the ticks ${ticks.join(', ')}`,
      timeoutMs: 2 * TICK_MS + 40_000,
      intervalMs: 500,
    });
    for (const t of ticks) {
      const per = new Map<string, number>();
      for (const l of cronOf(t)) per.set(l.source as string, (per.get(l.source as string) ?? 0) + 1);
      expect([...per.entries()].filter(([, n]) => n !== 1), `refreshes per source for tick ${t}`).to.deep.equal([]);
    }
    // The daemons shared the work (no single daemon polled everything)…
    const pollers = new Set(daemons.filter((d) => refreshes(d).some((l) => l.why === 'cron' && ticks.includes(l.tick as string))).map((d) => d.port));
    expect(pollers.size, 'daemons that polled on these ticks').to.be.greaterThan(1);
    // …and each request the farm saw is one refresh some daemon logged (skips send none).
    for (const s of sources.filter((x) => x.id !== 'slow')) {
      const sent = daemons.flatMap(refreshes).filter((l) => l.source === s.id && l.result !== 'skipped').length;
      expect(total(s.path), `requests for ${s.id}`).to.equal(sent);
    }
    expect(farm.map((h) => h.peak), 'most requests in flight at once per host').to.deep.equal([1, 1, 1, 1]);
  });

  it('no item is stored twice, and every daemon serves the same feed bytes and ETag (a 304 from any of them)', async () => {
    const first = await fetch(`${daemons[0]!.base}/api/items?limit=500`).then((r) => r.json() as Promise<{ items: { id: string }[] }>);
    expect(first.items.length).to.equal(2 * (sources.length - 1));
    expect(new Set(first.items.map((i) => i.id)).size).to.equal(first.items.length);
    // Every daemon sees the others' writes within about a second.
    for (const path of ['/tags/putin.rss', '/feeds/semua.atom', '/feeds/semua.json']) {
      const bodies = await waitFor(
        async () => {
          const answers = await Promise.all(daemons.map((d) => fetch(`${d.base}${path}`).then(async (r) => ({ etag: r.headers.get('etag'), body: await r.text() }))));
          return answers.every((a) => a.body === answers[0]!.body && a.etag === answers[0]!.etag) ? answers : null;
        },
        { what: `identical ${path} from the three daemons`, timeoutMs: 10_000 },
      );
      expect(bodies[0]!.body).to.include('h2-s3: Putin bertemu Lukashenko');
      const again = await fetch(`${daemons[2]!.base}${path}`, { headers: { 'if-none-match': bodies[0]!.etag! } });
      expect(again.status, `${path} with another daemon's ETag`).to.equal(304);
    }
  });

  it("a daemon SIGKILLed mid-refresh: another daemon polls its source once the lease ends", async () => {
    const holder = (await adminQuery(`SELECT claimed_by FROM ${schema!.name}.source_claims WHERE source_id = 'slow'`)).rows[0]?.claimed_by as string | undefined;
    expect(holder, 'the daemon polling the hanging source').to.be.a('string');
    const victim = daemons.find((d) => holder!.includes(`:${d.child.pid}:`))!;
    expect(victim, `a daemon named ${holder}`).to.not.equal(undefined);
    farm[3]!.hang.delete('/slow.xml'); // the next request is answered
    await victim.process.stop('SIGKILL');
    const survivors = daemons.filter((d) => d !== victim);
    await waitFor(() => survivors.some((d) => refreshes(d).some((l) => l.source === 'slow' && l.why === 'takeover' && l.result === 'updated')), {
      what: 'another daemon to poll the dead daemon\'s source',
      // The lease, plus the heartbeat that finds it ended, plus the refresh: 10 s for that last part missed once in
      // a CI run beside other work (18 s bound), so it gets 30 s; the lease itself is what the case is about.
      timeoutMs: (LEASE_S + LEASE_S / 3 + 30) * 1000,
    });
    expect(total('/slow.xml')).to.equal(2);
    const metrics = await Promise.all(survivors.map((d) => fetch(`${d.base}/metrics`).then((r) => r.text())));
    expect(metrics.some((m) => /^warta_lease_expiries_total 1$/m.test(m)), 'warta_lease_expiries_total on the daemon that took over').to.equal(true);
    for (const m of metrics) expect(m).to.match(/^warta_db_pool_connections\{state="total"\} \d+$/m).and.to.match(/^warta_leases_held \d+$/m).and.to.match(/^warta_claims_total\{result="granted"\} \d+$/m);
  });

  it('a daemon whose database connections are terminated reconnects and carries on', async () => {
    const alive = daemons.filter((d) => d.child.exitCode === null && d.child.signalCode === null);
    const target = alive[0]!;
    const killed = await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`warta pid ${target.child.pid}`]);
    expect(killed.rowCount, 'connections terminated').to.be.greaterThan(0);
    // It answers readiness from the database again, and its next tick's refreshes are stored.
    await target.until(async () => (await fetch(`${target.base}/readyz`)).status === 200, { what: '/readyz 200 after the terminations', timeoutMs: 10_000 });
    const after = Date.now();
    await target.until(() => refreshes(target).some((l) => l.why === 'cron' && Date.parse(l.tick as string) > after && (l.result === 'updated' || l.result === 'not_modified')), {
      what: 'a cron refresh stored after the terminations',
      timeoutMs: 2 * TICK_MS + 30_000,
    });
    const ready = (await fetch(`${target.base}/readyz`).then((r) => r.json())) as Record<string, unknown>;
    expect(ready).to.deep.include({ status: 'ready', database: true, store: 'postgres' });
  });

  it("/api/sources on every daemon shows a host pause recorded by another daemon (the database's, not only its own)", async () => {
    // A Retry-After another daemon met on the third host, as shared-hosts.ts records it.
    const until = new Date(Math.ceil((Date.now() + 600_000) / 1000) * 1000);
    await adminQuery(`INSERT INTO ${schema!.name}.host_pauses (host, until) VALUES ('127.0.0.3', $1) ON CONFLICT (host) DO UPDATE SET until = excluded.until`, [until]);
    try {
      const alive = daemons.filter((d) => d.child.exitCode === null && d.child.signalCode === null);
      expect(alive.length).to.be.greaterThan(1);
      for (const d of alive) {
        const list = (await fetch(`${d.base}/api/sources`).then((r) => r.json())) as { id: string; next_poll_reason: string; delayed_until: string | null }[];
        const onHost = list.filter((x) => x.id.startsWith('h2-'));
        expect(onHost.map((x) => [x.id, x.next_poll_reason, x.delayed_until]), `daemon on port ${d.port}`).to.deep.equal(onHost.map((x) => [x.id, 'host_paused', until.toISOString()]));
        expect(list.filter((x) => x.id.startsWith('h0-')).every((x) => x.next_poll_reason !== 'host_paused')).to.equal(true);
      }
    } finally {
      await adminQuery(`DELETE FROM ${schema!.name}.host_pauses WHERE host = '127.0.0.3'`);
    }
  });
});
