// Media certificates: import a PKI client certificate from a PFX (-CertificatePath/-Password),
// or make a self-signed media certificate (-CertificateStartTime/-CertificateExpireTime).
// node-forge reads and writes PKCS#12 (node:crypto rejects legacy RC2/3DES PFX); node:crypto
// makes keys and checks certificates.
//
// Reproducible rebuilds: an RSA key is random, so a fresh key per build would change every byte
// that depends on it. The design: generateMediaKeyPair() runs once; the caller keeps the PFX that
// exportPfx() returns in the catalog under mediaCertificateCacheKey(site, start, expire), and
// later builds pass that key back to createSelfSignedCertificate(), which is a pure function of
// (key, site, validity): RSA PKCS#1 v1.5 signatures are deterministic and the serial number is
// derived from the key and validity. exportPfx() draws its salts and IVs from a generator seeded
// by its inputs, so equal inputs give an equal PFX.
import { createHash, createHmac, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { FormatError, TsmediaError, UsageError } from '../errors.js';

export const MAX_PFX_SIZE = 1024 * 1024;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export interface MediaCertificate {
  /** The leaf certificate, PEM. */
  certificatePem: string;
  /** Its private key, PKCS#8 PEM. */
  privateKeyPem: string;
  /** Any other certificates the PFX carried (CA chain), PEM. */
  chainPem: string[];
  /** SHA-1 of the DER certificate, upper-case hex (as Windows shows thumbprints). */
  thumbprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  clientAuth: boolean;
}

function describe(certPem: string, keyPem: string, chainPem: string[]): MediaCertificate {
  const x = new X509Certificate(certPem);
  const eku = x.keyUsage;
  return {
    certificatePem: x.toString(), privateKeyPem: keyPem, chainPem,
    thumbprint: x.fingerprint.replace(/:/g, ''),
    subject: x.subject,
    notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo),
    // no EKU extension means any use, client authentication included
    clientAuth: eku === undefined || eku.includes(CLIENT_AUTH_OID),
  };
}

