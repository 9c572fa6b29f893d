import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupDatabase } from '../../../src/store/sqlite/backup.js';
import { openDatabase, type Db } from '../../../src/store/sqlite/open.js';
import { WartaError } from '../../../src/base/errors.js';
import { tempDir } from '../../helpers/tmp.js';

// A second process writes as fast as it can, each transaction adding a ledger row and bumping a running total:
// in any consistent snapshot the two agree. It stops by itself after 30 s should the test die first.
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const add = db.prepare('INSERT INTO ledger (payload) VALUES (?)');
const bump = db.prepare('UPDATE ledger_total SET n = n + 1');
const write = db.transaction(() => { add.run(Buffer.alloc(1500, 7)); bump.run(); });
const end = Date.now() + 30000;
for (let i = 1; Date.now() < end; i++) {
  write();
  if (i === 100) process.stdout.write('ready\\n');
}
`;

describe('db/backupDatabase: online backup of a live database', function () {
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;
  let db: Db;
  let writer: ChildProcess | undefined;

  const rows = (d: Database.Database) => (d.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
  const total = (d: Database.Database) => (d.prepare('SELECT n FROM ledger_total').get() as { n: number }).n;
  const leftovers = () => readdirSync(tmp.dir).filter((f) => f.includes('.tmp'));

  beforeEach(() => {
    tmp = tempDir('warta-backup-');
    dbPath = join(tmp.dir, 'warta.db');
    db = openDatabase(dbPath);
    db.exec('CREATE TABLE ledger (id INTEGER PRIMARY KEY, payload BLOB NOT NULL); CREATE TABLE ledger_total (n INTEGER NOT NULL); INSERT INTO ledger_total VALUES (0);');
    // Several MiB, so the copy takes many steps and the writer's commits land between them.
    const seed = db.transaction(() => {
      for (let i = 0; i < 4000; i++) db.prepare('INSERT INTO ledger (payload) VALUES (?)').run(Buffer.alloc(1500, 1));
      db.prepare('UPDATE ledger_total SET n = n + 4000').run();
    });
    seed();
  });

  afterEach(async () => {
    if (writer && writer.exitCode === null) {
      const exited = new Promise((r) => writer!.once('exit', r));
      writer.kill('SIGTERM');
      await exited;
    }
    writer = undefined;
    db.close();
    tmp.cleanup();
  });

  it('copies a consistent snapshot while another process keeps writing', async () => {
    writer = spawn(process.execPath, ['-e', WRITER, dbPath], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      writer!.stdout!.on('data', (chunk: Buffer) => (chunk.toString().includes('ready') ? resolve() : undefined));
      writer!.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    const before = rows(db);
    const dest = join(tmp.dir, 'backup.db');
    const result = await backupDatabase(dbPath, dest, {});
    const after = rows(db);
    expect(after, 'the writer committed while the backup ran').to.be.greaterThan(before);

    const copy = new Database(dest, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).to.equal('ok');
      expect(copy.pragma('user_version', { simple: true })).to.equal(db.pragma('user_version', { simple: true }));
      const n = rows(copy);
      expect(total(copy), 'ledger rows and running total agree').to.equal(n);
      expect(n).to.be.at.least(before);
      expect(copy.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('sources', 'items')").get()).to.deep.equal({ n: 2 });
      const pageSize = copy.pragma('page_size', { simple: true }) as number;
      expect(result.bytes).to.equal(readFileSync(dest).length);
      expect(result.bytes).to.equal(result.pages * pageSize);
    } finally {
      copy.close();
    }
    expect(leftovers()).to.deep.equal([]);
  });

  it('refuses an existing destination without force, leaving it untouched', async () => {
    const dest = join(tmp.dir, 'existing.db');
    writeFileSync(dest, 'keep me');
    let error: unknown;
    await backupDatabase(dbPath, dest, {}).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(WartaError);
    expect((error as WartaError).code).to.equal('storage');
    expect((error as Error).message).to.equal(`backup: ${dest} already exists; choose another file or pass --force to overwrite it`);
    expect(readFileSync(dest, 'utf8')).to.equal('keep me');
    expect(leftovers()).to.deep.equal([]);
  });

  it('replaces an existing destination with force', async () => {
    const dest = join(tmp.dir, 'existing.db');
    writeFileSync(dest, 'old backup');
    await backupDatabase(dbPath, dest, { force: true });
    const copy = new Database(dest, { readonly: true, fileMustExist: true });
    try {
      expect(rows(copy)).to.equal(4000);
      expect(total(copy)).to.equal(4000);
    } finally {
      copy.close();
    }
    expect(leftovers()).to.deep.equal([]);
  });

  it('removes the temp files of killed backups to the same destination, and only those no live process owns', async () => {
    // A child that has exited stands in for a `warta backup` killed with SIGKILL: its pid is certainly dead.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const hex = 'a1b2c3d4e5f6';
    const makeIdle = (f: string) => utimesSync(join(tmp.dir, f), new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    const files = {
      deadOwner: `.backup.db.${dead.pid}.${hex}.tmp`,
      deadOwnerJournal: `.backup.db.${dead.pid}.${hex}.tmp-journal`,
      liveOwner: `.backup.db.${process.pid}.${hex}.tmp`,
      liveOwnerButIdle: `.backup.db.${process.ppid}.${hex}.tmp`,
      noPidRecent: `.backup.db.${hex}.tmp`,
      noPidIdle: `.backup.db.f6e5d4c3b2a1.tmp`,
      otherDestination: `.other.db.${dead.pid}.${hex}.tmp`,
      notOurs: `.backup.db.${dead.pid}.notatempfile`,
    };
    for (const f of Object.values(files)) writeFileSync(join(tmp.dir, f), 'half a copy');
    makeIdle(files.liveOwnerButIdle);
    makeIdle(files.noPidIdle);

    const result = await backupDatabase(dbPath, join(tmp.dir, 'backup.db'), {});
    expect(result.staleRemoved).to.equal(3);
    expect(leftovers().sort()).to.deep.equal([files.liveOwner, files.noPidRecent, files.otherDestination].sort());
    expect(readdirSync(tmp.dir)).to.include(files.notOurs);
  });

  const refusals: { name: string; dest: () => string; opts: { force?: boolean }; message: RegExp }[] = [
    { name: 'a missing directory', dest: () => join(tmp.dir, 'nope', 'b.db'), opts: {}, message: /^backup: directory .*nope does not exist; create it first$/ },
    { name: 'a directory as destination', dest: () => tmp.dir, opts: { force: true }, message: /is a directory; give a file name/ },
    { name: 'the live database itself', dest: () => dbPath, opts: { force: true }, message: /is the live database or one of its -wal\/-shm\/-journal files/ },
    { name: 'the live database’s WAL file', dest: () => `${dbPath}-wal`, opts: { force: true }, message: /is the live database or one of its -wal\/-shm\/-journal files/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, async () => {
      let error: unknown;
      await backupDatabase(dbPath, r.dest(), r.opts).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(WartaError);
      expect((error as Error).message).to.match(r.message);
      expect(leftovers()).to.deep.equal([]);
      expect(rows(db)).to.equal(4000);
    });
  }

  it('says where it looked when there is no database', async () => {
    const missing = join(tmp.dir, 'missing.db');
    let error: unknown;
    await backupDatabase(missing, join(tmp.dir, 'b.db'), {}).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.equal(`backup: no database at ${missing} (check storage.path or WARTA_DB)`);
  });
});
