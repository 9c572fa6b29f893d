import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { watchConfigFile, type ConfigWatch } from '../../../src/daemon/config-watch.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

// The real fs.watch on a real file: a change event is proved processed by the watcher's own debug line (no sleeps).
describe('daemon: the config file watch reloads only when the content changed', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let watch: ConfigWatch | null;
  let changes: number;
  let lines: { msg: string }[];
  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'warta.yaml');
    writeFileSync(file, 'sources: []\n');
    changes = 0;
    lines = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk)) as { msg: string }), done()) });
    watch = watchConfigFile(file, () => void changes++, pino({ level: 'debug' }, sink));
    expect(watch).to.not.equal(null);
  });
  afterEach(() => {
    watch?.close();
    tmp.cleanup();
  });
  const untouched = () => lines.filter((l) => l.msg.startsWith('config file touched without a change')).length;

  it('calls back once for a new content, and not for the same bytes written again', async () => {
    writeFileSync(file, 'sources: []\ntags: []\n');
    await waitFor(() => changes === 1, { what: 'one change after new content' });
    writeFileSync(file, 'sources: []\ntags: []\n');
    await waitFor(() => untouched() === 1, { what: 'the watcher to see the rewrite of the same bytes' });
    expect(changes).to.equal(1);
  });

  it('does not call back for a save that a reload (SIGHUP) already read', async () => {
    writeFileSync(file, 'sources: []\noutputs: []\n');
    watch!.remember(); // what reload() does first
    await waitFor(() => untouched() === 1, { what: 'the watcher to see the save that the reload already read' });
    expect(changes).to.equal(0);
  });

  it('calls back when the file is deleted, so the reload can say so', async () => {
    rmSync(file);
    await waitFor(() => changes === 1, { what: 'a change after the file was deleted' });
  });
});