/** Imports a PFX/PKCS#12 (modern AES or legacy RC2/3DES) with its password. */
export function importPfx(pfx: Uint8Array, password: string): MediaCertificate {
  if (pfx.length === 0 || pfx.length > MAX_PFX_SIZE) throw new FormatError('PFX', `the file is ${pfx.length} bytes; a PFX is between 1 byte and ${MAX_PFX_SIZE}.`);
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(pfx).toString('binary')), true);
  } catch {
    throw new FormatError('PFX', 'the file is not DER-encoded PKCS#12; export the certificate with its private key as a .pfx.');
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  } catch (err) {
    const msg = (err as Error).message ?? '';
    if (/MAC could not be verified|Invalid password/i.test(msg)) {
      throw new TsmediaError('EBAD_CERTIFICATE_PASSWORD', 'The certificate password is wrong: the PFX integrity check failed. Give the password the PFX was exported with (-CertificatePassword).');
    }
    throw new FormatError('PFX', `cannot be read (${msg.slice(0, 200)}); export the certificate with its private key as a .pfx.`);
  }
  const keys: forge.pki.PrivateKey[] = [];
  for (const type of [forge.pki.oids.pkcs8ShroudedKeyBag!, forge.pki.oids.keyBag!]) {
    for (const bag of p12.getBags({ bagType: type })[type] ?? []) if (bag.key) keys.push(bag.key);
  }
  const certs: forge.pki.Certificate[] = [];
  const certType = forge.pki.oids.certBag!;
  for (const bag of p12.getBags({ bagType: certType })[certType] ?? []) if (bag.cert) certs.push(bag.cert);
  // a PFX without a MAC has its password checked only by decryption: a wrong one leaves no key
  if (keys.length === 0) throw new TsmediaError('EBAD_CERTIFICATE', 'The PFX holds no private key (or the password is wrong); export the certificate together with its private key.');
  if (keys.length > 1) throw new TsmediaError('EBAD_CERTIFICATE', `The PFX holds ${keys.length} private keys; export only the media certificate and its key.`);
  const key = keys[0] as forge.pki.rsa.PrivateKey;
  if (!key.n) throw new TsmediaError('EBAD_CERTIFICATE', 'The PFX key is not an RSA key; ConfigMgr media certificates use RSA.');
  const leafIndex = certs.findIndex((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey;
    return pub.n !== undefined && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (leafIndex < 0) throw new TsmediaError('EBAD_CERTIFICATE', 'No certificate in the PFX matches its private key.');
  const keyPem = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
  const chain = certs.filter((_, i) => i !== leafIndex).map((c) => forge.pki.certificateToPem(c));
  return describe(forge.pki.certificateToPem(certs[leafIndex]!), keyPem, chain);
}

/** A fresh RSA-2048 key for a media certificate, PKCS#8 PEM. Random: store it (see header). */
export function generateMediaKeyPair(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The catalog key under which a generated media certificate is kept and found again. */
export function mediaCertificateCacheKey(siteCode: string, notBefore: Date, notAfter: Date): string {
  return `media-cert/${siteCode.toUpperCase()}/${notBefore.toISOString()}/${notAfter.toISOString()}`;
}

export interface SelfSignedOptions {
  privateKeyPem: string;
  siteCode: string;
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed media certificate: SHA-256/RSA, clientAuth EKU, valid notBefore..notAfter. Pure. */
export function createSelfSignedCertificate(o: SelfSignedOptions): MediaCertificate {
  if (!(o.notBefore.getTime() < o.notAfter.getTime())) {
    throw new UsageError('EBAD_CERTIFICATE_DATES', '-CertificateExpireTime must be later than -CertificateStartTime.');
  }
  let key: forge.pki.rsa.PrivateKey;
  try {
    key = forge.pki.privateKeyFromPem(o.privateKeyPem) as forge.pki.rsa.PrivateKey;
  } catch {
    throw new UsageError('EBAD_CERTIFICATE_KEY', 'The media certificate key is not an RSA private key in PEM.');
  }
  const pub = forge.pki.setRsaPublicKey(key.n, key.e);
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  // serial: from the key and validity, positive (top bit clear), 16 bytes
  const serial = createHash('sha256').update(key.n.toString(16)).update(o.notBefore.toISOString()).update(o.notAfter.toISOString()).digest().subarray(0, 16);
  serial[0] = serial[0]! & 0x7f | 0x01;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Math.floor(o.notBefore.getTime() / 1000) * 1000);
  cert.validity.notAfter = new Date(Math.floor(o.notAfter.getTime() / 1000) * 1000);
  const name = [{ name: 'commonName', value: `SMS Media Certificate ${o.siteCode.toUpperCase()}` }, { name: 'organizationName', value: 'tsmedia' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return describe(forge.pki.certificateToPem(cert), o.privateKeyPem, []);
}

/** A deterministic byte source for forge while one PFX is written (HMAC-SHA256 in counter mode). */
function seededBytes(seed: Buffer): (count: number) => string {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (count: number) => {
    while (pool.length < count) {
      const block = createHmac('sha256', seed).update(String(counter++)).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, count);
    pool = pool.subarray(count);
    return out.toString('binary');
  };
}

/**
 * Exports the certificate and key as a PFX (AES-256, SHA-256 MAC) that Windows and OpenSSL 3 read.
 * Deterministic: salts and IVs come from a generator seeded with the key, certificate and password.
 */
export function exportPfx(cert: Pick<MediaCertificate, 'certificatePem' | 'privateKeyPem' | 'chainPem'>, password: string): Buffer {
  const key = forge.pki.privateKeyFromPem(cert.privateKeyPem);
  const certs = [cert.certificatePem, ...cert.chainPem].map((p) => forge.pki.certificateFromPem(p));
  const seed = createHash('sha256').update('tsmedia/pfx/v1\0').update(cert.privateKeyPem).update('\0').update(cert.certificatePem).update('\0').update(password).digest();
  const random = forge.random as unknown as { getBytes: unknown; getBytesSync: unknown };
  const saved = { getBytes: random.getBytes, getBytesSync: random.getBytesSync };
  const next = seededBytes(seed);
  // toPkcs12Asn1 is synchronous, so the swap cannot leak into other work
  random.getBytes = next;
  random.getBytesSync = next;
  try {
    const localKeyId = createHash('sha1').update(forge.asn1.toDer(forge.pki.certificateToAsn1(certs[0]!)).getBytes(), 'binary').digest().toString('binary');
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, password, { algorithm: 'aes256', count: 10000, saltSize: 16, localKeyId, friendlyName: 'tsmedia media certificate' });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  } finally {
    random.getBytes = saved.getBytes;
    random.getBytesSync = saved.getBytesSync;
  }
}

/** The checks a media certificate must pass before it goes on media built at `now`. */
export function checkCertificateUsable(cert: MediaCertificate, now: Date): void {
  if (!cert.clientAuth) throw new TsmediaError('EBAD_CERTIFICATE', `The certificate ${cert.thumbprint} is not valid for client authentication; use a client authentication certificate.`);
  if (now.getTime() > cert.notAfter.getTime()) throw new TsmediaError('ECERTIFICATE_EXPIRED', `The certificate ${cert.thumbprint} expired on ${cert.notAfter.toISOString()}; use a current certificate.`);
}
