// Reproducible media: the same content revisions, parameters and SOURCE_DATE_EPOCH give
// byte-identical media, password-protected and encrypted ones included; another clock or
// another password gives other bytes (so the comparison can fail).
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleSite } from './sample-site.js';

const cases: Array<[string, string[]]> = [
  ['stand-alone ISO, password, encrypted content', ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-EncryptContent']],
  ['stand-alone USB, password', ['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'Usb']],
  ['prestaged WIM, self-signed certificate', ['New-CMPrestageMedia', '-TaskSequence', 'Deploy', '-BootImage', 'WinPE x64', '-OperatingSystemImage', 'Windows 11',
    '-CertificateStartTime', '2026-01-01', '-CertificateExpireTime', '2027-01-01']],
];

for (const [name, argv] of cases) {
  test(`${name}: two builds are byte-identical`, async (t) => {
    const site = await sampleSite(t);
    const env = { TSMEDIA_MEDIA_PASSWORD: 'same password' };
    const a = await site.ok([...argv, '-Path', join(site.dir, 'a.out')], env);
    const b = await site.ok([...argv, '-Path', join(site.dir, 'b.out')], env);
    t.is(a.MediaId, b.MediaId);
    t.true((await readFile(join(site.dir, 'a.out'))).equals(await readFile(join(site.dir, 'b.out'))));
    const c = await site.ok([...argv, '-Path', join(site.dir, 'c.out')], { TSMEDIA_MEDIA_PASSWORD: 'other password' });
    t.false((await readFile(join(site.dir, 'a.out'))).equals(await readFile(join(site.dir, 'c.out'))), 'another password, other bytes');
    t.is(c.MediaId, a.MediaId, 'the media id names the content, not the secret');
    await site.ok([...argv, '-Path', join(site.dir, 'd.out')], { ...env, SOURCE_DATE_EPOCH: '1767312000' });
    t.false((await readFile(join(site.dir, 'a.out'))).equals(await readFile(join(site.dir, 'd.out'))), 'another clock, other bytes');
  });
}
