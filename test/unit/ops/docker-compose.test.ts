import { expect } from 'chai';
import { readFileSync } from 'node:fs';
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
