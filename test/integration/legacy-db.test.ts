/**
 * A database written by an old release still opens and serves the same bytes.
 *
 * Each test/fixtures/legacy-<version>/ holds a database that release wrote (warta.sqlite3.fixture), the config it
 * was written with, and what that release served from it (expected/, listed in expected/manifest.json). This
 * test starts the daemon under test on a copy, with the sources on a closed port (the start-up poll fails and
 * leaves every item as it is), and compares every route byte for byte. It uses only the CLI and HTTP, so it
 * holds across any rewrite of the storage code. See test/fixtures/legacy-0.1.0/README.md.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../helpers/daemon.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const DB_FILE = 'warta.sqlite3.fixture';

interface Manifest {
  /** The environment variable the config's private output token comes from, and its value. */
  tokenEnv: string;
  token: string;
  /** host:port the sources are pointed at while serving; nothing may listen there. */
  closedOrigin: string;
  routes: { route: string; file: string; status: number; contentType: string; normalise?: 'opml-date-created' }[];
}

const fixtures = readdirSync(FIXTURES)
  .filter((d) => d.startsWith('legacy-') && existsSync(join(FIXTURES, d, 'expected', 'manifest.json')))
  .sort();

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The fixture's config with this run's listen address and database, and every source on the closed origin. */
function servingConfig(yaml: string, port: number, dbPath: string, closedOrigin: string): string {
  const out = yaml
    .replace(/^(\s*listen:\s*)"[^"]*"/m, `$1"127.0.0.1:${port}"`)
    .replace(/^(\s*path:\s*)"[^"]*"/m, `$1${JSON.stringify(dbPath)}`)
    .replace(/^(\s*-?\s*url:\s*"http:\/\/)[^/"]+/gm, `$1${closedOrigin}`);
  expect(out, 'config rewrite').to.include(`"127.0.0.1:${port}"`).and.include(JSON.stringify(dbPath));
  return out;
}

