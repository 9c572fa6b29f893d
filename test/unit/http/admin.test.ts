import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress, makeAdminAuth } from '../../../src/http/admin.js';

const TOKEN = 'admin-token-0123456789abcdef';
const req = (address: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress: address }, headers }) as unknown as IncomingMessage;

describe('http: who is the admin', () => {
  it('with a token: only the right bearer token (or, where allowed, the cookie a ?token= visit set), wherever the client is', () => {
    const auth = makeAdminAuth({ token: TOKEN, secureCookie: false });
    expect(auth.identify(req('127.0.0.1'))).to.deep.equal({ admin: false, wrongToken: false, address: '127.0.0.1' });
    expect(auth.identify(req('203.0.113.9', { authorization: `Bearer ${TOKEN}` })).admin).to.equal(true);
    expect(auth.identify(req('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }))).to.deep.include({ admin: false, wrongToken: true });
    expect(auth.identify(req('127.0.0.1', { authorization: 'Bearer' }))).to.deep.include({ admin: false, wrongToken: true });
    // Another scheme is not warta's (a proxy's own Basic auth): no credential, not a wrong one.
    expect(auth.identify(req('127.0.0.1', { authorization: `Basic ${TOKEN}` }))).to.deep.include({ admin: false, wrongToken: false });
    const cookie = auth.cookie();
    expect(cookie).to.match(/^warta_admin=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.to.include(TOKEN);
    const value = cookie.split(';')[0]!;
    expect(auth.identify(req('203.0.113.9', { cookie: `a=1; ${value}` }), { cookie: true }).admin).to.equal(true);
    expect(auth.identify(req('203.0.113.9', { cookie: value })).admin).to.equal(false); // not where cookies are not accepted
    // A cookie from another token is no credential (and no error: the browser just gets the public page).
    const other = makeAdminAuth({ token: `${TOKEN}-new`, secureCookie: true });
    expect(other.identify(req('203.0.113.9', { cookie: value }), { cookie: true })).to.deep.include({ admin: false, wrongToken: false });
    expect(other.cookie()).to.match(/; Secure$/);
  });

  it('without a token: loopback clients, not proxied requests, not the test-only remote addresses', () => {
    const auth = makeAdminAuth({ token: null, secureCookie: false, remoteForTests: new Set(['127.0.0.2']) });
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.3'].map((a) => auth.identify(req(a)).admin)).to.deep.equal([true, true, true, true]);
    expect(['127.0.0.2', '10.0.0.1', '::ffff:192.0.2.1', '2001:db8::1'].map((a) => auth.identify(req(a)).admin)).to.deep.equal([false, false, false, false]);
    expect(auth.identify(req('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).admin).to.equal(false);
    expect(auth.identify(req('127.0.0.1', { forwarded: 'for=203.0.113.9' })).admin).to.equal(false);
    // A token sent to a daemon without one is ignored, not an error.
    expect(auth.identify(req('127.0.0.1', { authorization: 'Bearer x' }))).to.deep.include({ admin: true, wrongToken: false });
    expect(auth.isToken('')).to.equal(false);
  });

  it('counts the client a trusted proxy names (rate limits), never a header from anyone else, never as admin', () => {
    const auth = makeAdminAuth({ token: null, secureCookie: false, trustedProxies: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'] });
    const cases: [peer: string, headers: Record<string, string>, address: string][] = [
      // A trusted proxy: the rightmost address that is not itself a trusted proxy.
      ['127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, '203.0.113.9'],
      ['127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.1.2.3' }, '203.0.113.9'],
      ['10.9.9.9', { 'x-forwarded-for': '2001:db8::7' }, '2001:db8::7'],
      ['fd00::1', { 'x-forwarded-for': '::ffff:203.0.113.5' }, '203.0.113.5'],
      ['127.0.0.1', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }, '192.0.2.60'],
      ['127.0.0.1', { forwarded: 'for="[2001:db8:cafe::17]:4711", for=10.0.0.4' }, '2001:db8:cafe::17'],
      ['127.0.0.1', { forwarded: 'for=192.0.2.61:8080' }, '192.0.2.61'],
      ['127.0.0.1', { 'x-real-ip': '192.0.2.44' }, '192.0.2.44'],
      // Nothing forwarded, or only proxies, or garbage: the last proxy is the client.
      ['127.0.0.1', {}, '127.0.0.1'],
      ['127.0.0.1', { 'x-forwarded-for': '10.0.0.2' }, '10.0.0.2'],
      ['127.0.0.1', { 'x-forwarded-for': 'unknown' }, '127.0.0.1'],
      ['127.0.0.1', { 'x-forwarded-for': '203.0.113.9, not-an-ip' }, '127.0.0.1'],
      ['127.0.0.1', { forwarded: 'for=_hidden' }, '127.0.0.1'],
      // A peer that is not a trusted proxy is the client, whatever it claims.
      ['203.0.113.50', { 'x-forwarded-for': '198.51.100.1' }, '203.0.113.50'],
      ['127.0.0.2', { 'x-real-ip': '198.51.100.1' }, '127.0.0.2'],
    ];
    for (const [peer, headers, address] of cases) expect(auth.identify(req(peer, headers)).address, `${peer} ${JSON.stringify(headers)}`).to.equal(address);
    // Admin rights stay with the real peer: a proxied request is never the loopback admin.
    expect(auth.identify(req('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).admin).to.equal(false);
    // Without trusted proxies the headers are ignored for counting.
    expect(makeAdminAuth({ token: null, secureCookie: false }).identify(req('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).address).to.equal('127.0.0.1');
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackAddress('127.255.0.1')).to.equal(true);
    expect(isLoopbackAddress('128.0.0.1')).to.equal(false);
  });
});
