import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../repo/atomic-write.js';
import type { EvidencePolicy } from '../repo/config.js';
import { applyEvidencePolicy } from './evidence-policy.js';
import type { ArtifactRecord, RunManifest } from './manifest-types.js';
import { type Redactor, redactJson, redactJsonLines } from './redaction.js';

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

  /**
   * Redacts every file of the run directory again, each as a whole: output stored line by line
   * (command and agent logs) and files an agent wrote itself (plan.json, its own artifacts) can
   * hold a secret split over lines that no single line showed; in NDJSON, over consecutive events'
   * strings. A rewritten artifact's hash is
   * recomputed; the manifest is left to `save`, which redacts it too.
   */
  scrubFiles(): void {
    for (const entry of readdirSync(this.absDir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const name = relative(this.absDir, join(entry.parentPath, entry.name));
      if (name === MANIFEST) continue;
      const bytes = readFileSync(join(this.absDir, name));
      // a binary file is searched byte for byte, so that it is rewritten unchanged but for the secret
      const encoding = isUtf8(bytes) ? 'utf8' : 'latin1';
      const text = bytes.toString(encoding);
      const clean = this.redactor.redact(
        (name.endsWith('.ndjson') || name === RUNNER_LOG
          ? redactJsonLines(text, this.redactor)
          : undefined) ?? text,
      );
      if (clean === text) continue;
      writeFileAtomic(join(this.absDir, name), Buffer.from(clean, encoding));
      const artifact = this.manifest.artifacts.find((a) => a.path === this.relPath(name));
      if (artifact) this.recordArtifact(name, artifact.truncated);
    }
  }

  /**
   * The last writes of an ended run: every file redacted again as a whole, then the evidence
   * policy (caps, compression), which must come after the redaction pass that reads plain text.
   */
  seal(policy: EvidencePolicy): void {
    this.scrubFiles();
    applyEvidencePolicy(this, policy);
  }

  heartbeat(): void {
    this.manifest.heartbeat = { at: new Date().toISOString(), pid: process.pid };
    this.save();
  }

  hasArtifactFile(name: string): boolean {
    return existsSync(join(this.absDir, name));
  }
}
