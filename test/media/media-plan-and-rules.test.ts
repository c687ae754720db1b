import test from 'ava';
import type { Site } from '../../lib/catalog/sites.js';
import type { TsmediaError } from '../../lib/errors.js';
import { encryptedSize } from '../../lib/media/content-encryption.js';
import { autorunFile, mediaLabelFile, planItemFromCatalog, planMedia, volumeLabel } from '../../lib/media/media-plan.js';
import type { PlanItem } from '../../lib/media/media-plan.js';
import {
  checkCertificateChoice, checkContentAvailable, checkDynamicRootCa, checkHttpsCreatingSite, checkImageIndex,
  checkMediaDates, checkMediaSize, checkPrestart,
} from '../../lib/media/rules.js';

const SHA = 'c'.repeat(64);
const boot: PlanItem = { Id: 'PS100001', Name: 'Boot x64', Type: 'BootImage', SourceVersion: 1, Files: [{ Path: 'boot.wim', Size: 500_000_000, Sha256: SHA }] };
const os: PlanItem = { Id: 'PS100002', Name: 'Win11', Type: 'OperatingSystemImage', SourceVersion: 2, Files: [{ Path: 'install.wim', Size: 3_000_000_000, Sha256: SHA }] };
const pkg: PlanItem = { Id: 'PS100004', Name: 'Tools', Type: 'Package', SourceVersion: 1, Files: [{ Path: 'sub/b.cmd', Size: 10, Sha256: SHA }, { Path: 'a.cmd', Size: 20, Sha256: SHA }] };
const now = new Date('2026-01-01T00:00:00Z');

function paths(plan: { Files: Array<{ MediaPath: string }> }): string[] {
  return plan.Files.map((f) => f.MediaPath);
}

test('stand-alone media follow the ConfigMgr layout', (t) => {
  const plan = planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [pkg, os] });
  t.deepEqual(paths(plan), [
    'bootmgr', 'bootmgr.efi', 'boot\\bcd', 'boot\\boot.sdi', 'boot\\etfsboot.com', 'efi\\boot\\bootx64.efi',
    'efi\\microsoft\\boot\\bcd', 'efi\\microsoft\\boot\\efisys.bin', 'sources\\boot.wim',
    'SMS\\data\\Variables.dat', 'SMS\\data\\TsmBootstrap.ini', 'SMS\\data\\Policy.xml', 'SMS\\data\\MediaManifest.json',
    'SMS\\PKG\\PS100002\\install.wim', 'SMS\\PKG\\PS100004\\a.cmd', 'SMS\\PKG\\PS100004\\sub\\b.cmd',
    'MediaLabel.txt', 'autorun.inf',
  ]);
  t.is(plan.EstimatedBytes, 64 * 1024 * 1024 + 500_000_000 + 3_000_000_030);
});

test('bootable, capture and prestaged media carry what their kind allows', (t) => {
  const bootable = paths(planMedia({ kind: 'Bootable', output: 'Usb', bootImage: boot, content: [pkg], noAutoRun: true }));
  t.false(bootable.includes('SMS\\data\\Policy.xml'));
  t.false(bootable.includes('autorun.inf'));
  t.true(bootable.includes('SMS\\PKG\\PS100004\\a.cmd'));
  t.regex(t.throws(() => planMedia({ kind: 'Bootable', output: 'Iso', bootImage: boot, content: [pkg, os] }))!.message, /only the prestart package/);
  t.regex(t.throws(() => planMedia({ kind: 'Capture', output: 'Iso', bootImage: boot, content: [pkg] }))!.message, /carry no content/);
  const pre = paths(planMedia({ kind: 'Prestaged', output: 'Wim', bootImage: boot, content: [os] }));
  t.false(pre.includes('MediaLabel.txt'));
  t.true(pre.includes('SMS\\PKG\\PS100002\\install.wim'));
  t.regex(t.throws(() => planMedia({ kind: 'Prestaged', output: 'Iso', bootImage: boot, content: [] }))!.message, /one \.wim/);
  t.regex(t.throws(() => planMedia({ kind: 'Bootable', output: 'Wim', bootImage: boot, content: [] }))!.message, /only prestaged/);
});

