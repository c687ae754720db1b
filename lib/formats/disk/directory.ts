// A directory's clusters: '.' and '..' (not in the root), then for each record its LFN entries
// and 8.3 entry, then zeros (a first byte of 0 ends the directory).
import { DIR_ENTRY_SIZE, ATTR_DIRECTORY, encodeShortEntry, type FatTimestamp } from './dir-entry.js';
import { encodeLongEntries, lfnChecksum } from './long-names.js';
import type { PlanDir } from './layout.js';

const DOT = Buffer.from('.          ', 'latin1');
const DOTDOT = Buffer.from('..         ', 'latin1');

/** Encodes `dir` into `out` (at least dir.clusters × clusterSize bytes, zero-filled here). */
export function encodeDirectory(dir: PlanDir, stamp: FatTimestamp, out: Buffer): void {
  out.fill(0);
  let at = 0;
  if (dir.parentCluster !== undefined) {
    encodeShortEntry({ name: DOT, attr: ATTR_DIRECTORY, caseFlags: 0, firstCluster: dir.firstCluster, size: 0 }, stamp, out, at);
    at += DIR_ENTRY_SIZE;
    encodeShortEntry({ name: DOTDOT, attr: ATTR_DIRECTORY, caseFlags: 0, firstCluster: dir.parentCluster, size: 0 }, stamp, out, at);
    at += DIR_ENTRY_SIZE;
  }
  for (const r of dir.records) {
    if (r.long !== undefined) at += encodeLongEntries(r.long, lfnChecksum(r.short), out, at);
    encodeShortEntry({ name: r.short, attr: r.attr, caseFlags: 0, firstCluster: r.firstCluster, size: r.size }, stamp, out, at);
    at += DIR_ENTRY_SIZE;
  }
}
