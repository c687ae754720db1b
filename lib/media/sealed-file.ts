// The sealed envelope shared by SMS\data\Variables.dat and SMS\data\Policy.xml: AES-256-GCM under a
// key expanded from the media key, with a synthetic nonce (as AES-GCM-SIV does) so a rebuild gives
// the same bytes and two different plaintexts never share a nonce under one key.
//
//   offset size  field
//   0      8     magic            'TSMVAR01' (variables) or 'TSMPOL01' (policy)
//   8      2     version          u16 LE, 1
//   10     2     flags            u16 LE, bit 0 = protected by a media password
//   12     1     kdf logN         scrypt N = 2^logN (10..20)
//   13     1     kdf r            1..16
//   14     1     kdf p            1..4
//   15     1     reserved         0
//   16     16    salt             HMAC-SHA256('tsmedia/media-salt/v1', media id), first 16 bytes
//   32     16    password check   HMAC-SHA256(check key, 'tsmedia password check'), first 16 bytes
//   48     12    nonce            HMAC-SHA256(siv key, header with zero nonce ‖ plaintext), first 12
//   60     4     length           u32 LE, ciphertext length (≤ 16 MiB)
//   64     n     ciphertext       AES-256-GCM, additional data = the 64 header bytes
//   64+n   16    tag              GCM tag
//
// The password check lets a wrong password be told apart from damaged bytes; it costs an attacker
// nothing they would not get from the GCM tag, since both sit behind the same scrypt.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { FormatError, TsmediaError } from '../errors.js';
import { checkKdfParams, deriveMediaKey, SALT_SIZE, subkey } from './media-key.js';
import type { KdfParams, MediaKey } from './media-key.js';

export type SealedKind = 'variables' | 'policy';

const MAGIC: Record<SealedKind, string> = { variables: 'TSMVAR01', policy: 'TSMPOL01' };
const FORMAT_NAME: Record<SealedKind, string> = { variables: 'Variables.dat', policy: 'Policy.xml' };

export const SEALED_VERSION = 1;
export const FLAG_PASSWORD = 0x0001;
export const HEADER_SIZE = 64;
export const TAG_SIZE = 16;
export const NONCE_SIZE = 12;
const CHECK_SIZE = 16;
/** No media variables file or policy comes near this; a larger length is corruption. */
export const MAX_SEALED_PAYLOAD = 16 * 1024 * 1024;

const OFF_MAGIC = 0;      // magic     8 bytes
const OFF_VERSION = 8;    // version   2 bytes
const OFF_FLAGS = 10;     // flags     2 bytes
const OFF_LOGN = 12;      // logN      1 byte
const OFF_R = 13;         // r         1 byte
const OFF_P = 14;         // p         1 byte
const OFF_SALT = 16;      // salt     16 bytes
const OFF_CHECK = 32;     // check    16 bytes
const OFF_NONCE = 48;     // nonce    12 bytes
const OFF_LENGTH = 60;    // length    4 bytes

export interface SealedHeader {
  kind: SealedKind;
  passwordProtected: boolean;
  kdf: KdfParams;
  salt: Buffer;
  check: Buffer;
  nonce: Buffer;
  length: number;
}

function passwordCheck(key: MediaKey): Buffer {
  return createHmac('sha256', subkey(key, 'check')).update('tsmedia password check').digest().subarray(0, CHECK_SIZE);
}

