import Database from 'better-sqlite3';

/** What one trim did: pages given back, nothing to give back, or no glibc malloc_trim in this process. */
export type TrimOutcome = 'trimmed' | 'nothing' | 'unavailable';

let unavailable = false;

/**
 * Gives the free memory inside glibc's malloc heaps back to the OS, as `malloc_trim` does; the daemon calls it after
 * a burst of refreshes (main.ts, the heap reducer's last step), when what the burst allocated natively is freed.
 *
 * Why: a burst fills malloc's main heap with SQLite's page cache (16 MiB of 4.3 KB pages, freed again by
 * `PRAGMA shrink_memory`) and response bodies (~800 KB each), interleaved with small blocks that outlive the
 * burst. glibc returns heap memory to the OS only from the heap's top, so after the burst those small blocks
 * pin tens of MiB of free holes in the RSS (1,000 sources: 34 of a 44 MiB [heap] free, BENCHMARKS.md, branch
 * mem15). No malloc tunable reaches that: the pages are far below any sensible mmap threshold. `malloc_trim`
 * walks the free chunks and `madvise(MADV_DONTNEED)`s every whole page in them.
 *
 * How, without a native addon of our own: SQLite's extension loader (better-sqlite3's `loadExtension`) dlopens a
 * library and calls a named symbol in it with three pointer arguments. Naming glibc and `malloc_trim` calls
 * `malloc_trim(pad)` with the connection's address as `pad` (the first argument register); the other two are
 * ignored. A pad that large makes glibc skip only the final step, shrinking the heap's top with `sbrk` (it keeps
 * `pad` bytes there); the free chunks below it are released all the same, in every arena. The call's result is
 * what SQLite sees as the extension's: 1 (memory released) reads as an initialization error, 0 as loaded. A
 * throwaway in-memory connection makes the call and is closed, so nothing stays loaded. Where the process has no
 * glibc (musl, macOS, Windows) dlopen or dlsym fails, and the trim is not tried again.
 */
export function trimMalloc(): TrimOutcome {
  if (unavailable) return 'unavailable';
  // Inside the try: a connection that cannot open (no memory) makes the trim unavailable, never a throw into the
  // heap reducer.
  let db: Database.Database | undefined;
  try {
    db = new Database(':memory:');
    // better-sqlite3 takes the entry point as a second argument (its docs); @types/better-sqlite3 omits it.
    (db as unknown as { loadExtension(file: string, entryPoint: string): void }).loadExtension('libc.so.6', 'malloc_trim');
    return 'nothing';
  } catch (err) {
    if (/error during initialization/.test((err as Error).message)) return 'trimmed';
    unavailable = true;
    return 'unavailable';
  } finally {
    db?.close();
  }
}
