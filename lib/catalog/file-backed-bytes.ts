// A read-only database file that sql.js reads page by page from disk.
//
// sql.js keeps a database in its in-memory file system and has no file-system hook: opened from a
// Uint8Array, a 120 MB catalog is read and copied whole (0.35 s, mostly page faults) before a
// query that looks at a few MB. Its MEMFS stores the array it is given and reads every page
// through `contents.subarray(begin, end)`, so an object that answers subarray() from the file
// gives SQLite the pages it asks for, read when it asks. This relies on sql.js's MEMFS, so the
// sql.js version is pinned and test/catalog/catalog-reads-pages-on-demand checks it still holds.
//
// The file descriptor is the snapshot: the catalog is only ever replaced by rename, so an open
// descriptor keeps reading the catalog as it was when opened, whatever writers do meanwhile.
import { closeSync, readSync } from 'node:fs';
import { TsmediaError } from '../errors.js';

export class FileBackedBytes {
  readonly BYTES_PER_ELEMENT = 1;
  /** Bytes read from the file so far (tests check that a reader does not read everything). */
  bytesRead = 0;
  #fd: number | undefined;

  constructor(fd: number, readonly length: number) {
    this.#fd = fd;
  }

  subarray(begin = 0, end = this.length): Uint8Array {
    if (this.#fd === undefined) throw new Error('read from a closed catalog snapshot');
    const from = Math.max(0, begin);
    const to = Math.min(this.length, end);
    const out = Buffer.allocUnsafe(Math.max(0, to - from));
    for (let done = 0; done < out.length;) {
      const n = readSync(this.#fd, out, done, out.length - done, from + done);
      if (n === 0) throw new TsmediaError('ECATALOG_CORRUPT', 'The catalog file is shorter than when it was opened: something other than tsmedia truncated it.');
      done += n;
    }
    this.bytesRead += out.length;
    return out;
  }

  /** MEMFS takes its copy of the file with slice(0, length): the copy is this object. */
  slice(begin = 0, end = this.length): Uint8Array | FileBackedBytes {
    return begin === 0 && end >= this.length ? this : this.subarray(begin, end);
  }

  /** A write would land here; catalog snapshots opened this way are for reading only. */
  set(): never {
    throw new TsmediaError('ECATALOG_READONLY', 'A catalog reader tried to change the catalog; changes go through writeCatalog.');
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
