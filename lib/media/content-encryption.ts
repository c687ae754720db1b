// -EncryptContent: content files on the media encrypted under the media key (beyond ConfigMgr,
// which never encrypts packages). Streaming and bounded: framed AES-256-GCM chunks ("STREAM"
// construction), so a writer pipes file data through and memory stays at one chunk.
//
// Encrypted file:
//   offset size  field
//   0      8     magic       'TSMENC01'
//   8      2     version     u16 LE, 1
//   10     2     reserved    0
//   12     4     chunk size  u32 LE, plaintext bytes per chunk (64 KiB .. 16 MiB, power of two)
//   16     8     size        u64 LE, plaintext size
//   24     32    sha256      plaintext SHA-256
//   56     ...   chunks      n = max(1, ceil(size / chunk size)); each is its ciphertext
//                            (a full chunk, or the remainder for the last) followed by a 16-byte tag
//
// Per-file key = HMAC-SHA256(media key 'content/file', sha256 ‖ size): each distinct file content
// gets its own key, so a key only ever meets one plaintext (a rebuild repeats the same bytes).
// Chunk nonce = 7 zero bytes ‖ u32 BE chunk index ‖ final flag (1 on the last chunk): chunks
// cannot be reordered, and cutting the file short loses the final flag. Every chunk authenticates
// the 56-byte header. Equal files give equal ciphertext on one medium: equality leaks, content not.
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CipherGCM, DecipherGCM, Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { FormatError, UsageError } from '../errors.js';
import { subkey } from './media-key.js';
import type { MediaKey } from './media-key.js';

export const ENC_MAGIC = 'TSMENC01';
export const ENC_VERSION = 1;
export const ENC_HEADER_SIZE = 56;
export const ENC_TAG_SIZE = 16;
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;
const MAX_CHUNKS = 2 ** 32;
const FORMAT = 'encrypted content';

const OFF_MAGIC = 0;    // magic       8 bytes
const OFF_VERSION = 8;  // version     2 bytes
const OFF_CHUNK = 12;   // chunk size  4 bytes
const OFF_SIZE = 16;    // size        8 bytes
const OFF_SHA = 24;     // sha256     32 bytes

export interface ContentFileInfo {
  /** Plaintext SHA-256, lower-case hex (from the content manifest). */
  sha256: string;
  size: number;
}

function chunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK || (chunkSize & (chunkSize - 1)) !== 0) {
    throw new UsageError('EBAD_CHUNK_SIZE', `Chunk size ${chunkSize} must be a power of two from ${MIN_CHUNK} to ${MAX_CHUNK} bytes.`);
  }
}

/** The size of a file once encrypted: what the media plan reserves for it. */
export function encryptedSize(size: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  checkChunkSize(chunkSize);
  return ENC_HEADER_SIZE + size + chunkCount(size, chunkSize) * ENC_TAG_SIZE;
}

function fileKey(key: MediaKey, sha: Buffer, size: number): Buffer {
  const sizeBytes = Buffer.alloc(8);
  sizeBytes.writeBigUInt64LE(BigInt(size));
  return createHmac('sha256', subkey(key, 'content/file')).update(sha).update(sizeBytes).digest();
}

function nonce(index: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);   // 7 zero bytes, u32 BE index, final flag
  n.writeUInt32BE(index, 7);
  n[11] = final ? 1 : 0;
  return n;
}

function makeHeader(info: ContentFileInfo, chunkSize: number): Buffer {
  if (!/^[0-9a-f]{64}$/.test(info.sha256)) throw new UsageError('EBAD_SHA256', `'${info.sha256}' is not a lower-case hex SHA-256.`);
  if (!Number.isSafeInteger(info.size) || info.size < 0) throw new UsageError('EBAD_SIZE', `File size ${info.size} is not a byte count.`);
  const h = Buffer.alloc(ENC_HEADER_SIZE);
  h.write(ENC_MAGIC, OFF_MAGIC, 'latin1');
  h.writeUInt16LE(ENC_VERSION, OFF_VERSION);
  h.writeUInt32LE(chunkSize, OFF_CHUNK);
  h.writeBigUInt64LE(BigInt(info.size), OFF_SIZE);
  Buffer.from(info.sha256, 'hex').copy(h, OFF_SHA);
  return h;
}

