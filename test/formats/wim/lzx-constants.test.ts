import test from 'ava';
import {
  LZX_MAIN_SYMBOLS, LZX_MAX_OFFSET, LZX_NUM_OFFSET_SLOTS, LZX_OFFSET_ADJUSTMENT, LZX_SLOT_BASE, LZX_SLOT_EXTRA_BITS, offsetSlot,
} from '../../../lib/formats/wim/lzx-constants.js';

test('offset slots match the format tables (real-offset bases and extra bits)', (t) => {
  t.is(LZX_NUM_OFFSET_SLOTS, 30);
  t.is(LZX_MAIN_SYMBOLS, 496);
  // research wim-format.md §1.13: real-offset bases of slots 3..29 and extra bits of slots 0..29
  const realBases = [1, 2, 4, 6, 10, 14, 22, 30, 46, 62, 94, 126, 190, 254, 382, 510, 766, 1022, 1534, 2046, 3070, 4094, 6142,
    8190, 12286, 16382, 24574];
  const extra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  t.deepEqual([...LZX_SLOT_BASE.subarray(3)].map((b) => b - LZX_OFFSET_ADJUSTMENT), realBases);
  t.deepEqual([...LZX_SLOT_EXTRA_BITS], extra);
  // the largest offset slot 29 can carry
  t.is(LZX_SLOT_BASE[29]! + (1 << 13) - 1 - LZX_OFFSET_ADJUSTMENT, LZX_MAX_OFFSET);
});

test('offsetSlot puts every formatted offset in the slot whose range holds it', (t) => {
  let bad = 0;
  for (let f = 3; f <= LZX_MAX_OFFSET + LZX_OFFSET_ADJUSTMENT; f++) {
    const s = offsetSlot(f);
    if (s < 3 || s >= LZX_NUM_OFFSET_SLOTS || f < LZX_SLOT_BASE[s]! || f >= LZX_SLOT_BASE[s]! + (1 << LZX_SLOT_EXTRA_BITS[s]!)) bad++;
  }
  t.is(bad, 0);
});