/** Resolves true when a TCP connection to host:port is refused (or otherwise fails). */
function refused(origin: string): Promise<boolean> {
  const [host, port] = origin.split(':') as [string, string];
  return new Promise((resolve) => {
    const s = createConnection({ host, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** Where two bodies first differ, as a readable message: line number and both lines around the first difference. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] === a[i]) continue;
    const el = e[i] ?? '<no line: expected ends here>';
    const al = a[i] ?? '<no line: actual ends here>';
    let col = 0;
    while (col < el.length && col < al.length && el[col] === al[col]) col++;
    const from = Math.max(0, col - 80);
    const cut = (s: string) => `${from > 0 ? '…' : ''}${s.slice(from, col + 120)}${s.length > col + 120 ? '…' : ''}`;
    return `first difference at line ${i + 1}, column ${col + 1}:\n  expected: ${cut(el)}\n  actual:   ${cut(al)}`;
  }
  return 'the bodies differ in bytes that do not decode as UTF-8 text';
}

/**
 * The items API adds fields and never renames them: `cluster` and `cluster_size` (issue 13) came after this
 * release. They are checked here and taken out; everything the old release served must still be there, byte
 * for byte. Feeds get no such allowance.
 */
function withoutStoryFields(body: Buffer): Buffer<ArrayBuffer> {
  const doc = JSON.parse(body.toString('utf8')) as { items?: Record<string, unknown>[] } & Record<string, unknown>;
  for (const item of doc.items ?? [doc]) {
    expect(item.cluster, `item ${String(item.id)}: cluster`).to.be.a('string').and.match(/^[1-9]\d*$/);
    expect(item.cluster_size, `item ${String(item.id)}: cluster_size`).to.be.a('number').and.at.least(1);
    delete item.cluster;
    delete item.cluster_size;
  }
  return Buffer.from(JSON.stringify(doc), 'utf8') as Buffer<ArrayBuffer>;
}

// <dateCreated> is the time of the first OPML request (warta renders OPML with the current time).
const DATE_CREATED = /<dateCreated>([^<]*)<\/dateCreated>/;

describe('legacy database fixtures', () => {
  it('are found (a missing manifest must not turn this file into no tests)', () => {
    expect(fixtures).to.include('legacy-0.1.0');
  });
});

for (const name of fixtures) {
  describe(`legacy database ${name}: opens with this code and serves the same bytes`, function () {
    this.timeout(60_000);
    const dir = join(FIXTURES, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'expected', 'manifest.json'), 'utf8')) as Manifest;
    const fixtureDb = join(dir, DB_FILE);
    let fixtureHash: string;
    let daemon: Daemon | null = null;
    let base: string;
    let startedAt: Date;

    before(async () => {
      expect(existsSync(`${fixtureDb}-wal`) || existsSync(`${fixtureDb}-shm`), 'no -wal/-shm beside the fixture').to.equal(false);
      fixtureHash = sha256(fixtureDb);
      expect(await refused(manifest.closedOrigin), `nothing may listen on ${manifest.closedOrigin} (the sources' closed port)`).to.equal(true);

      // The harness clears WARTA_LISTEN, WARTA_DB and WARTA_BASE_URL: the config file alone decides where to
      // listen and which database to open. The daemon runs in its temp dir, on a copy of the fixture.
      daemon = await startDaemon({
        yaml: ({ port, dbPath }) => servingConfig(readFileSync(join(dir, 'warta.yaml'), 'utf8'), port, dbPath, manifest.closedOrigin),
        prepare: ({ dbPath }) => {
          copyFileSync(fixtureDb, dbPath);
          startedAt = new Date();
        },
        env: { [manifest.tokenEnv]: manifest.token },
      });
      base = daemon.base;
      // The start-up poll has reached every source (and failed on the closed port): nothing is left to write items.
      const since = startedAt.toISOString();
      await daemon.until(async () => {
        const res = await fetch(`${base}/api/sources`);
        if (!res.ok) return false;
        const list = (await res.json()) as { last_poll: string | null; last_error: unknown }[];
        return list.length > 0 && list.every((s) => s.last_poll !== null && s.last_poll >= since && s.last_error !== null);
      }, { timeoutMs: 30_000, what: 'the start-up poll to have failed on every source (last_poll after the start, last_error set)' });
    });

    after(async () => {
      await daemon?.close();
    });

    for (const r of manifest.routes) {
      it(`GET ${r.route.replace(manifest.token, '<token>')} → ${r.status}, ${r.file}`, async () => {
        const res = await fetch(base + r.route);
        const actualBytes = Buffer.from(await res.arrayBuffer());
        const expectedBytes = readFileSync(join(dir, 'expected', r.file));
        expect(res.status, 'status').to.equal(r.status);
        expect(res.headers.get('content-type'), 'content-type').to.equal(r.contentType);
        let actual = actualBytes;
        let expected = expectedBytes;
        if (r.normalise === 'opml-date-created') {
          const served = DATE_CREATED.exec(actual.toString('utf8'))?.[1];
          expect(served, '<dateCreated> in the OPML').to.be.a('string');
          const t = Date.parse(served!);
          // RFC 822, one-second precision, rendered at the first /opml request of this daemon.
          expect(new Date(t).toUTCString()).to.equal(served);
          expect(t).to.be.within(Math.floor(startedAt.getTime() / 1000) * 1000, Date.now());
          const blank = (b: Buffer) => Buffer.from(b.toString('utf8').replace(DATE_CREATED, '<dateCreated>(normalised)</dateCreated>'), 'utf8');
          actual = blank(actual);
          expected = blank(expected);
        }
        if (r.route.startsWith('/api/items') && r.status === 200) {
          actual = withoutStoryFields(actual);
        }
        if (!actual.equals(expected)) {
          expect.fail(`${r.route.replace(manifest.token, '<token>')} differs from expected/${r.file} (${actual.length} bytes served, ${expected.length} expected); ${firstDifference(expected.toString('utf8'), actual.toString('utf8'))}`);
        }
      });
    }

    it('compares every feed /opml lists, in all three formats', async () => {
      const opml = await (await fetch(`${base}/opml`)).text();
      const listed = [...opml.matchAll(/xmlUrl="[^"]*?(\/(?:tags|feeds)\/[^"/]+)\.rss"/g)].map((m) => m[1]!);
      expect(listed).to.not.be.empty;
      const compared = new Set(manifest.routes.map((r) => r.route));
      for (const path of listed) for (const ext of ['rss', 'atom', 'json']) expect(compared, `${path}.${ext}`).to.include(`${path}.${ext}`);
    });

    it('keeps what it knew of each source (the fields the failed poll and the clock do not change)', async () => {
      const list = (await (await fetch(`${base}/api/sources`)).json()) as Record<string, unknown>[];
      const stable = list.map(({ id, url, effective_url, title, items, last_success, not_modified_count, parser, format }) => ({ id, url, effective_url, title, items, last_success, not_modified_count, parser, format }));
      expect(stable).to.deep.equal(JSON.parse(readFileSync(join(dir, 'expected', 'api', 'sources.stable.json'), 'utf8')));
    });

    it('stops cleanly, and the fixture file itself is unchanged (the daemon worked on a copy)', async () => {
      const stopped = await daemon!.stop('SIGTERM');
      expect(stopped.code, daemon!.stderr).to.equal(0);
      expect(sha256(fixtureDb)).to.equal(fixtureHash);
      expect(existsSync(`${fixtureDb}-wal`) || existsSync(`${fixtureDb}-shm`)).to.equal(false);
    });
  });
}
