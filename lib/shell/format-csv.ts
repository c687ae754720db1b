// Csv output, RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, a quote
// or a line break. Nested values are written as compact JSON so they survive a round trip. Pure.
import { toJson } from './format-json.js';
import { isRecord, propertyNames, toResults, valueText } from './format-value.js';

const CRLF = '\r\n';

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function fieldText(v: unknown): string {
  if (Array.isArray(v) || isRecord(v) || v instanceof Map || v instanceof Set) return toJson(v, 0);
  return valueText(v);
}

export function formatCsv(result: unknown): string {
  const { items } = toResults(result);
  if (items.length === 0) return '';
  const records = items.every(isRecord);
  const columns = records ? propertyNames(items) : ['Value'];
  const lines = [columns.map(csvField).join(',')];
  for (const item of items) {
    const cells = records ? columns.map((c) => fieldText((item as Record<string, unknown>)[c])) : [fieldText(item)];
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join(CRLF) + CRLF;
}
