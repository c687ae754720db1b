// A content revision's manifest: every file's relative path ('/'-separated), size and SHA-256.
import { createHash } from 'node:crypto';

export interface ManifestFile {
  path: string;
  size: number;
  /** SHA-256, lower-case hex. */
  sha256: string;
}

/** Sorts by path in code-unit order, the one canonical order manifests are kept and hashed in. */
export function sortManifest(files: ManifestFile[]): ManifestFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A digest of the whole manifest: equal digests mean the same files with the same bytes. */
export function manifestDigest(files: readonly ManifestFile[]): string {
  // one update: a call per file into the hash costs more than the hashing (10,000-file manifests)
  return createHash('sha256').update(files.map((f) => `${f.sha256} ${f.size} ${f.path}\n`).join('')).digest('hex');
}

export function manifestBytes(files: readonly ManifestFile[]): number {
  let n = 0;
  for (const f of files) n += f.size;
  return n;
}

export interface ManifestDiff {
  added: ManifestFile[];
  changed: ManifestFile[];
  removed: ManifestFile[];
}

/** What `after` adds, changes and removes against `before` (both in canonical order or not). */
export function diffManifests(before: readonly ManifestFile[], after: readonly ManifestFile[]): ManifestDiff {
  const old = new Map(before.map((f) => [f.path, f]));
  const diff: ManifestDiff = { added: [], changed: [], removed: [] };
  const seen = new Set<string>();
  for (const f of after) {
    seen.add(f.path);
    const prev = old.get(f.path);
    if (!prev) diff.added.push(f);
    else if (prev.sha256 !== f.sha256 || prev.size !== f.size) diff.changed.push(f);
  }
  for (const f of before) if (!seen.has(f.path)) diff.removed.push(f);
  return diff;
}
