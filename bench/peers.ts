/**
 * The peers warta is compared with, each run on the same farm in the same run: newsboat (Debian's, cold reload
 * of every feed) and nginx (Debian's nginx-light, serving the same bytes as a static file). Each is skipped with
 * a message when it is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './lib.js';

export const NEWSBOAT = '/usr/bin/newsboat';
export const NGINX = '/usr/sbin/nginx';

/** Why a peer cannot run here, or null when it can. */
export function missing(path: string, install: string): string | null {
  return existsSync(path) ? null : `${path} not found (${install}): skipped`;
}

/** newsboat's cold reload of `urls` with 16 reload threads into a fresh cache in `dir`; wall seconds. */
export async function newsboatReload(dir: string, urls: readonly string[]): Promise<number> {
  writeFileSync(join(dir, 'nb-urls'), urls.join('\n') + '\n');
  writeFileSync(join(dir, 'nb-config'), 'reload-threads 16\nmax-items 0\nsuppress-first-reload yes\n');
  const t = process.hrtime.bigint();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(NEWSBOAT, ['-x', 'reload', '-u', join(dir, 'nb-urls'), '-c', join(dir, 'nb-cache.db'), '-C', join(dir, 'nb-config')], {
      env: { ...process.env, HOME: dir },
      stdio: 'ignore',
    });
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`newsboat exited ${code}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** nginx (1 worker, gzip on, etag on) serving the files already in `dir` on `port`. */
export async function startNginx(dir: string, port: number): Promise<ChildProcess> {
  chmodSync(dir, 0o755); // nginx's worker runs unprivileged and must read the files
  writeFileSync(join(dir, 'nginx.conf'), `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 1024; }
http { access_log off; gzip on; gzip_types application/rss+xml; types { application/rss+xml rss; }
  server { listen 127.0.0.1:${port}; root ${dir}; location / { etag on; } } }`);
  const child = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('nginx did not start');
}
