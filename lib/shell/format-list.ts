// List output, as Format-List: one `Name : value` line per property, names padded to one width,
// a blank line around each object. Continuation lines of a multi-line value line up under it. Pure.
import { isRecord, propertyNames, toResults, valueText } from './format-value.js';

export function formatList(result: unknown, color = false): string {
  const { items } = toResults(result);
  if (items.length === 0) return '';
  const out: string[] = [''];
  for (const item of items) {
    if (!isRecord(item)) { out.push(valueText(item)); continue; }
    const names = propertyNames([item]);
    const width = Math.max(...names.map((n) => n.length));
    for (const name of names) {
      const label = name.padEnd(width);
      const lines = valueText(item[name]).split(/\r?\n/);
      const head = color ? `\x1b[32;1m${label} :\x1b[0m` : `${label} :`;
      out.push(`${head} ${lines[0] ?? ''}`.trimEnd());
      for (const more of lines.slice(1)) out.push(`${' '.repeat(width + 3)}${more}`.trimEnd());
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}
