import test from 'ava';
import type { TsmediaError } from '../../lib/errors.js';
import { deriveMediaKey, mediaSalt, DEFAULT_KDF, PUBLIC_KDF } from '../../lib/media/media-key.js';
import { HEADER_SIZE, NONCE_SIZE, readSealedHeader } from '../../lib/media/sealed-file.js';
import {
  checkVariableName, mediaOwnVariables, mergeVariables, readVariablesFile, variableValue, writeVariablesFile,
} from '../../lib/media/media-variables.js';
import type { MediaVariable } from '../../lib/media/media-variables.js';

const MEDIA_ID = 'A1B2C3D4-0000-8000-8000-000000000001';
const salt = mediaSalt(MEDIA_ID);
// one derivation per password for the whole file: scrypt is slow on purpose
const key = deriveMediaKey('Corr3ct horse', salt);
const openKey = deriveMediaKey(null, salt);

function vars(extra: Record<string, string> = {}): MediaVariable[] {
  const own = mediaOwnVariables({
    mediaType: 'BootMedia', launchMode: 'UFD+FORMAT', mediaGuid: MEDIA_ID, siteCode: 'PS1',
    managementPoints: ['http://mp1.contoso.com', 'http://mp2.contoso.com'], mediaMode: 'Dynamic', bootImageId: 'PS100001',
    prestartCommand: 'cmd /c prestart.cmd', prestartPackageId: 'PS100009',
  });
  return mergeVariables(own, { OSDComputerName: 'PC-001', SecretToken: 'MARKER-SECRET-7f3a', ...extra });
}

test('the key derivation costs 32 MiB of scrypt memory: slow for guessing, quick for one build', (t) => {
  // scrypt's memory is 128 * r * N bytes; its time follows it (measured by no test: timing is noise)
  t.deepEqual(DEFAULT_KDF, { logN: 15, r: 8, p: 1 });
  t.is(128 * DEFAULT_KDF.r * 2 ** DEFAULT_KDF.logN, 32 * 1024 * 1024);
  t.notDeepEqual(deriveMediaKey('one', salt, DEFAULT_KDF), deriveMediaKey('two', salt, DEFAULT_KDF));
});

test('media without a password derive their published key at the lowest cost a reader accepts; the file says which', (t) => {
  t.deepEqual(openKey.kdf, PUBLIC_KDF);
  t.true(PUBLIC_KDF.logN < DEFAULT_KDF.logN);
  t.deepEqual(key.kdf, DEFAULT_KDF, 'a password keeps the costly derivation');
  t.deepEqual(readSealedHeader('variables', writeVariablesFile(openKey, vars())).kdf, PUBLIC_KDF);
  t.deepEqual(readSealedHeader('variables', writeVariablesFile(key, vars())).kdf, DEFAULT_KDF);
  t.is(variableValue(readVariablesFile(writeVariablesFile(openKey, vars()), null), 'SecretToken'), 'MARKER-SECRET-7f3a');
});

test('the right password reveals the variables, including the media\'s own', (t) => {
  const file = writeVariablesFile(key, vars());
  const back = readVariablesFile(file, 'Corr3ct horse');
  t.is(variableValue(back, 'secrettoken'), 'MARKER-SECRET-7f3a');
  t.is(variableValue(back, '_SMSTSMediaType'), 'BootMedia');
  t.is(variableValue(back, 'SMSTSLocationMPs'), 'http://mp1.contoso.com*http://mp2.contoso.com');
  t.is(variableValue(back, '_SMSTSPreExecCommandLine'), 'cmd /c prestart.cmd');
  t.is(variableValue(back, '_SMSMediaGuid'), MEDIA_ID);
  t.deepEqual(back, vars());
  // a derived key opens it too, without another scrypt
  t.deepEqual(readVariablesFile(file, key), back);
});

test('a wrong or missing password is refused with EBAD_PASSWORD', (t) => {
  const file = writeVariablesFile(key, vars());
  t.is(t.throws<TsmediaError>(() => readVariablesFile(file, 'wrong horse'))?.code, 'EBAD_PASSWORD');
  t.is(t.throws<TsmediaError>(() => readVariablesFile(file, null))?.code, 'EBAD_PASSWORD');
  t.is(t.throws<TsmediaError>(() => readVariablesFile(file, openKey))?.code, 'EBAD_PASSWORD');
});

test('the secret is nowhere in the clear, with or without a password', (t) => {
  const sealed = writeVariablesFile(key, vars());
  t.false(sealed.includes('MARKER-SECRET-7f3a'));
  t.false(sealed.includes(Buffer.from('MARKER-SECRET-7f3a', 'utf16le')));
  // without a password the file is only integrity-protected, but still not plain text
  t.false(writeVariablesFile(openKey, vars()).includes('MARKER-SECRET-7f3a'));
});

test('media without a password open with no password (the public default key)', (t) => {
  const file = writeVariablesFile(openKey, vars());
  t.false(readSealedHeader('variables', file).passwordProtected);
  t.deepEqual(readVariablesFile(file, null), vars());
  // a password given for open media is ignored rather than failing the read
  t.deepEqual(readVariablesFile(file, 'anything'), vars());
});

