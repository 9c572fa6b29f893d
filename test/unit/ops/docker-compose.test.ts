import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

describe('docker-compose.yml', () => {
  const doc = parseDocument(read('docker-compose.yml'), { uniqueKeys: true });
  const compose = doc.toJS() as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };
  const warta = compose.services.warta!;

  it('parses as YAML', () => expect(doc.errors).to.deep.equal([]));

  it('builds this repository’s Dockerfile and restarts unless stopped', () => {
    expect(warta.build).to.equal('.');
    expect(warta.restart).to.equal('unless-stopped');
  });

  it('keeps the database on a named volume at /data and mounts the config read-only where the image reads it', () => {
    // The folder, so the daemon's watcher sees an editor's replace-on-save.
    expect(warta.volumes).to.deep.equal(['warta-data:/data', './config:/config:ro']);
    expect(compose.volumes).to.have.property('warta-data');
    expect(read('Dockerfile')).to.match(/WARTA_CONFIG=\/config\/warta\.yaml/).and.to.match(/WARTA_DB=\/data\/warta\.db/);
  });

  it('publishes port 8080, sets the public base URL, and inherits the image’s healthcheck', () => {
    expect(warta.ports).to.deep.equal(['8080:8080']);
    expect(warta.environment).to.have.property('WARTA_BASE_URL').that.matches(/^https?:\/\//);
    expect(warta).not.to.have.property('healthcheck');
    // Requests through the published port are not loopback: the admin routes need the token, and compose
    // refuses to start without one.
    expect(warta.environment).to.have.property('WARTA_ADMIN_TOKEN').that.matches(/^\$\{WARTA_ADMIN_TOKEN:\?/);
    expect(read('Dockerfile')).to.match(/^HEALTHCHECK /m);
  });
});

// Docker is not run by the tests (nor on the machines they run on): the file is checked as YAML and as a
// compose file's structure, and the proxy's upstreams against the services. test/container/compose-smoke.sh runs
// it (with stand-in images, as root, not in CI).
describe('docker-compose.postgres.yml', () => {
  const doc = parseDocument(read('docker-compose.postgres.yml'), { uniqueKeys: true, merge: true });
  type Service = Record<string, unknown> & { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } };
  const compose = doc.toJS({ maxAliasCount: 10 }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const { services } = compose;

  it('parses as YAML', () => expect(doc.errors).to.deep.equal([]));

  it('runs PostgreSQL 16 with a health check and its data on a named volume', () => {
    const db = services.db!;
    expect(db.image).to.match(/^postgres:16(\.|$)/);
    expect(db.healthcheck!.test.join(' ')).to.include('pg_isready');
    expect(db.volumes).to.deep.equal(['warta-pg:/var/lib/postgresql/data']);
    expect(compose.volumes).to.have.property('warta-pg');
  });

  it('runs two warta replicas of this image on that database, each ready only when it reaches it', () => {
    for (const name of ['warta-1', 'warta-2']) {
      const w = services[name]!;
      expect(w.build, name).to.equal('.');
      expect(w.environment!.WARTA_DB_URL, name).to.match(/^postgres:\/\/warta:\$\{WARTA_DB_PASSWORD:\?[^}]*\}@db:5432\/warta$/);
      expect(w.environment!.WARTA_ADMIN_TOKEN, name).to.match(/^\$\{WARTA_ADMIN_TOKEN:\?/);
      expect(w.depends_on, name).to.deep.equal({ db: { condition: 'service_healthy' } });
      expect(w.healthcheck!.test.join(' '), name).to.include('/readyz');
      expect(w, name).not.to.have.property('ports'); // reached through the proxy only
    }
    // Identical feeds from both: one base URL.
    expect(services['warta-1']!.environment!.WARTA_BASE_URL).to.equal(services['warta-2']!.environment!.WARTA_BASE_URL);
  });

  it('publishes one port through a proxy whose upstreams are the two replicas, started once they are healthy', () => {
    const proxy = services.proxy!;
    expect(proxy.ports).to.deep.equal(['8080:80']);
    expect(proxy.depends_on).to.deep.equal({ 'warta-1': { condition: 'service_healthy' }, 'warta-2': { condition: 'service_healthy' } });
    expect(proxy.healthcheck).to.not.equal(undefined);
    // The nginx config is a file in a folder mounted over the image's conf.d (so it replaces the default server):
    // a bind mount works with every Compose and with podman-compose, where an inline `configs: content:` needs
    // Docker Compose 2.23.1 or later and podman-compose 1.0 drops it without a word (nginx then serves its
    // welcome page).
    expect(proxy.volumes).to.deep.equal(['./nginx:/etc/nginx/conf.d:ro']);
    expect(compose).not.to.have.property('configs');
    // nginx loads every *.conf in the folder.
    expect(readdirSync(new URL('../../../nginx', import.meta.url))).to.deep.equal(['default.conf']);
    const conf = read('nginx/default.conf');
    expect([...conf.matchAll(/server (warta-\d):8080/g)].map((m) => m[1])).to.deep.equal(['warta-1', 'warta-2']);
    // Compose does not interpolate a mounted file: nginx's variables are written as nginx reads them.
    expect(conf).to.include('proxy_set_header Host $host;').and.not.include('$$');
    // A killed daemon's address drops connection attempts: the other daemon answers after this, not after nginx's
    // default of 60 s.
    expect(conf).to.include('proxy_next_upstream error timeout').and.match(/^\s*proxy_connect_timeout [1-3]s;/m);
  });
});
