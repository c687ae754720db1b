import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { TsmediaError } from '../../lib/errors.js';
import {
  ContentDecryptor, ContentEncryptor, createDecryptStream, createEncryptStream, encryptedSize, ENC_HEADER_SIZE,
} from '../../lib/media/content-encryption.js';
import { deriveMediaKey, mediaSalt } from '../../lib/media/media-key.js';

const key = deriveMediaKey('content pw', mediaSalt('content-test'));
const otherKey = deriveMediaKey('other pw', mediaSalt('content-test'));
const CHUNK = 64 * 1024;
const MARKER = 'TSMEDIA-CONTENT-MARKER-93b1';

/** Synthetic file data: a marker repeated through pseudo-random bytes, so a clear copy would show. */
function sample(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  for (let i = 0; i + MARKER.length <= size; i += 5000) out.write(MARKER, i, 'latin1');
  return out;
}

function info(data: Buffer): { sha256: string; size: number } {
  return { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

/** Feeds data in uneven slices to show chunking does not depend on how bytes arrive. */
function run(engine: { push(d: Uint8Array): Buffer[]; finish(): Buffer[] }, data: Buffer, step: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += step) out.push(...engine.push(data.subarray(i, i + step)));
  out.push(...engine.finish());
  return Buffer.concat(out);
}

async function viaStreams(data: Buffer, transform: import('node:stream').Transform): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), transform, new Writable({
    write(c: Buffer, _e, cb) { out.push(c); cb(); },
  }));
  return Buffer.concat(out);
}

test('files of every boundary size round-trip and have the planned size', (t) => {
  for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17]) {
    const data = sample(size, size + 1);
    const enc = run(new ContentEncryptor(key, info(data), CHUNK), data, 7777);
    t.is(enc.length, encryptedSize(size, CHUNK), `size ${size}`);
    t.true(run(new ContentDecryptor(key), enc, 4099).equals(data), `size ${size}`);
  }
});

test('the stream forms round-trip through a pipeline (1 MiB chunks)', async (t) => {
  const data = sample(2.5 * 1024 * 1024);
  const enc = await viaStreams(data, createEncryptStream(key, info(data)));
  t.is(enc.length, encryptedSize(data.length));
  t.true((await viaStreams(enc, createDecryptStream(key))).equals(data));
});

test('the marker is not in the clear in encrypted content', (t) => {
  const data = sample(300_000);
  t.true(data.includes(MARKER));
  const enc = run(new ContentEncryptor(key, info(data), CHUNK), data, 65536);
  t.false(enc.includes(MARKER));
});

test('encryption is deterministic; different files use different keys', (t) => {
  const a = sample(200_000, 1);
  const b = sample(200_000, 2);
  const ea = run(new ContentEncryptor(key, info(a), CHUNK), a, 1 << 20);
  t.true(ea.equals(run(new ContentEncryptor(key, info(a), CHUNK), a, 333)));
  const eb = run(new ContentEncryptor(key, info(b), CHUNK), b, 1 << 20);
  // same chunk index and nonce, different file: the keystreams must differ (XOR of ciphertexts ≠ XOR of plaintexts)
  const x1 = Buffer.alloc(64);
  const x2 = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) {
    x1[i] = ea[ENC_HEADER_SIZE + i]! ^ eb[ENC_HEADER_SIZE + i]!;
    x2[i] = a[i]! ^ b[i]!;
  }
  t.false(x1.equals(x2));
});

test('tampering, truncation, reordering, trailing bytes and a wrong key are all refused', (t) => {
  const data = sample(3 * CHUNK + 5);
  const enc = run(new ContentEncryptor(key, info(data), CHUNK), data, 1 << 20);
  const frame = CHUNK + 16;
  const cases: Array<[string, Buffer, RegExp]> = [];
  for (const off of [10, 30, ENC_HEADER_SIZE + 5, ENC_HEADER_SIZE + frame + 9, enc.length - 1]) {
    const bad = Buffer.from(enc);
    bad[off]! ^= 0x80;
    cases.push([`bit at ${off}`, bad, /./]);
  }
  // cut after a whole chunk: every remaining chunk authenticates, only the final flag is missing
  cases.push(['truncated at a chunk boundary', enc.subarray(0, ENC_HEADER_SIZE + frame), /truncated/]);
  cases.push(['truncated mid-chunk', enc.subarray(0, enc.length - 3), /truncated/]);
  const swapped = Buffer.concat([enc.subarray(0, ENC_HEADER_SIZE), enc.subarray(ENC_HEADER_SIZE + frame, ENC_HEADER_SIZE + 2 * frame), enc.subarray(ENC_HEADER_SIZE, ENC_HEADER_SIZE + frame), enc.subarray(ENC_HEADER_SIZE + 2 * frame)]);
  cases.push(['chunks swapped', swapped, /authentication/]);
  cases.push(['trailing byte', Buffer.concat([enc, Buffer.from([0])]), /follow the final chunk/]);
  for (const [name, bad, msg] of cases) {
    const err = t.throws<TsmediaError>(() => run(new ContentDecryptor(key), bad, 5000), undefined, name);
    t.regex(err?.message ?? '', msg, name);
    t.is(err?.name, 'FormatError', name);
  }
  t.regex(t.throws<TsmediaError>(() => run(new ContentDecryptor(otherKey), enc, 5000))!.message, /authentication/);
});

test('content that changed since import is refused while encrypting', (t) => {
  const data = sample(1000);
  const changed = Buffer.from(data);
  changed[500]! ^= 1;
  t.is(t.throws<TsmediaError>(() => run(new ContentEncryptor(key, info(data), CHUNK), changed, 100))?.code, 'ECONTENT_CHANGED');
  t.is(t.throws<TsmediaError>(() => run(new ContentEncryptor(key, info(data), CHUNK), data.subarray(0, 999), 100))?.code, 'ESIZE_CHANGED');
  t.is(t.throws<TsmediaError>(() => run(new ContentEncryptor(key, info(data), CHUNK), Buffer.concat([data, data]), 100))?.code, 'ESIZE_CHANGED');
});

test('a hostile header cannot make the decryptor allocate or loop', (t) => {
  const data = sample(10);
  const enc = run(new ContentEncryptor(key, info(data), CHUNK), data, 10);
  const bad = Buffer.from(enc);
  bad.writeUInt32LE(0x7fffffff, 12); // a 2 GiB chunk size
  t.regex(t.throws(() => run(new ContentDecryptor(key), bad, 100))!.message, /chunk size/);
  const huge = Buffer.from(enc);
  huge.writeBigUInt64LE(2n ** 63n, 16);
  t.regex(t.throws(() => run(new ContentDecryptor(key), huge, 100))!.message, /impossible/);
});
