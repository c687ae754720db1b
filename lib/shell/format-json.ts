// Json output: exactly one JSON document. Dates become ISO strings, bigints numbers when they are
// safe and strings otherwise, byte arrays base64. Pure.
import { toResults } from './format-value.js';

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  // Buffer.toJSON runs before the replacer and gives { type: 'Buffer', data: [...] }
  if (isBufferJson(value)) return Buffer.from(value.data).toString('base64');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data) && Object.keys(v).length === 2;
}

/** Any value as JSON text (`indent` 0 for one line). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value === undefined ? null : value, replacer, indent) ?? 'null';
}

/** A cmdlet's result: an array stays an array, one object stays an object, nothing is null. */
export function formatJson(result: unknown, indent = 2): string {
  const r = toResults(result);
  const doc = r.many ? r.items : r.items.length === 0 ? null : r.items[0];
  return toJson(doc, indent) + '\n';
}
