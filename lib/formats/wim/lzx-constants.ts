// LZX as WIM uses it: one independent LZX stream per chunk of at most 32 KiB (window order 15).
// Numbers from the LZX format (MS-PATCH "LZX DELTA", wimlib lzx_constants.h) restricted to WIM.

/** Largest chunk an LZX stream in a WIM holds (the window). */
export const LZX_WINDOW_SIZE = 32768;
/** Offset slots a 32 KiB window needs. */
export const LZX_NUM_OFFSET_SLOTS = 30;
/** Literal symbols 0..255 at the head of the main code. */
export const LZX_NUM_CHARS = 256;
/** Length headers per offset slot: 0..6 are lengths 2..8, 7 says "a length symbol follows". */
export const LZX_NUM_LEN_HEADERS = 8;
export const LZX_NUM_PRIMARY_LENS = 7;
/** Main code: literals then (slot, length header) pairs. */
export const LZX_MAIN_SYMBOLS = LZX_NUM_CHARS + LZX_NUM_OFFSET_SLOTS * LZX_NUM_LEN_HEADERS; // 496
export const LZX_LENGTH_SYMBOLS = 249;
export const LZX_ALIGNED_SYMBOLS = 8;
export const LZX_PRECODE_SYMBOLS = 20;

export const LZX_MIN_MATCH = 2;
export const LZX_MAX_MATCH = LZX_MIN_MATCH + LZX_NUM_PRIMARY_LENS + LZX_LENGTH_SYMBOLS - 1; // 257
/** Real offsets are stored +2 ("formatted"); slot 29's top value 32767 is real offset 32765. */
export const LZX_OFFSET_ADJUSTMENT = 2;
export const LZX_MAX_OFFSET = 32765;

/** Code length limits a decoder accepts (the format's), and the ones our encoder builds. */
export const LZX_MAX_MAIN_LEN = 16;
export const LZX_MAX_LENGTH_LEN = 16;
export const LZX_MAX_PRECODE_LEN = 15;
export const LZX_MAX_ALIGNED_LEN = 7;

/** Block types, 3 bits. */
export const LZX_BLOCK_VERBATIM = 1;
export const LZX_BLOCK_ALIGNED = 2;
export const LZX_BLOCK_UNCOMPRESSED = 3;
/** Block size field: 1 bit "default size", else 16 bits of size. */
export const LZX_DEFAULT_BLOCK_SIZE = 32768;
export const LZX_BLOCK_TYPE_BITS = 3;
export const LZX_BLOCK_SIZE_BITS = 16;
/** Aligned code lengths: 8 × 3 bits; precode lengths: 20 × 4 bits. */
export const LZX_ALIGNED_LEN_BITS = 3;
export const LZX_PRECODE_LEN_BITS = 4;
/** Low offset bits an aligned block codes with the aligned code (slots with ≥ 3 extra bits). */
export const LZX_ALIGNED_OFFSET_BITS = 3;
export const LZX_NUM_RECENT_OFFSETS = 3;

/** Precode run symbols: 17 = 4+(4 bits) zeros, 18 = 20+(5 bits) zeros, 19 = 4+(1 bit) same. */
export const LZX_PRE_ZEROS_SHORT = 17;
export const LZX_PRE_ZEROS_LONG = 18;
export const LZX_PRE_SAME = 19;

/** E8 translation: positions are chunk-relative, against a fixed "file size" of 12,000,000. */
export const LZX_E8_FILE_SIZE = 12_000_000;

/** Formatted offset base of each slot (real offset = formatted − 2; slots 0..2 are R0..R2). */
export const LZX_SLOT_BASE: Uint32Array = new Uint32Array(LZX_NUM_OFFSET_SLOTS);
/** Extra (verbatim or aligned) offset bits of each slot. */
export const LZX_SLOT_EXTRA_BITS: Uint8Array = new Uint8Array(LZX_NUM_OFFSET_SLOTS);
{
  let base = 0;
  for (let slot = 0; slot < LZX_NUM_OFFSET_SLOTS; slot++) {
    // 0,0,0,0,1,1,2,2,3,3,... : two slots per extra-bit count after the first four
    const extra = slot < 4 ? 0 : (slot >> 1) - 1;
    LZX_SLOT_BASE[slot] = base;
    LZX_SLOT_EXTRA_BITS[slot] = extra;
    base += 1 << extra;
  }
}

/** Slot of a formatted offset (offset + 2, 3..32767), by table for the small ones. */
const SMALL_SLOT = new Uint8Array(1024);
{
  let slot = 0;
  for (let f = 0; f < SMALL_SLOT.length; f++) {
    while (slot + 1 < LZX_NUM_OFFSET_SLOTS && LZX_SLOT_BASE[slot + 1]! <= f) slot++;
    SMALL_SLOT[f] = slot;
  }
}

export function offsetSlot(formatted: number): number {
  if (formatted < 1024) return SMALL_SLOT[formatted]!;
  // Above 4: slot = 2·floor(log2 f) + (second-highest bit)
  const log = 31 - Math.clz32(formatted);
  return 2 * log + ((formatted >>> (log - 1)) & 1);
}
