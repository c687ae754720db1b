// Edge: content-library blobs out to plain files, each at most once per build session, its
// SHA-256 checked as it is written. Media trees are then made of hard links to these files, so a
// file held by several content items or several media (a bulk build) is read and hashed once,
// and the ISO writer stores linked files once.
import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyBlobToFile, packPath } from '../content/library.js';
import type { BlobLocation } from '../content/library.js';

const COPY_BUFFER = 1 << 20;

/** What a stager has read and checked: each distinct blob once, whatever the media count. */
export interface StagerStats {
  /** SHA-256 checks of library blobs: staged copies, and pack ranges handed to a writer to check. */
  blobChecks: number;
  /** Distinct blobs checked. */
  distinctBlobs: number;
  bytesChecked: number;
}

export class BlobStager {
  private readonly done = new Map<string, string>();
  /** Blobs whose bytes in their pack matched their SHA-256 during this session. */
  private readonly verified = new Set<string>();
  private readonly buffer = Buffer.allocUnsafe(COPY_BUFFER);
  /** Bytes read from the library so far (for progress). */
  bytesStaged = 0;
  private readonly counts: StagerStats = { blobChecks: 0, distinctBlobs: 0, bytesChecked: 0 };
  private readonly counted = new Set<string>();

  /** `dir` is created and owned by the stager; dispose() removes it. */
  constructor(private readonly home: string, readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Where the blob's bytes are in the library: a pack file and the offset of the first byte. */
  packRange(loc: BlobLocation): { source: string; offset: number } {
    return { source: packPath(this.home, loc.pack), offset: loc.offset };
  }

  /**
   * The SHA-256 a writer that reads the blob straight from its pack must check, or undefined when
   * this session has already checked those bytes (a bulk build's second medium holding it).
   */
  rangeCheck(loc: BlobLocation): string | undefined {
    if (this.verified.has(loc.sha256)) return undefined;
    this.count(loc);
    return loc.sha256;
  }

  /** The writer checked these pack ranges (its output is whole): later media trust them. */
  markVerified(sha256s: Iterable<string>): void {
    for (const h of sha256s) this.verified.add(h);
  }

  stats(): StagerStats {
    return { ...this.counts };
  }

  private count(loc: BlobLocation): void {
    this.counts.blobChecks++;
    this.counts.bytesChecked += loc.size;
    if (!this.counted.has(loc.sha256)) { this.counted.add(loc.sha256); this.counts.distinctBlobs++; }
  }

  /** The path of a verified copy of the blob (made on first use). */
  path(loc: BlobLocation, signal?: AbortSignal): string {
    const known = this.done.get(loc.sha256);
    if (known) return known;
    this.count(loc);
    const out = join(this.dir, loc.sha256);
    copyBlobToFile(this.home, loc, out, { buffer: this.buffer, ...(signal ? { signal } : {}), onBytes: (n) => { this.bytesStaged += n; } });
    this.done.set(loc.sha256, out);
    this.verified.add(loc.sha256);
    return out;
  }

  /** Puts the blob at `target` as a hard link to the staged copy. */
  linkInto(loc: BlobLocation, target: string, signal?: AbortSignal): void {
    linkSync(this.path(loc, signal), target);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.done.clear();
    this.verified.clear();
  }
}
