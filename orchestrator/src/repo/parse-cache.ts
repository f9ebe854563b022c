import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCHEMA_HASH, VERSION } from '../generated/version.js';
import { gitDirOf } from './git-dir.js';
import { writeCacheFile } from './cache-file.js';

/**
 * A content-addressed cache of parse results, kept outside the tracked tree (in .git, or the
 * user's cache directory). An entry is found only for the same checks, file path, bytes,
 * orchestrator version and schemas, so it can never answer for changed input or lesser checks.
 */
export class ParseCache<T> {
  private readonly used = new Map<string, T>();
  private dirty = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Record<string, T>,
  ) {}

  /** Opens cache `name` for a repository; `undefined` dir (or --no-cache) gives a cache that remembers nothing. */
  static open<T>(dir: string | undefined, name: string): ParseCache<T> {
    if (!dir) return new ParseCache<T>(undefined, {});
    const file = join(dir, `${name}.json`);
    let entries: Record<string, T> = {};
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { salt?: string; entries?: Record<string, T> };
      if (stored.salt === SALT && stored.entries) entries = stored.entries;
    } catch {
      // missing or unreadable: start empty
    }
    return new ParseCache<T>(file, entries);
  }

  /**
   * `checks` names what the cached result was checked for (e.g. the index's `fast` or `full`
   * parse): a result is never reused by a caller that needs more checks than it had.
   */
  static key(file: string, text: string, checks: string): string {
    return `${checks}\0${file}\0${hash('sha1', text, 'base64url')}`;
  }

  /** False for a cache opened without a directory: callers can skip computing keys. */
  get enabled(): boolean {
    return this.file !== undefined;
  }

  get(key: string): T | undefined {
    if (!this.file) return undefined;
    const hit = this.entries[key];
    if (hit !== undefined) this.used.set(key, hit);
    return hit;
  }

  set(key: string, value: T): void {
    if (!this.file) return;
    this.used.set(key, value);
    this.dirty = true;
  }

  /** Writes the entries used in this run (dropping the rest), if anything changed. Best effort. */
  save(): void {
    if (!this.file || (!this.dirty && this.used.size === Object.keys(this.entries).length)) return;
    try {
      writeCacheFile(this.file, JSON.stringify({ salt: SALT, entries: Object.fromEntries(this.used) }));
    } catch {
      // a read-only checkout still works, just without a warm cache
    }
  }
}

// bump the last part whenever the shape of a cached entry changes
const SALT = `${VERSION}:${SCHEMA_HASH}:4`;

/**
 * Where a repository's caches live: $CXO_CACHE_DIR, else inside its .git directory (never
 * tracked, per clone), else the user's cache directory.
 */
export function cacheDirFor(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CXO_CACHE_DIR)
    return resolve(env.CXO_CACHE_DIR, createHash('sha1').update(resolve(root)).digest('hex').slice(0, 16));
  const gitDir = gitDirOf(root);
  if (gitDir) return join(gitDir, 'codex-orchestrator');
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(
    base,
    'codex-orchestrator',
    createHash('sha1').update(resolve(root)).digest('hex').slice(0, 16),
  );
}
