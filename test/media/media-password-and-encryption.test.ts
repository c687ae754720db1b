// The media password: a wrong one is refused, the right one opens the variables (the user's too)
// and the policy; -EncryptContent leaves no content byte in the clear anywhere in the image (a
// marker string in two packages is found in a plain build's image and in no encrypted one).
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTENT_MARKER, sampleSite } from './sample-site.js';

test('a wrong password is refused; the right one reveals the variables and the policy', async (t) => {
  const site = await sampleSite(t);
  const iso = join(site.dir, 'sa.iso');
  const pw = join(site.dir, 'pw.txt');
  await writeFile(pw, 'correct horse\n');
  await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', 'CdDvd', '-Path', iso, '-MediaPasswordFile', pw, '-Variable', 'OSDComputerName=LAB-01,SiteLocation=Berlin']);
  const closed = await site.ok(['Get-TSMediaInfo', '-Path', iso]);
  t.true(closed.PasswordRequired);
  t.is(closed.Variables, undefined, 'no variables without the password');
  const wrong = await site.run(['Get-TSMediaInfo', '-Path', iso, '-MediaPassword', 'wrong horse']);
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /media password is wrong/i);
  t.is(wrong.stdout, '');
  const open = await site.ok(['Get-TSMediaInfo', '-Path', iso, '-MediaPasswordFile', pw]);
  t.is(open.Variables.OSDComputerName, 'LAB-01');
  t.is(open.Variables.SiteLocation, 'Berlin');
  t.is(open.Variables._SMSTSMediaType, 'FullMedia');
  t.is(open.Variables._SMSMediaGuid, open.MediaId);
  t.is(open.Policy.TaskSequenceId, site.ids.ts);
  t.is(open.Policy.References.length, 6);
  const env = await site.ok(['Get-TSMediaInfo', '-Path', iso], { TSMEDIA_MEDIA_PASSWORD: 'correct horse' });
  t.is(env.Variables, undefined, 'the environment password is used only when a password is asked for');
});

for (const mediaType of ['CdDvd', 'Usb'] as const) {
  test(`-EncryptContent on ${mediaType}: the content marker is nowhere in the image, but is in a plain one`, async (t) => {
    const site = await sampleSite(t);
    const plain = join(site.dir, 'plain.img');
    const sealed = join(site.dir, 'sealed.img');
    const env = { TSMEDIA_MEDIA_PASSWORD: 'p@ss' };
    await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', mediaType, '-Path', plain], env);
    await site.ok(['New-CMStandaloneMedia', '-TaskSequence', 'Deploy', '-MediaType', mediaType, '-Path', sealed, '-EncryptContent'], env);
    const marker = Buffer.from(CONTENT_MARKER);
    t.true((await readFile(plain)).includes(marker), 'the plain image holds the marker (the test can fail)');
    const bytes = await readFile(sealed);
    t.false(bytes.includes(marker), 'no marker in the encrypted image');
    t.false(bytes.includes(Buffer.from(CONTENT_MARKER, 'utf16le')), 'nor as UTF-16');
    const info = await site.ok(['Get-TSMediaInfo', '-Path', sealed], env);
    t.true(info.ContentEncrypted);
  });
}
