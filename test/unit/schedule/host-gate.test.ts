import { expect } from 'chai';
import { hostKey, makeHostGate } from '../../../src/schedule/host-gate.js';

// Not a wait: the time a job holds its slot, so that jobs overlap and the gate's limits are what is measured.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('host gate: politeness per registrable domain', () => {
  const keys: [string, string][] = [
    ['https://a.example.com/feed', 'example.com'],
    ['https://b.example.com/rss', 'example.com'],
    ['https://www.antaranews.com/rss/dunia.xml', 'antaranews.com'],
    ['https://rss.tempo.co/dunia', 'tempo.co'],
    ['https://berita.detik.co.id/x', 'detik.co.id'],
    ['http://127.0.0.1:8080/feed', '127.0.0.1'],
    ['http://localhost/feed', 'localhost'],
  ];
  for (const [url, key] of keys) it(`keys ${url} by ${key}`, () => expect(hostKey(url)).to.equal(key));

  it('runs at most per_host at once for one domain, while another domain proceeds, under the global cap', async () => {
    const gate = makeHostGate({ perHost: 2, concurrency: 3, pauseMaxMs: 60_000, now: () => new Date() });
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    let total = 0;
    let peakTotal = 0;
    const job = (url: string) =>
      gate.run(url, async () => {
        const k = hostKey(url);
        running.set(k, (running.get(k) ?? 0) + 1);
        total++;
        peak.set(k, Math.max(peak.get(k) ?? 0, running.get(k)!));
        peakTotal = Math.max(peakTotal, total);
        await sleep(20);
        running.set(k, running.get(k)! - 1);
        total--;
      });
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => job(`https://${i % 2 ? 'a' : 'b'}.example.com/${i}`)),
      ...Array.from({ length: 4 }, (_, i) => job(`https://other.example.org/${i}`)),
    ]);
    expect(peak.get('example.com')).to.equal(2);
    expect(peak.get('example.org')).to.equal(2);
    expect(peakTotal).to.equal(3);
  });

  it('pauses a host until a Retry-After (capped at host_pause_max) and reports it', async () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const gate = makeHostGate({ perHost: 2, concurrency: 4, pauseMaxMs: 150, now: () => now });
    const until = gate.pause('https://a.example.com/feed', new Date('2026-11-26T11:00:00Z'));
    expect(until.toISOString()).to.equal('2026-11-26T10:00:00.150Z'); // capped
    expect(gate.pausedUntil('https://b.example.com/other')).to.deep.equal(until); // the whole domain
    expect(gate.pausedUntil('https://example.org/')).to.equal(null);
    const started = Date.now();
    await gate.run('https://b.example.com/x', async () => undefined);
    expect(Date.now() - started).to.be.at.least(120);
    now = new Date('2026-11-26T10:01:00Z');
    expect(gate.pausedUntil('https://a.example.com/feed')).to.equal(null);
  });

  it('takes new limits at a reload: waiting work starts as far as wider limits allow', async () => {
    const gate = makeHostGate({ perHost: 1, concurrency: 1, pauseMaxMs: 60_000, now: () => new Date() });
    let running = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const jobs = Array.from({ length: 6 }, (_, i) =>
      gate.run(`https://${i < 4 ? 'a' : 'b'}.example.com/${i}`, async () => {
        running++;
        await held;
      }),
    );
    await sleep(20);
    expect(running, 'one at a time before').to.equal(1);
    gate.configure({ perHost: 3, concurrency: 4 });
    await sleep(20);
    // All six are example.com's (a. and b. share the registrable domain): per_host 3 of them, under the global 4.
    expect(running, 'per_host 3 of the one domain after').to.equal(3);
    release();
    await Promise.all(jobs);
  });
});
