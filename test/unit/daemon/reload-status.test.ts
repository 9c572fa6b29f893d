import { expect } from 'chai';
import { makeMetrics } from '../../../src/base/metrics.js';
import { makeReloadStatus } from '../../../src/daemon/reload-status.js';

describe('daemon/reload-status: the config in force and rejected reloads, on the page and in /metrics', () => {
  const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`);
  const value = async (text: Promise<{ body: string }>, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await text).body)?.[1]);

  it('starts as a successful load, counts rejections, and keeps the time of the config in force', async () => {
    const metrics = makeMetrics();
    const r = makeReloadStatus('/etc/warta.yaml', at('04:00'), metrics);
    const steps: { step: () => void; successful: number; failures: number; since: string; rejected: string | null }[] = [
      { step: () => {}, successful: 1, failures: 0, since: '04:00', rejected: null },
      { step: () => r.rejected(at('04:10'), 'SIGHUP', ['/etc/warta.yaml:3:5: unknown key "max_item"']), successful: 0, failures: 1, since: '04:00', rejected: '04:10' },
      { step: () => r.rejected(at('04:11'), 'config file changed', ['x']), successful: 0, failures: 2, since: '04:00', rejected: '04:11' },
      { step: () => r.applied(at('04:20'), 'config file changed'), successful: 1, failures: 2, since: '04:20', rejected: '04:11' },
    ];
    for (const s of steps) {
      s.step();
      expect(await value(metrics.render(), 'warta_config_last_reload_successful')).to.equal(s.successful);
      expect(await value(metrics.render(), 'warta_config_reload_failures_total')).to.equal(s.failures);
      expect(await value(metrics.render(), 'warta_config_last_reload_success_timestamp_seconds')).to.equal(at(s.since).getTime() / 1000);
      expect(r.current().since).to.deep.equal(at(s.since));
      expect(r.current().lastRejected?.at ?? null).to.deep.equal(s.rejected === null ? null : at(s.rejected));
    }
    expect(r.current()).to.deep.include({ file: '/etc/warta.yaml', how: 'config file changed' });
    expect(r.current().lastRejected).to.deep.equal({ at: at('04:11'), reason: 'config file changed', problems: ['x'] });
  });
});
