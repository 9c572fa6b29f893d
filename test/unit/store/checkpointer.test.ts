/**
 * WAL checkpoints on a thread of their own (store/sqlite/checkpointer.ts), with real SQLite files: a commit no
 * longer copies the WAL into the database file itself, the thread does within its interval, the thread stops when
 * idle and on close, and a thread that cannot start gives the checkpoints back to the connection.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fsp, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../src/store/sqlite/open.js';
import { SAFETY_PAGES, SQLITE_AUTOCHECKPOINT, startCheckpointer } from '../../../src/store/sqlite/checkpointer.js';

const PAGE = 4096;

/** Commits ~`mb` MB in one transaction (over SQLite's own 1,000-page automatic checkpoint when mb > 4). */
function writeMb(db: Db, mb: number): void {
  const insert = db.prepare('INSERT INTO bulk (body) VALUES (?)');
  const body = 'x'.repeat(16_000);
  db.transaction(() => {
    for (let i = 0; i < (mb * 1e6) / body.length; i++) insert.run(`${i}${body}`);
  })();
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('store/sqlite/checkpointer: WAL checkpoints off the event loop', function () {
  this.timeout(20_000);
  let dir: string;
  let path: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warta-ckpt-'));
    path = join(dir, 'w.db');
    db = openDatabase(path, { resident: 'lean' });
    db.exec('CREATE TABLE bulk (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    db.pragma('wal_checkpoint(TRUNCATE)');
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite alone checkpoints inside the commit that passes 1,000 pages (what the thread takes off the loop)', () => {
    const before = statSync(path).size;
    writeMb(db, 6);
    expect(statSync(path).size - before, 'the database file grew in the commit').to.be.greaterThan(5e6);
  });

  it('a commit leaves the database file as it was; the thread copies the WAL into it after wrote()', async () => {
    const cp = startCheckpointer(db, path, { intervalMs: 50 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(SAFETY_PAGES);
      const before = statSync(path).size;
      writeMb(db, 6);
      expect(statSync(path).size, 'no checkpoint in the commit').to.equal(before);
      cp.wrote();
      await cp.idle();
      expect(statSync(path).size - before, 'checkpointed by the thread').to.be.greaterThan(5e6);
      const s = cp.stats();
      expect(s).to.include({ threads: 1, started: 1, checkpoints: 1, fellBack: false });
      expect(s.lastLog).to.be.greaterThan(1000);
      expect(s.lastCheckpointed).to.equal(s.lastLog);
    } finally {
      await cp.close();
    }
  });

  it('checkpoints at most once per interval, however many writes; writes made during one get one more after it', async () => {
    const cp = startCheckpointer(db, path, { intervalMs: 300 });
    try {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) {
        writeMb(db, 0.1);
        cp.wrote();
      }
      await cp.idle();
      // The first write's checkpoint at once; the 19 behind it (made while it was pending) one interval later.
      expect(cp.stats().checkpoints).to.equal(2);
      expect(performance.now() - t0).to.be.at.least(300);
      expect(cp.stats().lastCheckpointed).to.equal(cp.stats().lastLog);
      writeMb(db, 0.1);
      cp.wrote();
      writeMb(db, 0.1);
      cp.wrote();
      await cp.idle();
      expect(cp.stats().checkpoints).to.equal(3);
    } finally {
      await cp.close();
    }
  });

  it('starts no thread before a write, stops an idle one, and starts again with the next write', async () => {
    const cp = startCheckpointer(db, path, { intervalMs: 10, idleMs: 200 });
    try {
      expect(cp.stats()).to.include({ threads: 0, started: 0 });
      writeMb(db, 0.1);
      cp.wrote();
      await cp.idle();
      expect(cp.stats()).to.include({ threads: 1, started: 1 });
      await until('the idle thread stopped', () => cp.stats().threads === 0);
      writeMb(db, 0.1);
      cp.wrote();
      await cp.idle();
      expect(cp.stats()).to.include({ threads: 1, started: 2, checkpoints: 2 });
    } finally {
      await cp.close();
    }
  });

  it('close() waits for every thread, one stopped for idleness and still closing too (the process\'s threads are back as before)', async () => {
    // libuv's pool starts with the first fs call: started before counting, so only the checkpoint threads differ.
    await fsp.stat(dir);
    const tasks = () => readdirSync('/proc/self/task').length;
    const before = tasks();
    // Its first thread takes 2 s to close; the later one closes at once.
    const cp = startCheckpointer(db, path, { intervalMs: 1, idleMs: 20, workerUrl: new URL('../../helpers/slow-close-checkpoint-worker.ts', import.meta.url) });
    writeMb(db, 0.05);
    cp.wrote();
    await cp.idle();
    await new Promise((r) => setTimeout(r, 150)); // stopped for idleness: told to close, still closing
    writeMb(db, 0.05);
    cp.wrote();
    await cp.idle(); // a second thread started and checkpointed
    await cp.close();
    expect(cp.stats()).to.include({ threads: 0, started: 2 });
    expect(tasks(), 'threads of the process after close()').to.equal(before);
  });

  it('close() ends the thread; the connection\'s own close then checkpoints the rest and removes the WAL', async () => {
    const cp = startCheckpointer(db, path, { intervalMs: 10 });
    writeMb(db, 1);
    cp.wrote();
    await cp.idle();
    writeMb(db, 1);
    await cp.close();
    expect(cp.stats().threads).to.equal(0);
    db.close();
    expect(existsSync(`${path}-wal`), 'WAL left behind').to.equal(false);
  });

  it('close() holds the process until the thread has exited (a last top-level await is not left unsettled)', function () {
    this.timeout(60_000);
    const script = join(dir, 'close.mts');
    const src = (f: string) => JSON.stringify(new URL(`../../../src/store/sqlite/${f}`, import.meta.url).href);
    writeFileSync(script, [
      `import { openDatabase } from ${src('open.ts')};`,
      `import { startCheckpointer } from ${src('checkpointer.ts')};`,
      `const db = openDatabase(${JSON.stringify(join(dir, 'c.db'))}, { resident: 'lean' });`,
      `db.exec('CREATE TABLE t (x)');`,
      `const cp = startCheckpointer(db, ${JSON.stringify(join(dir, 'c.db'))}, { intervalMs: 10 });`,
      `cp.wrote();`,
      `await cp.idle();`,
      `await cp.close();`,
      `db.close();`,
      `console.log('closed', cp.stats().checkpoints);`,
    ].join('\n'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.stderr).to.equal('');
    expect(run.status, 'exit code (13: an await left unsettled)').to.equal(0);
    expect(run.stdout.trim()).to.equal('closed 1');
  });

  it('a thread that cannot even be created (Worker throws at once: a thread limit) falls back too, and wrote() never throws', async () => {
    const told: string[] = [];
    // An http: URL makes the Worker constructor throw synchronously, as ERR_WORKER_INIT_FAILED does.
    const cp = startCheckpointer(db, path, { intervalMs: 10, workerUrl: new URL('http://example.invalid/checkpoint-worker.js'), onFallback: (why) => told.push(why) });
    try {
      writeMb(db, 0.1);
      expect(() => cp.wrote()).not.to.throw();
      expect(cp.stats()).to.include({ fellBack: true, threads: 0 });
      expect(() => cp.wrote()).not.to.throw();
      await cp.idle();
      expect(told).to.have.length(1);
      expect(told[0]).to.match(/could not start/);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(SQLITE_AUTOCHECKPOINT);
    } finally {
      await cp.close();
    }
  });

  it('a thread that cannot start gives checkpoints back to the connection (SQLite\'s default), told once', async () => {
    const told: string[] = [];
    const cp = startCheckpointer(db, path, { intervalMs: 10, workerUrl: new URL('./no-such-checkpoint-worker.ts', import.meta.url), onFallback: (why) => told.push(why) });
    try {
      writeMb(db, 0.1);
      cp.wrote();
      await until('the checkpointer fell back', () => cp.stats().fellBack);
      cp.wrote();
      expect(told).to.have.length(1);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(SQLITE_AUTOCHECKPOINT);
      const before = statSync(path).size;
      writeMb(db, 6);
      expect(statSync(path).size - before, 'the commit checkpoints itself again').to.be.greaterThan(5e6);
    } finally {
      await cp.close();
    }
  });
});