/** Encrypts a file's bytes as they arrive: push() any slices, then finish(). */
export class ContentEncryptor {
  private readonly key: Buffer;
  private readonly header: Buffer;
  private readonly chunks: number;
  private readonly pending: Buffer;
  private fill = 0;
  private index = 0;
  private seen = 0;
  private readonly hash: Hash = createHash('sha256');
  private started = false;

  constructor(mediaKey: MediaKey, private readonly info: ContentFileInfo, private readonly chunkSize = DEFAULT_CHUNK_SIZE) {
    checkChunkSize(chunkSize);
    this.header = makeHeader(info, chunkSize);
    this.chunks = chunkCount(info.size, chunkSize);
    if (this.chunks > MAX_CHUNKS) throw new UsageError('EBAD_SIZE', 'The file is too large for this chunk size.');
    this.key = fileKey(mediaKey, Buffer.from(info.sha256, 'hex'), info.size);
    this.pending = Buffer.allocUnsafe(chunkSize);
  }

  private sealChunk(data: Buffer, out: Buffer[]): void {
    const final = this.index === this.chunks - 1;
    const c: CipherGCM = createCipheriv('aes-256-gcm', this.key, nonce(this.index, final));
    c.setAAD(this.header);
    out.push(c.update(data), c.final(), c.getAuthTag());
    this.index++;
  }

  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) { out.push(this.header); this.started = true; }
    if (this.seen + data.length > this.info.size) throw new UsageError('ESIZE_CHANGED', `The file grew past its recorded ${this.info.size} bytes while being encrypted; the content changed since import.`);
    this.hash.update(data);
    let off = 0;
    while (off < data.length) {
      // a full chunk is sealed only once more data follows, so the last one carries the final flag
      if (this.fill === this.chunkSize) {
        this.sealChunk(this.pending, out);
        this.fill = 0;
      }
      const n = Math.min(this.chunkSize - this.fill, data.length - off);
      this.pending.set(data.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
    }
    this.seen += data.length;
    return out;
  }

  finish(): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) { out.push(this.header); this.started = true; }
    if (this.seen !== this.info.size) throw new UsageError('ESIZE_CHANGED', `The file has ${this.seen} bytes, not its recorded ${this.info.size}; the content changed since import.`);
    if (this.hash.digest('hex') !== this.info.sha256) throw new UsageError('ECONTENT_CHANGED', 'The file\'s SHA-256 differs from the recorded one; the content changed since import.');
    this.sealChunk(this.pending.subarray(0, this.fill), out);
    return out;
  }
}

/** Decrypts an encrypted content file as its bytes arrive; finish() detects truncation. */
export class ContentDecryptor {
  private header: Buffer | undefined;
  private headerFill = 0;
  private readonly headerBuf = Buffer.alloc(ENC_HEADER_SIZE);
  private key: Buffer | undefined;
  private size = 0;
  private chunkSize = 0;
  private chunks = 0;
  private index = 0;
  private frame: Buffer = Buffer.alloc(0);
  private fill = 0;
  private readonly hash: Hash = createHash('sha256');
  private sha = Buffer.alloc(0);

  constructor(private readonly mediaKey: MediaKey) {}

  private frameLength(i: number): number {
    const body = i === this.chunks - 1 ? this.size - (this.chunks - 1) * this.chunkSize : this.chunkSize;
    return body + ENC_TAG_SIZE;
  }

