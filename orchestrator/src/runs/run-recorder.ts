import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../repo/atomic-write.js';
import type { ArtifactRecord, RunManifest } from './manifest-types.js';
import { type Redactor, redactJson } from './redaction.js';

export const MANIFEST = 'manifest.json';
export const RUNNER_LOG = 'runner.log';

/**
 * Keeps a run's evidence: the manifest (rewritten atomically after every change, so a kill at any
 * instant leaves the last complete version), the NDJSON runner log, and hashed artifacts. Every
 * string passes the redactor before it reaches disk.
 */
export class RunRecorder {
  readonly absDir: string;

  constructor(
    readonly root: string,
    /** Repository-relative run directory, `.runs/<task>/<run>`. */
    readonly dir: string,
    readonly manifest: RunManifest,
    readonly redactor: Redactor,
  ) {
    this.absDir = join(root, dir);
    mkdirSync(this.absDir, { recursive: true });
  }

  static read(root: string, dir: string): RunManifest {
    return JSON.parse(readFileSync(join(root, dir, MANIFEST), 'utf8')) as RunManifest;
  }

  save(): void {
    this.manifest.redactions = this.redactor.count;
    const clean = redactJson(this.manifest, this.redactor) as RunManifest;
    clean.redactions = this.redactor.count;
    writeFileAtomic(join(this.absDir, MANIFEST), `${JSON.stringify(clean, null, 2)}\n`);
  }

  /** Appends one event to runner.log. */
  event(type: string, data: Record<string, unknown> = {}): void {
    const line = JSON.stringify(redactJson({ at: new Date().toISOString(), type, ...data }, this.redactor));
    appendFileSync(join(this.absDir, RUNNER_LOG), `${line}\n`);
  }

  /** Path of a file inside the run directory, repository-relative. */
  relPath(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** Writes a text artifact (redacted) and records its hash. */
  writeArtifact(name: string, content: string): string {
    const abs = join(this.absDir, name);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileAtomic(abs, this.redactor.redact(content));
    return this.recordArtifact(name);
  }

  /** Hashes an existing file of the run directory into the artifact list (replacing an older entry). */
  recordArtifact(name: string, truncated?: { bytes: number; sha256: string } | null): string {
    const rel = this.relPath(name);
    const bytes = readFileSync(join(this.absDir, name));
    const entry: ArtifactRecord = {
      path: rel,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      ...(truncated ? { truncated } : {}),
    };
    const i = this.manifest.artifacts.findIndex((a) => a.path === rel);
    if (i === -1) this.manifest.artifacts.push(entry);
    else this.manifest.artifacts[i] = entry;
    return rel;
  }

  heartbeat(): void {
    this.manifest.heartbeat = { at: new Date().toISOString(), pid: process.pid };
    this.save();
  }

  hasArtifactFile(name: string): boolean {
    return existsSync(join(this.absDir, name));
  }
}
