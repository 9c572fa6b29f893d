import { expect } from 'chai';
import { clientKey, makeRateLimiter, makeRenderGate } from '../../../src/http/rate-limit.js';

describe('http: rate limits', () => {
  it('allows a burst, then the per-minute rate, and says how long to wait', () => {
    let t = 0;
    const limiter = makeRateLimiter(() => ({ perMinute: 60, burst: 3, concurrentRenders: 1 }), () => t);
    expect([1, 2, 3].map(() => limiter.take('203.0.113.5'))).to.deep.equal([0, 0, 0]);
    expect(limiter.take('203.0.113.5')).to.equal(1); // one token a second
    expect(limiter.take('198.51.100.7')).to.equal(0); // another client has its own bucket
    t += 1000;
    expect(limiter.take('203.0.113.5')).to.equal(0);
    expect(limiter.take('203.0.113.5')).to.equal(1);
    t += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('203.0.113.5'))).to.deep.equal([0, 0, 0, 1]); // refilled to the burst, no more
  });

  it('Retry-After covers a slow rate', () => {
    const limiter = makeRateLimiter(() => ({ perMinute: 2, burst: 1, concurrentRenders: 1 }), () => 0);
    limiter.take('a');
    expect(limiter.take('a')).to.equal(30);
  });

  it('is off at 0 per minute', () => {
    const limiter = makeRateLimiter(() => ({ perMinute: 0, burst: 1, concurrentRenders: 1 }), () => 0);
    expect(Array.from({ length: 1000 }, () => limiter.take('a')).every((w) => w === 0)).to.equal(true);
    expect(limiter.size()).to.equal(0);
  });

  it('counts an IPv6 client by its /64', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientKey('::1')).to.equal('0:0:0:0::/64');
    expect(clientKey('192.0.2.1')).to.equal('192.0.2.1');
  });

  it('caps renders in progress', () => {
    const gate = makeRenderGate(() => 2);
    expect([gate.enter(), gate.enter(), gate.enter()]).to.deep.equal([true, true, false]);
    gate.leave();
    expect(gate.enter()).to.equal(true);
    expect(gate.active()).to.equal(2);
  });
});
