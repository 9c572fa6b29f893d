import { expect } from 'chai';
import { ConfigError, formatProblem, parseConfig } from '../../../src/config/load.js';
import { isLoopbackHost } from '../../../src/config/access-warnings.js';

const TOKEN = 'a-long-admin-token-0123456789';

const config = (server: string, rest = '') => `server:\n${server}\nsources:\n  - id: publik\n    url: "https://a.example/feed"\n  - id: rahasia\n    url: "http://user:pw@b.example/f?apikey=K"\n    private: true\n${rest}`;

function warnings(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  return parseConfig(text, 'w.yaml', env).warnings.map(formatProblem);
}

describe('config: access settings', () => {
  it('reads server.admin_token (from ${ENV} or WARTA_ADMIN_TOKEN), rate limits, private sources and extra secret parameter names', () => {
    const c = parseConfig(config('  listen: "0.0.0.0:8080"\n  admin_token: "${T}"\n  rate_limit:\n    requests_per_minute: 60\n    burst: 5', 'redact:\n  query_params: [client_id]\n'), 'w.yaml', { T: TOKEN });
    expect(c.server.adminToken).to.equal(TOKEN);
    expect(c.server.rateLimit).to.deep.equal({ perMinute: 60, burst: 5, concurrentRenders: 8 });
    expect(c.sources.map((s) => s.private)).to.deep.equal([false, true]);
    expect(c.redact.queryParams).to.deep.equal(['client_id']);
    expect(parseConfig(config('  listen: "0.0.0.0:8080"'), 'w.yaml', { WARTA_ADMIN_TOKEN: TOKEN }).server.adminToken).to.equal(TOKEN);
  });

  it('has generous default limits and no token', () => {
    const c = parseConfig(config('  listen: "127.0.0.1:8080"'), 'w.yaml');
    expect(c.server.adminToken).to.equal(null);
    expect(c.server.rateLimit).to.deep.equal({ perMinute: 600, burst: 120, concurrentRenders: 8 });
  });

  it('refuses an admin token shorter than 16 characters, at its line', () => {
    try {
      parseConfig(config('  admin_token: "short"'), 'w.yaml');
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems.map(formatProblem)).to.deep.equal(['w.yaml:2:16: server.admin_token: admin_token must be at least 16 characters (use a random string, e.g. from ${ENV})']);
    }
  });

  it('reads server.trusted_proxies as addresses and CIDR ranges, and refuses anything else at its line', () => {
    expect(parseConfig(config('  trusted_proxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]'), 'w.yaml').server.trustedProxies).to.deep.equal(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(parseConfig(config('  listen: "127.0.0.1:8080"'), 'w.yaml').server.trustedProxies).to.deep.equal([]);
    for (const bad of ['proxy.local', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', '10.0.0.0/x']) {
      try {
        parseConfig(config(`  trusted_proxies:\n    - "${bad}"`), 'w.yaml');
        expect.fail(`accepted ${bad}`);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).problems.map(formatProblem)).to.deep.equal([`w.yaml:3:7: server.trusted_proxies.0: must be an IP address or a CIDR range such as "10.0.0.0/8" or "fd00::/8"`]);
      }
    }
  });

  it('warns when listening beyond loopback without an admin token', () => {
    expect(warnings(config('  listen: "0.0.0.0:8080"'))).to.have.length(1).and.satisfy((w: string[]) => w[0]!.startsWith('w.yaml:2:11: warning: server.listen "0.0.0.0:8080" accepts other machines but server.admin_token is not set'));
    expect(warnings(config('  listen: "127.0.0.1:8080"'), { WARTA_LISTEN: '0.0.0.0:8080' })).to.have.length(1);
    expect(warnings(config('  listen: "0.0.0.0:8080"'), { WARTA_ADMIN_TOKEN: TOKEN })).to.deep.equal([]);
    expect(warnings(config('  listen: "[::1]:8080"'))).to.deep.equal([]);
  });

  it('warns about a private output over public sources only, and a public output naming a private source', () => {
    const outputs = `outputs:
  - id: rahasia-ok
    title: R
    sources: [rahasia]
    token: "${TOKEN}"
  - id: semua
    title: S
    sources: [publik]
    token: "${TOKEN}"
  - id: tanpa-sumber
    title: T
    match: putin
    token: "${TOKEN}"
  - id: umum
    title: U
    sources: [publik, rahasia]
`;
    expect(warnings(config('  listen: "127.0.0.1:8080"', outputs))).to.deep.equal([
      'w.yaml:17:12: warning: output "semua" is private but draws only from public sources: it publishes nothing secret (name a source with private: true in its sources to keep that source\'s items off the public routes)',
      'w.yaml:21:12: warning: output "tanpa-sumber" is private but draws only from public sources: it publishes nothing secret (name a source with private: true in its sources to keep that source\'s items off the public routes)',
      'w.yaml:24:23: warning: output "umum" is public, so the items of private source "rahasia" are left out of it (give the output a token to publish them)',
    ]);
  });

  it('knows loopback listen hosts', () => {
    expect(['127.0.0.1', '127.0.0.2', 'localhost', '[::1]', '::1'].every(isLoopbackHost)).to.equal(true);
    expect(['0.0.0.0', '::', '192.168.1.2', 'example.org', ''].some(isLoopbackHost)).to.equal(false);
  });
});
