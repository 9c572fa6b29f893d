/**
 * The layout's rules, checked on the source text: SQLite only inside src/store/sqlite/, PostgreSQL only inside
 * src/store/postgres/, SQL only inside those two, a store that
 * imports nothing above it, a README opening every folder, and nothing at src/'s top but the two entry points.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const sources = filesUnder(SRC).filter((f) => f.endsWith('.ts'));
const rel = (f: string) => relative(SRC, f).split('\\').join('/');
const importsOf = (f: string) => [...readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
// A string that starts an SQL statement (a word warta's prose never begins a string with).
const SQL = /['"`]\s*(?:SELECT\s|INSERT\s+(?:OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(?:TABLE|INDEX)\s|PRAGMA\s)/;

describe('layout: where code may live', () => {
  it('only src/store/sqlite/ imports better-sqlite3', () => {
    const offenders = sources.filter((f) => !rel(f).startsWith('store/sqlite/') && importsOf(f).includes('better-sqlite3'));
    expect(offenders.map(rel)).to.deep.equal([]);
  });

  it('only src/store/postgres/ imports pg', () => {
    const offenders = sources.filter((f) => !rel(f).startsWith('store/postgres/') && importsOf(f).some((s) => s === 'pg' || s.startsWith('pg/')));
    expect(offenders.map(rel)).to.deep.equal([]);
  });

  it('only src/store/sqlite/ and src/store/postgres/ hold SQL', () => {
    const offenders = sources.filter((f) => !/^store\/(sqlite|postgres)\//.test(rel(f)) && SQL.test(readFileSync(f, 'utf8')));
    expect(offenders.map(rel)).to.deep.equal([]);
  });

  it('the SQL check finds SQL where it is', () => {
    for (const dir of ['store/sqlite/', 'store/postgres/']) {
      const inStore = sources.filter((f) => rel(f).startsWith(dir) && SQL.test(readFileSync(f, 'utf8')));
      expect(inStore.length, dir).to.be.greaterThan(3);
    }
  });

  it('nothing under src/store/ imports from the folders above it (only base/ and itself)', () => {
    const offenders: string[] = [];
    for (const f of sources.filter((x) => rel(x).startsWith('store/'))) {
      for (const spec of importsOf(f).filter((s) => s.startsWith('.'))) {
        const target = rel(resolve(dirname(f), spec));
        if (!target.startsWith('store/') && !target.startsWith('base/')) offenders.push(`${rel(f)} → ${target}`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('nothing under src/base/ imports from another folder of src/', () => {
    const offenders: string[] = [];
    for (const f of sources.filter((x) => rel(x).startsWith('base/'))) {
      for (const spec of importsOf(f).filter((s) => s.startsWith('.'))) {
        const target = rel(resolve(dirname(f), spec));
        if (!target.startsWith('base/')) offenders.push(`${rel(f)} → ${target}`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('src/ holds only the two entry points at its top, and every folder opens with a README', () => {
    const top = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isFile());
    expect(top.sort()).to.deep.equal(['cli.ts', 'main.ts']);
    const folders = [...new Set(sources.map((f) => dirname(rel(f))))].filter((d) => d !== '.');
    const missing = folders.filter((d) => !readdirSync(join(SRC, d)).includes('README.md') && !['pipeline/feed', 'pipeline/fetch'].includes(d));
    expect(missing).to.deep.equal([]);
  });
});
