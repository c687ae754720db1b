// Table output, as PowerShell's Format-Table: no borders, a `----` rule under each header as long
// as the header, numbers right-aligned, columns fitted to the terminal width. Drawn by cli-table3
// with its borders blanked and its colours off (it colours pipes too); colour is ours, TTY only.
// Pure: the caller passes the width and whether to colour.
import { createRequire } from 'node:module';
import type TableType from 'cli-table3';
import { displayWidth } from './display-width.js';
import { ENUMERATION_LIMIT, isNumeric, isRecord, propertyNames, toResults, valueText } from './format-value.js';

export interface TableOptions {
  /** The cmdlet's defaultView: the columns to show. All properties when absent. */
  columns?: readonly string[] | undefined;
  /** Terminal columns (120 when stdout is not a terminal). */
  width: number;
  color: boolean;
}

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
};
/** PowerShell 7's $PSStyle.Formatting.TableHeader: bold green. */
const HEADER_ON = '\x1b[32;1m';
const RESET = '\x1b[0m';
/** Narrowest a column shrinks to: one character and the ellipsis. */
const MIN_COLUMN = 2;

/** Shrinks the widest columns until the row fits in `available` columns (separators included). */
export function fitWidths(natural: readonly number[], available: number): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + Math.max(0, widths.length - 1);
  while (total() > available) {
    let widest = 0;
    widths.forEach((w, i) => { if (w > (widths[widest] ?? 0)) widest = i; });
    if ((widths[widest] ?? 0) <= MIN_COLUMN) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

// cli-table3 (CommonJS) is required on first use: Json and Csv output start faster without it
const require = createRequire(import.meta.url);
let Table: typeof TableType | undefined;

export function formatTable(result: unknown, opts: TableOptions): string {
  const { items } = toResults(result);
  if (items.length === 0) return '';
  if (!items.every(isRecord)) return items.map((i) => valueText(i, ENUMERATION_LIMIT)).join('\n') + '\n';
  const columns = opts.columns && opts.columns.length > 0 ? [...opts.columns] : propertyNames(items);
  if (columns.length === 0) return '';
  const cells = items.map((item) => columns.map((c) => valueText(item[c], ENUMERATION_LIMIT).replace(/[\r\n]+/g, ' ')));
  const numeric = columns.map((c) => {
    const values = items.map((item) => item[c]).filter((v) => v !== undefined && v !== null && v !== '');
    return values.length > 0 && values.every(isNumeric);
  });
  const natural = columns.map((c, i) => Math.max(displayWidth(c), ...cells.map((row) => displayWidth(row[i] ?? ''))));
  // one column spare: a line exactly as wide as the terminal wraps on some of them
  const widths = fitWidths(natural, Math.max(1, opts.width - 1));
  const paint = (s: string): string => (opts.color ? `${HEADER_ON}${s}${RESET}` : s);
  Table ??= require('cli-table3') as typeof TableType;
  const table = new Table({
    head: columns.map(paint),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: widths,
    colAligns: numeric.map((n) => (n ? 'right' : 'left')),
    truncate: '…',
  });
  table.push(columns.map((c, i) => paint('-'.repeat(Math.min(displayWidth(c), widths[i] ?? 1)))));
  for (const row of cells) table.push(row);
  const lines = table.toString().split('\n').map((l) => l.trimEnd());
  return `\n${lines.join('\n')}\n\n`;
}