test('-EncryptContent plans encrypted sizes for content and keeps the boot image clear', (t) => {
  const plan = planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [pkg], encryptContent: true });
  const a = plan.Files.find((f) => f.MediaPath === 'SMS\\PKG\\PS100004\\a.cmd')!;
  t.is(a.Size, encryptedSize(20));
  t.like(a.Source, { Kind: 'Content', Encrypted: true });
  t.like(plan.Files.find((f) => f.MediaPath === 'sources\\boot.wim')!.Source, { Encrypted: false });
});

test('content over the media size, and files over 4 GiB on USB, are refused', (t) => {
  const e = t.throws<TsmediaError>(() => planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [os], mediaSize: 'Size650MB' }));
  t.is(e?.code, 'EMEDIA_TOO_SMALL');
  t.regex(e!.message, /Choose a larger -MediaSize/);
  t.notThrows(() => planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [os], mediaSize: 'Size4GB' }));
  t.notThrows(() => checkMediaSize(1e15, 'SizeUnlimited'));
  const huge: PlanItem = { ...os, Files: [{ Path: 'install.wim', Size: 5 * 2 ** 30, Sha256: SHA }] };
  const f = t.throws<TsmediaError>(() => planMedia({ kind: 'StandAlone', output: 'Usb', bootImage: boot, content: [huge] }));
  t.is(f?.code, 'EFILE_TOO_LARGE_FOR_FAT32');
  t.regex(f!.message, /SMS\\PKG\\PS100002\\install\.wim/);
});

test('paths that collide case-insensitively are refused', (t) => {
  const clash: PlanItem = { ...pkg, Files: [{ Path: 'A.cmd', Size: 1, Sha256: SHA }, { Path: 'a.cmd', Size: 1, Sha256: SHA }] };
  t.regex(t.throws(() => planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [clash] }))!.message, /differ only in case/);
});

test('media label files', (t) => {
  t.is(mediaLabelFile('Configuration Manager').toString(), 'label=Configuration Manager\r\n');
  t.is(volumeLabel('Configuration Manager'), 'Configurati');
  t.regex(autorunFile('X').toString(), /^\[autorun\]\r\n/);
  t.throws(() => mediaLabelFile('two\nlines'));
});

function site(code: string, type: Site['Type'], root: string | null): Site {
  return { SiteCode: code, SiteName: code, Type: type, ParentSiteCode: null, Https: true, RootCertificateThumbprint: root, Created: now.toISOString() };
}

test('HTTPS bootable and prestaged media must come from a primary site', (t) => {
  const cas = site('CAS', 'CentralAdministration', 'AA');
  for (const kind of ['Bootable', 'Prestaged'] as const) {
    const e = t.throws<TsmediaError>(() => checkHttpsCreatingSite(kind, cas, true));
    t.is(e?.code, 'EHTTPS_AT_CAS');
    t.is(e?.name, 'RuleError');
    t.regex(e!.message, /primary site, not at the central administration site CAS.*-SiteCode/);
  }
  t.notThrows(() => checkHttpsCreatingSite('Bootable', cas, false));
  t.notThrows(() => checkHttpsCreatingSite('StandAlone', cas, true));
  t.notThrows(() => checkHttpsCreatingSite('Bootable', site('PS1', 'Primary', 'AA'), true));
});

