import test from 'ava';
import type { TsmediaError } from '../../lib/errors.js';
import { checkMediaWindow, parseBootstrap, writeBootstrap } from '../../lib/media/bootstrap.js';
import type { BootstrapSettings } from '../../lib/media/bootstrap.js';
import { deriveMediaKey, mediaSalt } from '../../lib/media/media-key.js';
import { deriveMediaId, parseManifest, writeManifest } from '../../lib/media/media-manifest.js';
import type { MediaIdInput, MediaManifest } from '../../lib/media/media-manifest.js';
import { readPolicyFile, writePolicyFile } from '../../lib/media/policy.js';
import type { TaskSequencePolicy } from '../../lib/media/policy.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const idInput: MediaIdInput = {
  kind: 'StandAlone', taskSequenceId: 'PS100010',
  items: [
    { Id: 'PS100002', SourceVersion: 3, Files: [{ Path: 'install.wim', Size: 100, Sha256: SHA_A }] },
    { Id: 'PS100004', SourceVersion: 1, Files: [{ Path: 'setup.cmd', Size: 5, Sha256: SHA_B }, { Path: 'bin/tool.exe', Size: 9, Sha256: SHA_A }] },
  ],
  parameters: { MediaSize: 'Size4GB', Label: 'Configuration Manager' },
};
const MEDIA_ID = deriveMediaId(idInput);

const settings: BootstrapSettings = {
  MediaType: 'FullMedia', PasswordRequired: true, Unattended: false, MediaId: MEDIA_ID, SiteCode: 'PS1',
  MediaMode: 'Dynamic', ManagementPoints: ['https://mp1.contoso.com/', 'https://mp2.contoso.com/'],
  CertificateThumbprint: '93E23F7991AE622F229B9B13FF673E3FC5DF8959',
  MediaStartDate: new Date('2026-02-01T00:00:00Z'), MediaExpirationDate: new Date('2026-03-01T00:00:00Z'),
  Created: new Date('2026-01-15T12:00:00Z'), CreatedBy: 'OSD team', Version: '1.2', Comment: 'Lab media',
};

