// Terminal columns a string takes: East Asian wide and fullwidth characters and emoji take two,
// combining marks and zero-width characters none. Close enough to fit tables; cli-table3 (through
// string-width) does the exact padding.

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (ZERO_WIDTH.test(ch) || ch < ' ') continue;
    width += WIDE.test(ch) ? 2 : 1;
  }
  return width;
}
