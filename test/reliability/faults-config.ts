/**
 * The config file lost while the daemon runs: deleted, made unreadable, replaced by a directory, truncated to
 * garbage. Each time the reload (file watch and SIGHUP) must be rejected with a log line, and the running config
 * must stay: outputs served, sources still polled. The daemon runs as `nobody`, because root reads a mode-000 file.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { DaemonRun } from './daemon-run.js';
import { makeRig } from './rig.js';
import { checkStore, RULES_A } from './invariants.js';
import { get, sleep, waitFor, type CheckOptions, type CheckResult } from './lib.js';

const NOBODY = 65534;

export async function checkConfigLoss(opts: CheckOptions): Promise<CheckResult> {
  const rig = await makeRig(4, { prefix: 'warta-cfg-' });
  chownSync(rig.dir, NOBODY, NOBODY);
  chmodSync(rig.dir, 0o755);
  const saved = `${rig.config}.saved`;
  copyFileSync(rig.config, saved);
  const problems: string[] = [];
  const figures: CheckResult['figures'] = {};
  const run = new DaemonRun(rig.base, rig.config, [], { uid: NOBODY });
  const rejected = () => run.logs().filter((l) => String(l.msg).startsWith('config reload rejected')).length;
  const restore = () => {
    rmSync(rig.config, { recursive: true, force: true });
    copyFileSync(saved, rig.config);
    chmodSync(rig.config, 0o644);
  };
  const all: [name: string, harm: () => void][] = [
    ['deleted', () => rmSync(rig.config)],
    ['mode 000', () => chmodSync(rig.config, 0o000)],
    ['a directory', () => (rmSync(rig.config), mkdirSync(rig.config))],
    ['truncated', () => writeFileSync(rig.config, 'sources:\n  - id: f0\n    url: "http://12')],
  ];
  const cases = opts.short ? all.slice(0, 2) : all;
  try {
    if (!(await run.untilServing())) throw new Error(`the daemon (uid nobody) did not start: ${run.daemon.stderr.slice(0, 500)}`);
    await waitFor(() => rig.stored() > 0, 20_000);
    for (const [name, harm] of cases) {
      const rejectedBefore = rejected();
      harm();
      await sleep(500); // the watch's debounce
      run.daemon.child.kill('SIGHUP');
      const logged = await waitFor(() => rejected() >= rejectedBefore + 1, 5000);
      for (let f = 0; f < rig.feeds; f++) rig.farm.publish(f, 1);
      const before = rig.stored();
      const polled = await waitFor(() => rig.stored() > before, 30_000, 200);
      const out = await get(`${rig.base}/feeds/all.json`);
      const feedStillThere = out.status === 200 && (JSON.parse(out.body) as { items: unknown[] }).items.length > 0;
      figures[name] = `${logged ? 'rejected' : 'NOT LOGGED'}, ${feedStillThere ? 'served' : `HTTP ${out.status}`}, ${polled ? 'still polling' : 'NOT POLLING'}`;
      if (!logged) problems.push(`config ${name}: no "config reload rejected" line within 5 s`);
      if (!feedStillThere) problems.push(`config ${name}: /feeds/all.json answered ${out.status}`);
      if (!polled) problems.push(`config ${name}: no new item stored within 30 s (the old config's sources should still be polled)`);
      if (!run.alive) throw new Error(`the daemon died after the config was ${name}: ${run.daemon.stderr.slice(-500)}`);
      restore();
      await sleep(500);
    }
    const reloaded = await waitFor(() => run.logs().some((l) => l.msg === 'config reloaded'), 5000);
    figures['restored file reloaded'] = reloaded ? 'yes' : 'no';
    // Exit code only reported: a per-second schedule makes SIGTERM exit 1 (regressions.test.ts).
    figures['SIGTERM exit'] = String(await run.stop());
    const store = checkStore(rig.db, rig.farm, rig.feeds, [RULES_A]);
    problems.push(...store.problems);
  } catch (err) {
    problems.push((err as Error).message);
  } finally {
    await run.kill();
    await rig.close();
  }
  return { name: 'faults/config-lost', ok: problems.length === 0, figures, details: problems };
}