  private readHeader(): void {
    const h = this.headerBuf;
    if (h.toString('latin1', OFF_MAGIC, OFF_MAGIC + 8) !== ENC_MAGIC) throw new FormatError(FORMAT, 'not a tsmedia encrypted content file (magic missing).');
    if (h.readUInt16LE(OFF_VERSION) !== ENC_VERSION) throw new FormatError(FORMAT, `version ${h.readUInt16LE(OFF_VERSION)} is not supported.`);
    const chunkSize = h.readUInt32LE(OFF_CHUNK);
    try { checkChunkSize(chunkSize); } catch { throw new FormatError(FORMAT, `chunk size ${chunkSize} is out of range.`); }
    const size = h.readBigUInt64LE(OFF_SIZE);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(FORMAT, 'the recorded size is impossible.');
    this.size = Number(size);
    this.chunkSize = chunkSize;
    this.chunks = chunkCount(this.size, chunkSize);
    if (this.chunks > MAX_CHUNKS) throw new FormatError(FORMAT, 'the recorded size needs too many chunks.');
    this.sha = Buffer.from(h.subarray(OFF_SHA, OFF_SHA + 32));
    this.key = fileKey(this.mediaKey, this.sha, this.size);
    this.header = Buffer.from(h);
    this.frame = Buffer.allocUnsafe(chunkSize + ENC_TAG_SIZE);
  }

  private openFrame(out: Buffer[]): void {
    const len = this.fill;
    const final = this.index === this.chunks - 1;
    const d: DecipherGCM = createDecipheriv('aes-256-gcm', this.key!, nonce(this.index, final));
    d.setAAD(this.header!);
    d.setAuthTag(this.frame.subarray(len - ENC_TAG_SIZE, len));
    try {
      const plain = Buffer.concat([d.update(this.frame.subarray(0, len - ENC_TAG_SIZE)), d.final()]);
      this.hash.update(plain);
      if (plain.length > 0) out.push(plain);
    } catch {
      throw new FormatError(FORMAT, `chunk ${this.index} fails its authentication tag: the file was changed, or the media key is wrong.`);
    }
    this.index++;
    this.fill = 0;
  }

  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    let off = 0;
    if (!this.header) {
      const n = Math.min(ENC_HEADER_SIZE - this.headerFill, data.length);
      this.headerBuf.set(data.subarray(0, n), this.headerFill);
      this.headerFill += n;
      off = n;
      if (this.headerFill < ENC_HEADER_SIZE) return out;
      this.readHeader();
    }
    while (off < data.length) {
      if (this.index >= this.chunks) throw new FormatError(FORMAT, 'bytes follow the final chunk.');
      const want = this.frameLength(this.index);
      const n = Math.min(want - this.fill, data.length - off);
      this.frame.set(data.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === want) this.openFrame(out);
    }
    return out;
  }

  finish(): Buffer[] {
    if (!this.header) throw new FormatError(FORMAT, 'the file is shorter than its header.');
    if (this.index !== this.chunks) throw new FormatError(FORMAT, `the file is truncated: ${this.index} of ${this.chunks} chunks present.`);
    const digest = this.hash.digest();
    if (!timingSafeEqual(digest, this.sha)) throw new FormatError(FORMAT, 'the decrypted bytes do not match the recorded SHA-256.');
    return [];
  }
}

function asTransform(engine: { push(d: Uint8Array): Buffer[]; finish(): Buffer[] }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        for (const b of engine.push(chunk)) this.push(b);
        cb();
      } catch (err) { cb(err as Error); }
    },
    flush(cb: TransformCallback) {
      try {
        for (const b of engine.finish()) this.push(b);
        cb();
      } catch (err) { cb(err as Error); }
    },
  });
}

/** A Transform that encrypts one content file; pipe the plaintext in. */
export function createEncryptStream(key: MediaKey, info: ContentFileInfo, chunkSize = DEFAULT_CHUNK_SIZE): Transform {
  return asTransform(new ContentEncryptor(key, info, chunkSize));
}

/** A Transform that decrypts one encrypted content file; errors on tampering or truncation. */
export function createDecryptStream(key: MediaKey): Transform {
  return asTransform(new ContentDecryptor(key));
}
