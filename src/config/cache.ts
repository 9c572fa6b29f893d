/**
 * The parsed YAML of a large config file, kept between runs keyed by the file's content hash. Parsing YAML with
 * positions (the `yaml` package's document model) is the slow part of reading a config of a thousand sources
 * (~200 ms of CPU cold, more than the whole 304 re-poll of those sources costs in requests): a command that reads
 * the same file again gets yaml's own result back as JSON in ~2 ms. What is kept is the document's value before
 * `${VAR}` substitution, so the environment is applied afresh on every run and no variable's value is written.
 * The document itself is parsed only where positions are needed (a problem to report).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Below this size a file parses in a few ms: no cache file is read or written for it. */
export const CACHE_MIN_BYTES = 16 * 1024;
// Raised when what is kept changes meaning.
const FORMAT = 1;

/** The cache of one config file: what its YAML parsed to the last time, if the text is still the same. */
export interface ConfigCache {
  /** yaml's value of this text (before substitution), or undefined on a miss. */
  read(): unknown;
  /** Keeps yaml's value of this text (`json`: JSON.stringify of it). Failures (a read-only home) are ignored. */
  write(json: string): void;
}

/**
 * The cache for `text` read from `file`, or null when the file is small. One file per config path under
 * $XDG_CACHE_HOME/warta (~/.cache/warta), mode 0600 (the file's own values, admin tokens among them, are in it).
 */
export function configCache(text: string, file: string, env: NodeJS.ProcessEnv): ConfigCache | null {
  if (text.length < CACHE_MIN_BYTES) return null;
  const dir = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'warta');
  const path = join(dir, `config-${sha256(resolve(file)).slice(0, 16)}.json`);
  const key = `${FORMAT} ${yamlVersion()} ${sha256(text)}`;
  return {
    read() {
      try {
        const kept = JSON.parse(readFileSync(path, 'utf8')) as { key?: unknown; value?: unknown };
        return kept.key === key ? kept.value : undefined;
      } catch {
        return undefined;
      }
    },
    write(json) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, `{"key":${JSON.stringify(key)},"value":${json}}`, { mode: 0o600 });
        // Atomic: a reader sees the old file or the new one, never half of one.
        renameSync(tmp, path);
      } catch {
        // A cache that cannot be written only costs the parse next time.
      }
    },
  };
}

/**
 * Whether a parsed YAML value comes back the same from JSON: plain objects, arrays, strings, booleans, null and
 * finite numbers only (yaml's core schema also makes .inf, .nan and -0, which JSON cannot carry).
 */
export function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as Record<string, unknown>).every(jsonSafe);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Another version of yaml may read the same text otherwise.
const yamlVersion = () => (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
