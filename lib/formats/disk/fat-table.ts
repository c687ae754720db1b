// The file allocation table (FAT32: 28-bit entries in 4 bytes). The writer's plan stores every
// file and directory as one contiguous run of clusters, so the table is generated from the sorted
// list of run ends (entry = next cluster inside a run, end-of-chain at its end) in chunks, never
// held whole in memory. The reader decodes single entries.

export const FAT_ENTRY_SIZE = 4;                 // bytes per FAT32 entry
export const FAT_MASK = 0x0fffffff;              // the top 4 bits are reserved
export const FAT_FREE = 0;
export const FAT_BAD = 0x0ffffff7;
export const FAT_EOC_MIN = 0x0ffffff8;           // any value from here on ends a chain
export const FAT_EOC = 0x0fffffff;               // what we write at a chain's end
export const FIRST_DATA_CLUSTER = 2;
/** FAT32 needs at least this many clusters (fewer makes it FAT16 by definition). */
export const MIN_FAT32_CLUSTERS = 65525;
/** The most clusters a FAT32 volume can number (entries up to 0x0FFFFFF6). */
export const MAX_FAT32_CLUSTERS = 0x0ffffff5;

/**
 * Generates FAT bytes for a volume whose used clusters [2, usedEnd) are contiguous runs that end at
 * `runEnds` (ascending, last cluster of each run). Entry 0 carries the media byte, entry 1 is
 * end-of-chain, entries from usedEnd on are free.
 */
export class FatGenerator {
  private cursor = 0;
  private cursorEntry = 0;

  constructor(private readonly runEnds: Uint32Array, readonly usedEnd: number, private readonly media: number) {}

  /** Fills `out` (a multiple of 4 bytes) with the entries from `firstEntry` on. */
  fill(out: Buffer, firstEntry: number): void {
    if (firstEntry < this.cursorEntry) { this.cursor = 0; this.cursorEntry = 0; }
    const count = out.length / FAT_ENTRY_SIZE;
    let k = this.cursor;
    for (let i = 0; i < count; i++) {
      const n = firstEntry + i;
      let v: number;
      if (n === 0) v = 0x0fffff00 | this.media;
      else if (n === 1) v = FAT_EOC;
      else if (n >= this.usedEnd) v = FAT_FREE;
      else {
        while (k < this.runEnds.length && (this.runEnds[k] ?? 0) < n) k++;
        v = this.runEnds[k] === n ? FAT_EOC : n + 1;
      }
      out.writeUInt32LE(v, i * FAT_ENTRY_SIZE);
    }
    this.cursor = k;
    this.cursorEntry = firstEntry + count;
  }
}

export type FatEntryKind = 'free' | 'next' | 'bad' | 'end' | 'reserved';

/** What a raw FAT32 entry means, given the number of clusters on the volume. */
export function classifyFatEntry(raw: number, clusterCount: number): FatEntryKind {
  const v = raw & FAT_MASK;
  if (v === FAT_FREE) return 'free';
  if (v >= FAT_EOC_MIN) return 'end';
  if (v === FAT_BAD) return 'bad';
  if (v >= FIRST_DATA_CLUSTER && v < clusterCount + FIRST_DATA_CLUSTER) return 'next';
  return 'reserved';
}