/** Encrypts a plaintext into the envelope; the same key and plaintext always give the same bytes. */
export function seal(kind: SealedKind, key: MediaKey, plaintext: Buffer): Buffer {
  if (plaintext.length > MAX_SEALED_PAYLOAD) throw new TsmediaError('ETOO_LARGE', `${FORMAT_NAME[kind]} would be ${plaintext.length} bytes; the limit is ${MAX_SEALED_PAYLOAD}.`);
  const header = Buffer.alloc(HEADER_SIZE);
  header.write(MAGIC[kind], OFF_MAGIC, 'latin1');
  header.writeUInt16LE(SEALED_VERSION, OFF_VERSION);
  header.writeUInt16LE(key.passwordProtected ? FLAG_PASSWORD : 0, OFF_FLAGS);
  header.writeUInt8(key.kdf.logN, OFF_LOGN);
  header.writeUInt8(key.kdf.r, OFF_R);
  header.writeUInt8(key.kdf.p, OFF_P);
  key.salt.copy(header, OFF_SALT);
  passwordCheck(key).copy(header, OFF_CHECK);
  header.writeUInt32LE(plaintext.length, OFF_LENGTH);
  // synthetic nonce: bound to the whole header and plaintext, so equal nonces mean equal inputs
  const nonce = createHmac('sha256', subkey(key, `${kind}/siv`)).update(header).update(plaintext).digest().subarray(0, NONCE_SIZE);
  nonce.copy(header, OFF_NONCE);
  const cipher = createCipheriv('aes-256-gcm', subkey(key, `${kind}/enc`), nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Reads and checks the header; never trusts a length or a KDF parameter. */
export function readSealedHeader(kind: SealedKind, bytes: Uint8Array): SealedHeader {
  const name = FORMAT_NAME[kind];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_SIZE + TAG_SIZE) throw new FormatError(name, `the file is ${buf.length} bytes, shorter than its ${HEADER_SIZE + TAG_SIZE}-byte minimum.`);
  if (buf.toString('latin1', OFF_MAGIC, OFF_MAGIC + 8) !== MAGIC[kind]) throw new FormatError(name, `not a tsmedia ${name} file (magic '${MAGIC[kind]}' missing).`);
  const version = buf.readUInt16LE(OFF_VERSION);
  if (version !== SEALED_VERSION) throw new FormatError(name, `version ${version} is not supported (this tsmedia reads version ${SEALED_VERSION}); use a newer tsmedia.`);
  const flags = buf.readUInt16LE(OFF_FLAGS);
  if ((flags & ~FLAG_PASSWORD) !== 0) throw new FormatError(name, `unknown flags 0x${flags.toString(16)}.`);
  const kdf = { logN: buf.readUInt8(OFF_LOGN), r: buf.readUInt8(OFF_R), p: buf.readUInt8(OFF_P) };
  checkKdfParams(kdf, name);
  const length = buf.readUInt32LE(OFF_LENGTH);
  if (length > MAX_SEALED_PAYLOAD || HEADER_SIZE + length + TAG_SIZE !== buf.length) {
    throw new FormatError(name, `the recorded length ${length} does not match the file size ${buf.length}; the file is truncated or damaged.`);
  }
  return {
    kind, passwordProtected: (flags & FLAG_PASSWORD) !== 0, kdf,
    salt: Buffer.from(buf.subarray(OFF_SALT, OFF_SALT + SALT_SIZE)),
    check: Buffer.from(buf.subarray(OFF_CHECK, OFF_CHECK + CHECK_SIZE)),
    nonce: Buffer.from(buf.subarray(OFF_NONCE, OFF_NONCE + NONCE_SIZE)),
    length,
  };
}

/**
 * Derives the media key a sealed file needs from a password (null: the media have none).
 * Throws EBAD_PASSWORD for a wrong or missing password.
 */
export function keyForSealed(header: SealedHeader, password: string | null): MediaKey {
  if (header.passwordProtected && password === null) {
    throw new TsmediaError('EBAD_PASSWORD', 'These media are protected by a password; give it with -MediaPasswordFile, TSMEDIA_MEDIA_PASSWORD or at the prompt.');
  }
  // media without a password ignore any password given: their key is the public default
  const key = deriveMediaKey(header.passwordProtected ? password : null, header.salt, header.kdf);
  if (!timingSafeEqual(passwordCheck(key), header.check)) {
    // open media use the public key, so a failed check can only mean damage
    if (!header.passwordProtected) throw new FormatError(FORMAT_NAME[header.kind], 'the key check failed: the file is damaged. Rebuild the media.');
    throw new TsmediaError('EBAD_PASSWORD', 'The media password is wrong.');
  }
  return key;
}

/** Decrypts with a password or an already derived media key; any tampering is a FormatError. */
export function unseal(kind: SealedKind, bytes: Uint8Array, secret: string | null | MediaKey): Buffer {
  const header = readSealedHeader(kind, bytes);
  const key = secret !== null && typeof secret === 'object' ? secret : keyForSealed(header, secret);
  if (!key.salt.equals(header.salt) || !timingSafeEqual(passwordCheck(key), header.check)) {
    throw new TsmediaError('EBAD_PASSWORD', `${FORMAT_NAME[kind]} was sealed under another media key (other media, or another password).`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', subkey(key, `${kind}/enc`), header.nonce);
  decipher.setAAD(buf.subarray(0, HEADER_SIZE));
  decipher.setAuthTag(buf.subarray(HEADER_SIZE + header.length));
  try {
    return Buffer.concat([decipher.update(buf.subarray(HEADER_SIZE, HEADER_SIZE + header.length)), decipher.final()]);
  } catch {
    throw new FormatError(FORMAT_NAME[kind], 'the authentication tag does not match: the file was changed or damaged after it was written. Rebuild the media.');
  }
}