test('the media id comes from the content: stable, order-free, and changes with any input', (t) => {
  t.regex(MEDIA_ID, /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  t.is(deriveMediaId({ ...idInput, items: [...idInput.items].reverse(), parameters: { Label: 'Configuration Manager', MediaSize: 'Size4GB' } }), MEDIA_ID);
  t.not(deriveMediaId({ ...idInput, kind: 'Prestaged' }), MEDIA_ID);
  t.not(deriveMediaId({ ...idInput, items: [{ ...idInput.items[0]!, SourceVersion: 4 }, idInput.items[1]!] }), MEDIA_ID);
  t.not(deriveMediaId({ ...idInput, items: [{ ...idInput.items[0]!, Files: [{ Path: 'install.wim', Size: 100, Sha256: SHA_B }] }, idInput.items[1]!] }), MEDIA_ID);
  t.not(deriveMediaId({ ...idInput, parameters: { ...idInput.parameters, MediaSize: 'Size8GB' } }), MEDIA_ID);
});

test('bootstrap settings round-trip as CRLF INI with the ConfigMgr keys first', (t) => {
  const bytes = writeBootstrap(settings);
  const text = bytes.toString('utf8');
  t.true(text.startsWith('[MediaInfo]\r\nMediaType=FullMedia\r\nPasswordRequired=true\r\nUnattended=false\r\n'));
  t.deepEqual(parseBootstrap(bytes), settings);
  t.true(writeBootstrap(settings).equals(bytes));
  const minimal: BootstrapSettings = { MediaType: 'BootMedia', PasswordRequired: false, Unattended: true, MediaId: MEDIA_ID, Created: settings.Created };
  t.deepEqual(parseBootstrap(writeBootstrap(minimal)), minimal);
  // LF endings, comments and other sections are accepted on read
  t.deepEqual(parseBootstrap(Buffer.from(`; made by hand\n[Other]\nX=1\n${writeBootstrap(minimal).toString().replace(/\r\n/g, '\n')}`)), minimal);
});

test('a damaged bootstrap file is a FormatError naming the key', (t) => {
  const good = writeBootstrap(settings).toString();
  const cases: Array<[string, RegExp]> = [
    [good.replace('PasswordRequired=true', 'PasswordRequired=yes'), /PasswordRequired=yes/],
    [good.replace('MediaType=FullMedia', 'MediaType=Floppy'), /MediaType=Floppy/],
    [good.replace(/MediaId=.*\r\n/, ''), /lacks MediaId/],
    [good + 'Unattended=true\r\n', /set twice/],
    [good + 'Surprise=1\r\n', /unknown key Surprise/],
    [good.replace('2026-03-01T00:00:00.000Z', 'next March'), /MediaExpirationDate/],
    [good.replace('SiteCode=PS1', 'SiteCode=toolong'), /SiteCode/],
    ['garbage line\r\n', /not key=value/],
  ];
  for (const [text, msg] of cases) {
    const err = t.throws<TsmediaError>(() => parseBootstrap(Buffer.from(text)));
    t.is(err?.name, 'FormatError');
    t.regex(err!.message, msg);
  }
  t.regex(t.throws(() => parseBootstrap(Buffer.alloc(70_000, 0x41)))!.message, /bytes/);
  t.regex(t.throws(() => writeBootstrap({ ...settings, CreatedBy: 'x'.repeat(51) }))!.message, /limit is 50/);
});

test('the validity window refuses media before their start and after their expiry', (t) => {
  t.notThrows(() => checkMediaWindow(settings, new Date('2026-02-15T00:00:00Z')));
  t.notThrows(() => checkMediaWindow(settings, settings.MediaStartDate!));
  t.notThrows(() => checkMediaWindow(settings, settings.MediaExpirationDate!));
  const early = t.throws<TsmediaError>(() => checkMediaWindow(settings, new Date('2026-01-31T23:59:59Z')));
  t.is(early?.code, 'EMEDIA_NOT_YET_VALID');
  t.regex(early!.message, /-MediaStartDate/);
  const late = t.throws<TsmediaError>(() => checkMediaWindow(settings, new Date('2026-03-01T00:00:01Z')));
  t.is(late?.code, 'EMEDIA_EXPIRED');
  t.regex(late!.message, /-MediaExpirationDate/);
  t.notThrows(() => checkMediaWindow({}, new Date(0)));
});

const policy: TaskSequencePolicy = {
  TaskSequenceId: 'PS100010', TaskSequenceName: 'Deploy "Win11" <x64> & more', BootImageId: 'PS100001',
  References: [
    { Id: 'PS100004', Name: 'Tools', Type: 'Package', Role: 'Package', SourceVersion: 1 },
    { Id: 'PS100002', Name: 'Win11', Type: 'OperatingSystemImage', Role: 'OperatingSystemImage', SourceVersion: 3 },
  ],
};
const key = deriveMediaKey('policy pw', mediaSalt(MEDIA_ID));

test('the policy is sealed under the media key and round-trips', (t) => {
  const file = writePolicyFile(key, policy);
  t.false(file.includes('Win11'));
  const back = readPolicyFile(file, 'policy pw');
  t.is(back.TaskSequenceName, policy.TaskSequenceName);
  t.deepEqual(back.References.map((r) => r.Id), ['PS100002', 'PS100004']);
  t.deepEqual(back.References[0], policy.References[1]);
  t.true(writePolicyFile(key, policy).equals(file));
  t.is(t.throws<TsmediaError>(() => readPolicyFile(file, 'wrong'))?.code, 'EBAD_PASSWORD');
  const bad = Buffer.from(file);
  bad[bad.length - 30]! ^= 4;
  t.is(t.throws<TsmediaError>(() => readPolicyFile(bad, key))?.name, 'FormatError');
  // a variables file is not a policy
  t.regex(t.throws(() => readPolicyFile(Buffer.concat([Buffer.from('TSMVAR01'), file.subarray(8)]), key))!.message, /magic/);
});

const manifest: MediaManifest = {
  MediaKind: 'StandAlone', MediaId: MEDIA_ID, Created: '2026-01-15T12:00:00.000Z',
  TaskSequence: { Id: 'PS100010', Name: 'Deploy' }, ContentEncrypted: false,
  Items: [
    { Id: 'PS100004', Name: 'Tools', Type: 'Package', SourceVersion: 1, Files: [{ Path: 'setup.cmd', Size: 5, Sha256: SHA_B }, { Path: 'bin/tool.exe', Size: 9, Sha256: SHA_A }] },
    { Id: 'PS100002', Name: 'Win11', Type: 'OperatingSystemImage', SourceVersion: 3, Files: [{ Path: 'install.wim', Size: 100, Sha256: SHA_A }] },
  ],
  BootEntries: [{ Platform: 'BIOS', Path: 'boot\\etfsboot.com' }, { Platform: 'UEFI', Path: 'efi\\microsoft\\boot\\efisys.bin' }],
};

test('the manifest is canonical JSON and round-trips', (t) => {
  const bytes = writeManifest(manifest);
  const text = bytes.toString('utf8');
  t.true(text.endsWith('}\n'));
  t.deepEqual(Object.keys(JSON.parse(text) as object), ['Format', 'Version', 'MediaKind', 'MediaId', 'Created', 'TaskSequence', 'ContentEncrypted', 'Items', 'BootEntries']);
  const back = parseManifest(bytes);
  t.deepEqual(back.Items.map((i) => i.Id), ['PS100002', 'PS100004']);
  t.deepEqual(back.Items[1]!.Files.map((f) => f.Path), ['bin/tool.exe', 'setup.cmd']);
  // any input order gives the same bytes
  t.true(writeManifest({ ...manifest, Items: [...manifest.Items].reverse() }).equals(bytes));
  t.true(writeManifest(back).equals(bytes));
});

test('the manifest parser never trusts its input', (t) => {
  const good = JSON.parse(writeManifest(manifest).toString()) as Record<string, unknown> & { Items: Array<Record<string, unknown> & { Files: Array<Record<string, unknown>> }> };
  const mutate = (f: (m: typeof good) => void): Buffer => {
    const m = structuredClone(good);
    f(m);
    return Buffer.from(JSON.stringify(m));
  };
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from('{not json'), /not valid JSON/],
    [Buffer.from('[]'), /not an object/],
    [mutate((m) => { m.Version = 2; }), /Version 2/],
    [mutate((m) => { m.Extra = 1; }), /unknown key 'Extra'/],
    [mutate((m) => { m.MediaId = 'nope'; }), /MediaId/],
    [mutate((m) => { m.Items[0]!.Files[0]!.Path = '../../etc/passwd'; }), /safe relative path/],
    [mutate((m) => { m.Items[0]!.Files[0]!.Path = '/abs'; }), /safe relative path/],
    [mutate((m) => { m.Items[0]!.Files[0]!.Size = -1; }), /byte count/],
    [mutate((m) => { m.Items[0]!.Files[0]!.Size = 1e300; }), /byte count/],
    [mutate((m) => { m.Items[0]!.Files[0]!.Sha256 = 'A'.repeat(64); }), /lower-case hex/],
    [mutate((m) => { m.Items[0]!.SourceVersion = 0; }), /SourceVersion/],
    [mutate((m) => { m.Items[0]!.Type = 'Virus'; }), /unknown/],
    [mutate((m) => { m.Items.push(m.Items[0]!); }), /listed twice/],
    [mutate((m) => { m.Items[1]!.Files.push({ ...m.Items[1]!.Files[0]!, Path: 'BIN/TOOL.EXE' }); }), /listed twice/],
    [mutate((m) => { m.Items = {} as never; }), /not an array/],
  ];
  for (const [bytes, msg] of cases) {
    const err = t.throws<TsmediaError>(() => parseManifest(bytes));
    t.is(err?.name, 'FormatError', msg.source);
    t.regex(err!.message, msg);
  }
  t.throws(() => writeManifest({ ...manifest, MediaId: 'x' }), { message: /MediaId/ });
});
