/**
 * The daemon's memory as V8 sees it after a full collection, read through the inspector protocol
 * (https://chromedevtools.github.io/devtools-protocol/v8/): the check starts the daemon with
 * `--inspect=127.0.0.1:0` and nothing is added to warta itself. RSS alone cannot tell a leak from a heap V8 has
 * grown under load and not yet handed back; the heap after a forced GC can.
 */
import { WebSocket } from 'undici';

/** process.memoryUsage() of the daemon right after a full GC, in MiB. */
export interface HeapReading {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

const MIB = 1024 * 1024;

/** The inspector URL a process started with --inspect prints on stderr, once it has. */
export function inspectorUrl(stderr: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1] ?? null;
}

/** A DevTools-protocol session with one process. */
export interface Inspector {
  /** Collects garbage (twice: a first full GC can leave what only its finalizers freed) and reads memoryUsage(). */
  heapAfterGc(): Promise<HeapReading>;
  close(): void;
}

/** Connects to the inspector at `url` (ws://127.0.0.1:PORT/UUID). */
export async function connectInspector(url: string): Promise<Inspector> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`inspector: cannot connect to ${url}`)), { once: true });
  });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p) return; // an event
    pending.delete(msg.id!);
    if (msg.error) p.reject(new Error(`inspector: ${msg.error.message}`));
    else p.resolve(msg.result);
  });
  ws.addEventListener('close', () => {
    for (const p of pending.values()) p.reject(new Error('inspector: the connection closed'));
    pending.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });

  return {
    async heapAfterGc() {
      await send('HeapProfiler.collectGarbage');
      await send('HeapProfiler.collectGarbage');
      const r = (await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
      const m = JSON.parse(r.result.value) as Record<keyof HeapReading, number>;
      return { heapUsed: m.heapUsed / MIB, heapTotal: m.heapTotal / MIB, external: m.external / MIB, arrayBuffers: m.arrayBuffers / MIB, rss: m.rss / MIB };
    },
    close() {
      ws.close();
    },
  };
}
