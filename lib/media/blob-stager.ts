// Edge: content-library blobs out to plain files, each at most once per build session, its
// SHA-256 checked as it is written. Media trees are then made of hard links to these files, so a
// file held by several content items or several media (a bulk build) is read and hashed once,
// and the ISO writer stores linked files once.
import { createHash } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../errors.js';
import { packsDir } from '../content/library.js';
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
    if (!/^pack-[0-9a-f-]+\.pack$/.test(loc.pack)) throw new TsmediaError('ELIBRARY_CORRUPT', `The catalog names a pack '${loc.pack}' that is not a library pack name.`);
    return { source: join(packsDir(this.home), loc.pack), offset: loc.offset };
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
    const pack = this.packRange(loc);
    this.count(loc);
    const out = join(this.dir, loc.sha256);
    const tmp = `${out}.part`;
    let src: number;
    try {
      src = openSync(pack.source, 'r');
    } catch {
      throw new TsmediaError('ELIBRARY_MISSING', `The content library lacks pack ${loc.pack}; the library under ${this.home} was changed outside tsmedia.`, { pack: loc.pack });
    }
    const dst = openSync(tmp, 'w');
    try {
      const hash = createHash('sha256');
      let done = 0;
      while (done < loc.size) {
        if (signal?.aborted) throw new TsmediaError('EABORTED', 'The media build was interrupted.');
        const n = readSync(src, this.buffer, 0, Math.min(COPY_BUFFER, loc.size - done), loc.offset + done);
        if (n === 0) break;
        const slice = this.buffer.subarray(0, n);
        hash.update(slice);
        writeSync(dst, slice);
        done += n;
        this.bytesStaged += n;
      }
      if (done !== loc.size || hash.digest('hex') !== loc.sha256) {
        throw new TsmediaError('ELIBRARY_CORRUPT', `Blob ${loc.sha256} in pack ${loc.pack} does not match its hash; the content library is damaged. Re-import the content (Update-CMContent) from its source.`, { sha256: loc.sha256 });
      }
    } catch (e) {
      closeSync(dst);
      rmSync(tmp, { force: true });
      throw e;
    } finally {
      closeSync(src);
    }
    closeSync(dst);
    renameSync(tmp, out);
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
