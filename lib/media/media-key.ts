// The media key: one scrypt derivation of the media password per medium, from which every other
// key (variables, policy, content, synthetic IVs) is expanded with HKDF under a purpose label.
//
// Salt: HMAC-SHA256 over the media identity, so a rebuild of the same media gets the same salt
// (reproducible) while two different media never share one. Without a password the KDF runs over
// a fixed, published default (as ConfigMgr's default GUID): that gives integrity, never secrecy.
import { createHmac, hkdfSync, scryptSync } from 'node:crypto';
import { FormatError, UsageError } from '../errors.js';

/**
 * The password used when the media have none. Public on purpose: media without a password are
 * readable by anyone holding them; the key only detects tampering.
 */
export const DEFAULT_MEDIA_PASSWORD = 'tsmedia-default-media-key-{6F1D2C3A-8B4E-4D5F-9A7C-0E1B2D3C4F5A}';

export const SALT_SIZE = 16;
export const KEY_SIZE = 32;

export interface KdfParams {
  /** scrypt cost N = 2^logN. */
  logN: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8: 32 MiB and about 0.1 s; slow enough to make guessing costly. */
export const DEFAULT_KDF: KdfParams = { logN: 15, r: 8, p: 1 };

// Bounds on KDF parameters read from a file: a hostile file must not make us spend gigabytes or minutes.
const LOGN_MIN = 10;
const LOGN_MAX = 20;
const R_MAX = 16;
const P_MAX = 4;

/**
 * Media without a password: the password is published, so no cost makes the key harder to find;
 * the lowest cost a reader accepts spares every such build 0.15 s (half a prestaged rebuild's
 * own work).
 */
export const PUBLIC_KDF: KdfParams = { logN: LOGN_MIN, r: 8, p: 1 };

/** The memory scrypt needs is 128·N·r bytes; never allow more than this. */
export const KDF_MAX_MEMORY = 256 * 1024 * 1024;

export interface MediaKey {
  readonly salt: Buffer;
  readonly kdf: KdfParams;
  readonly passwordProtected: boolean;
  /** The 32-byte master key; never written anywhere. */
  readonly master: Buffer;
}

/** The salt of a medium, derived from its identity (the media id of media-manifest.ts). */
export function mediaSalt(mediaId: string): Buffer {
  return createHmac('sha256', 'tsmedia/media-salt/v1').update(mediaId, 'utf8').digest().subarray(0, SALT_SIZE);
}

export function checkKdfParams(kdf: KdfParams, source: string): void {
  const memory = 128 * 2 ** kdf.logN * kdf.r * kdf.p;
  if (!Number.isInteger(kdf.logN) || kdf.logN < LOGN_MIN || kdf.logN > LOGN_MAX
    || !Number.isInteger(kdf.r) || kdf.r < 1 || kdf.r > R_MAX
    || !Number.isInteger(kdf.p) || kdf.p < 1 || kdf.p > P_MAX || memory > KDF_MAX_MEMORY) {
    throw new FormatError(source, `key derivation parameters out of range (logN ${kdf.logN}, r ${kdf.r}, p ${kdf.p}); the file is corrupt or was not written by tsmedia.`);
  }
}

/**
 * Runs scrypt once; every per-purpose key comes from the result through subkey(). The cost is
 * DEFAULT_KDF with a password, PUBLIC_KDF without one, unless given (read from a file, or tests).
 */
export function deriveMediaKey(password: string | null, salt: Buffer, kdf: KdfParams = password === null ? PUBLIC_KDF : DEFAULT_KDF): MediaKey {
  if (salt.length !== SALT_SIZE) throw new UsageError('EBAD_SALT', `A media salt is ${SALT_SIZE} bytes, not ${salt.length}.`);
  checkKdfParams(kdf, 'media key');
  if (password !== null && password.length === 0) throw new UsageError('EBAD_PASSWORD', 'The media password is empty; give a password or none at all.');
  const secret = Buffer.from((password ?? DEFAULT_MEDIA_PASSWORD).normalize('NFC'), 'utf8');
  const N = 2 ** kdf.logN;
  const master = scryptSync(secret, salt, KEY_SIZE, { N, r: kdf.r, p: kdf.p, maxmem: 128 * N * kdf.r * kdf.p + 1024 * 1024 });
  return { salt: Buffer.from(salt), kdf: { ...kdf }, passwordProtected: password !== null, master };
}

/** A 32-byte key for one purpose ('variables/enc', 'content/file', ...). */
export function subkey(key: MediaKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key.master, key.salt, `tsmedia/${purpose}`, KEY_SIZE));
}
