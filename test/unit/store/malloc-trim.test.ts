import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { trimMalloc } from '../../../src/store/sqlite/malloc-trim.js';

/** Resident KiB of malloc's main heap ([heap] in /proc/self/smaps). */
function mallocHeapKb(): number {
  const m = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps', 'utf8'));
  return m ? Number(m[1]) : 0;
}

const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

describe('store/sqlite/trimMalloc: free pages inside malloc\'s heap go back to the OS', () => {
  if (!glibc) {
    it('reports unavailable where the process has no glibc', () => {
      expect(trimMalloc()).to.equal('unavailable');
    });
    return;
  }

  it(`releases the free holes a burst leaves behind small blocks that outlive it (glibc ${glibc})`, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // A burst as the daemon's: 4 KB native blocks (SQLite's page cache) from malloc's main heap, every eighth
    // followed by a small block that stays (a statement, a handle): freeing the big ones leaves 32 KB holes that
    // glibc cannot return from the heap's top. (malloc_trim gives back only whole pages inside a free chunk: a
    // hole of one 4 KB block between two live ones has none.)
    let big: Buffer[] | null = [];
    const pins: Buffer[] = [];
    for (let i = 0; i < 12_000; i++) {
      big.push(Buffer.allocUnsafeSlow(4000).fill(1));
      if (i % 8 === 7) pins.push(Buffer.allocUnsafeSlow(200).fill(2));
    }
    const filled = mallocHeapKb();
    big = null;
    gc();
    // V8 frees ArrayBuffers' memory on a background thread after the GC.
    await new Promise((r) => setTimeout(r, 200));
    const freed = mallocHeapKb();
    expect(filled, 'the burst grew the heap by ~48 MB').to.be.above(40_000);
    expect(freed, 'freeing alone gives back little').to.be.above(filled - 20_000);
    expect(trimMalloc()).to.equal('trimmed');
    const trimmed = mallocHeapKb();
    expect(freed - trimmed, `KiB given back (heap ${filled} → ${freed} → ${trimmed} KiB)`).to.be.above(30_000);
    expect(pins.every((b) => b[199] === 2), 'the blocks still in use are untouched').to.equal(true);
  });

  it('leaves SQLite working, and can be called again', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('kept');
    expect(['trimmed', 'nothing']).to.include(trimMalloc());
    expect(['trimmed', 'nothing']).to.include(trimMalloc());
    expect(db.prepare('SELECT x FROM t').pluck().get()).to.equal('kept');
    db.close();
  });
});
