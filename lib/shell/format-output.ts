// Picks the formatter for -OutputFormat. Pure.
import type { OutputFormat } from './common-parameters.js';
import { formatCsv } from './format-csv.js';
import { formatJson } from './format-json.js';
import { formatList } from './format-list.js';
import { formatTable } from './format-table.js';

export interface OutputOptions {
  format: OutputFormat;
  /** The cmdlet's defaultView (Table only: the other formats show every property). */
  columns?: readonly string[] | undefined;
  width: number;
  color: boolean;
  /** Json indent: 2 for one command, 0 in scripts (one document per line: JSON Lines). */
  jsonIndent?: number;
}

export function formatOutput(result: unknown, opts: OutputOptions): string {
  switch (opts.format) {
    case 'Table': return formatTable(result, { columns: opts.columns, width: opts.width, color: opts.color });
    case 'List': return formatList(result, opts.color);
    case 'Json': return formatJson(result, opts.jsonIndent ?? 2);
    case 'Csv': return formatCsv(result);
  }
}