test('dynamic HTTPS media need every primary to hold the creating site\'s root CA', (t) => {
  const ps1 = site('PS1', 'Primary', 'AA');
  const sites = [site('CAS', 'CentralAdministration', null), ps1, site('PS2', 'Primary', 'AA'), site('PS3', 'Primary', 'BB')];
  const e = t.throws<TsmediaError>(() => checkDynamicRootCa('Dynamic', true, ps1, sites));
  t.is(e?.code, 'EROOT_CA_MISMATCH');
  t.regex(e!.message, /PS3 does not.*-MediaMode SiteBased.*import PS1's root CA/);
  t.notThrows(() => checkDynamicRootCa('SiteBased', true, ps1, sites));
  t.notThrows(() => checkDynamicRootCa('Dynamic', false, ps1, sites));
  t.notThrows(() => checkDynamicRootCa('Dynamic', true, ps1, sites.slice(0, 3)));
  t.is(t.throws<TsmediaError>(() => checkDynamicRootCa('Dynamic', true, site('PS4', 'Primary', null), sites))?.code, 'EROOT_CA_MISSING');
});

test('HTTPS media need a certificate with a sound validity', (t) => {
  const e = t.throws<TsmediaError>(() => checkCertificateChoice(true, {}, now));
  t.is(e?.code, 'ECERTIFICATE_REQUIRED');
  t.regex(e!.message, /-CertificatePath.*-CertificateStartTime and -CertificateExpireTime/);
  t.notThrows(() => checkCertificateChoice(false, {}, now));
  t.notThrows(() => checkCertificateChoice(true, { selfSigned: { start: now, expire: new Date('2027-01-01T00:00:00Z') } }, now));
  t.regex(t.throws(() => checkCertificateChoice(true, { selfSigned: { start: now, expire: now } }, now))!.message, /later than -CertificateStartTime/);
  t.regex(t.throws(() => checkCertificateChoice(true, { selfSigned: { start: new Date(0), expire: new Date(1000) } }, now))!.message, /already past/);
  t.is(t.throws<TsmediaError>(() => checkCertificateChoice(true, { imported: { notBefore: new Date(0), notAfter: new Date(1000), thumbprint: 'AB' } }, now))?.code, 'ECERTIFICATE_EXPIRED');
  t.is(t.throws<TsmediaError>(() => checkCertificateChoice(true, { imported: { notBefore: now, notAfter: now, thumbprint: 'AB' }, selfSigned: { start: now, expire: now } }, now))?.code, 'ECERTIFICATE_CHOICE');
});

test('content must be in the library, whole and at its recorded revision', (t) => {
  const lib = new Map([['PS100002', { SourceVersion: 2, MissingFiles: 0 }], ['PS100004', { SourceVersion: 3, MissingFiles: 0 }], ['PS100005', { SourceVersion: 1, MissingFiles: 2 }]]);
  const look = (id: string): { SourceVersion: number; MissingFiles: number } | undefined => lib.get(id);
  t.notThrows(() => checkContentAvailable([{ Id: 'PS100002', SourceVersion: 2 }], look));
  const missing = t.throws<TsmediaError>(() => checkContentAvailable([{ Id: 'PS100002', SourceVersion: 2 }, { Id: 'PS100009', SourceVersion: 1 }], look));
  t.is(missing?.code, 'ECONTENT_MISSING');
  t.regex(missing!.message, /PS100009/);
  const changed = t.throws<TsmediaError>(() => checkContentAvailable([{ Id: 'PS100004', SourceVersion: 1 }], look));
  t.is(changed?.code, 'ECONTENT_CHANGED');
  t.regex(changed!.message, /PS100004 \(recorded version 1, library has 3\)/);
  t.is(t.throws<TsmediaError>(() => checkContentAvailable([{ Id: 'PS100005', SourceVersion: 1 }], look))?.code, 'ECONTENT_INCOMPLETE');
});

test('dates, image index and prestart rules', (t) => {
  const d = t.throws<TsmediaError>(() => checkMediaDates(new Date('2026-02-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z')));
  t.is(d?.code, 'EMEDIA_DATES');
  t.regex(d!.message, /-MediaExpirationDate .* must be later than -MediaStartDate/);
  t.notThrows(() => checkMediaDates(undefined, now));
  const i = t.throws<TsmediaError>(() => checkImageIndex(4, 3, 'PS100002'));
  t.is(i?.code, 'EBAD_IMAGE_INDEX');
  t.regex(i!.message, /PS100002 holds 3 image\(s\) \(1 to 3\)/);
  t.notThrows(() => checkImageIndex(3, 3, 'PS100002'));
  t.throws(() => checkImageIndex(0, 3, 'PS100002'));
  const p = t.throws<TsmediaError>(() => checkPrestart('PS100004', undefined));
  t.is(p?.code, 'EPRESTART_COMMAND');
  t.regex(p!.message, /without -PrestartCommand/);
  t.notThrows(() => checkPrestart('PS100004', 'cmd /c run.cmd'));
  t.notThrows(() => checkPrestart(undefined, 'cmd /c run.cmd'));
  t.throws(() => checkPrestart(undefined, '  '));
});

test('catalog items and manifests become plan items', (t) => {
  const item = planItemFromCatalog({ Id: 'PS100004', Name: 'Tools', Type: 'Package', SourceVersion: 2 }, [{ path: 'a/b.cmd', size: 3, sha256: SHA }]);
  t.deepEqual(item, { Id: 'PS100004', Name: 'Tools', Type: 'Package', SourceVersion: 2, Files: [{ Path: 'a/b.cmd', Size: 3, Sha256: SHA }] });
  t.true(paths(planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: boot, content: [item] })).includes('SMS\\PKG\\PS100004\\a\\b.cmd'));
});