test('flipping any bit is detected', (t) => {
  const file = writeVariablesFile(key, vars());
  // header fields, salt, check, nonce, length, ciphertext and tag: every region is covered
  for (const offset of [9, 12, 20, 40, 50, 61, HEADER_SIZE + 3, file.length - 20, file.length - 1]) {
    const bad = Buffer.from(file);
    bad[offset]! ^= 0x01;
    const err = t.throws<TsmediaError>(() => readVariablesFile(bad, key), undefined, `offset ${offset}`);
    t.true(['EVARIABLES.DAT_FORMAT', 'EBAD_PASSWORD'].includes(err!.code as string), `${offset}: ${err?.message}`);
  }
  const err = t.throws<TsmediaError>(() => readVariablesFile(file.subarray(0, file.length - 1), key));
  t.is(err?.code, 'EVARIABLES.DAT_FORMAT');
});

test('a hostile KDF parameter is refused before any work', (t) => {
  const file = writeVariablesFile(key, vars());
  const bad = Buffer.from(file);
  bad[12] = 40; // logN 40: 2^40 iterations
  t.regex(t.throws<TsmediaError>(() => readVariablesFile(bad, 'x'))!.message, /out of range/);
});

test('the same key and variables give the same bytes; different variables never share a nonce', (t) => {
  const a = writeVariablesFile(key, vars());
  t.true(a.equals(writeVariablesFile(deriveMediaKey('Corr3ct horse', salt), vars())));
  const nonces = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const f = writeVariablesFile(key, vars({ Counter: String(i) }));
    nonces.add(f.subarray(48, 48 + NONCE_SIZE).toString('hex'));
  }
  t.is(nonces.size, 50);
  // other media (another salt) with the same variables: other key, other nonce
  const other = writeVariablesFile(deriveMediaKey('Corr3ct horse', mediaSalt('other')), vars());
  t.not(other.subarray(48, 60).toString('hex'), a.subarray(48, 60).toString('hex'));
});

test('variable names follow ConfigMgr\'s rules', (t) => {
  t.notThrows(() => checkVariableName('OSDComputerName', true));
  t.notThrows(() => checkVariableName('My-Var_2', true));
  t.notThrows(() => checkVariableName('_SMSTSMediaType', false));
  t.regex(t.throws<TsmediaError>(() => checkVariableName('_Mine', true))!.message, /read-only/);
  t.regex(t.throws<TsmediaError>(() => checkVariableName('2fast', true))!.message, /start with a letter/);
  t.regex(t.throws<TsmediaError>(() => checkVariableName('has space', true))!.message, /no spaces/);
  t.regex(t.throws<TsmediaError>(() => checkVariableName('', true))!.message, /1 to 256/);
  t.regex(t.throws<TsmediaError>(() => checkVariableName('a'.repeat(257), true))!.message, /1 to 256/);
  t.notThrows(() => checkVariableName('a'.repeat(256), true));
  t.regex(t.throws<TsmediaError>(() => checkVariableName('Ä', true))!.message, /only letters/);
});

test('names are unique case-insensitively and values are at most 4000 characters', (t) => {
  const e = t.throws<TsmediaError>(() => mergeVariables([], { Foo: '1', FOO: '2' }));
  t.is(e?.code, 'EBAD_VARIABLE');
  t.regex(e!.message, /given twice/);
  t.regex(t.throws<TsmediaError>(() => mergeVariables([{ name: '_SMSTSSiteCode', value: 'PS1' }], [{ name: '_smstssitecode', value: 'x' }]))!.message, /read-only/);
  t.notThrows(() => mergeVariables([], { Big: 'x'.repeat(4000) }));
  t.regex(t.throws<TsmediaError>(() => mergeVariables([], { Big: 'x'.repeat(4001) }))!.message, /limit is 4000/);
  t.regex(t.throws<TsmediaError>(() => mergeVariables([], { Ctl: 'a\u0001b' }))!.message, /control character/);
});

test('values with XML specials, line breaks and non-ASCII round-trip', (t) => {
  const tricky = '<a href="x">&amp; \'q\'\r\n\ttab ünï 中文 😀</a>';
  const file = writeVariablesFile(key, mergeVariables([], { Tricky: tricky, Empty: '' }));
  const back = readVariablesFile(file, key);
  t.is(variableValue(back, 'Tricky'), tricky);
  t.is(variableValue(back, 'Empty'), '');
});

test('site-based media name one management point in SMSTSMP', (t) => {
  const own = mediaOwnVariables({ mediaType: 'OEMMedia', launchMode: 'HD', mediaGuid: MEDIA_ID, siteCode: 'PS1', managementPoints: ['https://mp1'], mediaMode: 'SiteBased', bootImageId: 'PS100001' });
  t.is(variableValue(own, 'SMSTSMP'), 'https://mp1');
  t.is(variableValue(own, 'SMSTSLocationMPs'), undefined);
  t.throws<TsmediaError>(() => mediaOwnVariables({ mediaType: 'OEMMedia', launchMode: 'HD', mediaGuid: MEDIA_ID, siteCode: 'PS1', managementPoints: ['https://a', 'https://b'], mediaMode: 'SiteBased', bootImageId: 'PS100001' }), { message: /exactly one management point/ });
});

test('damage to open media is reported as damage, not as a wrong password', (t) => {
  const file = writeVariablesFile(openKey, vars());
  const bad = Buffer.from(file);
  bad[33]! ^= 0x01; // inside the password check
  const err = t.throws<TsmediaError>(() => readVariablesFile(bad, null));
  t.is(err?.name, 'FormatError');
  t.regex(err!.message, /damaged/);
});
