// A medium staged to a folder as a builder will (generated files + content streamed through the
// encryptor into the plan's paths), checked with independent tools: grep for a secret marker,
// cmp for byte-identical rebuilds.
import test from 'ava';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TsmediaError } from '../../lib/errors.js';
import { createDecryptStream, createEncryptStream } from '../../lib/media/content-encryption.js';
import { checkBootstrapMatchesVariables, parseBootstrap } from '../../lib/media/bootstrap.js';
import { deriveMediaKey, mediaSalt } from '../../lib/media/media-key.js';
import { buildMediaData } from '../../lib/media/media-data.js';
import type { MediaDataInput } from '../../lib/media/media-data.js';
import { parseManifest } from '../../lib/media/media-manifest.js';
import { planMedia } from '../../lib/media/media-plan.js';
import type { PlanItem } from '../../lib/media/media-plan.js';
import { readVariablesFile, variableValue } from '../../lib/media/media-variables.js';
import { readPolicyFile } from '../../lib/media/policy.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';

const MARKER = 'TSMEDIA-SECRET-MARKER-5d21';
const VAR_MARKER = 'TSMEDIA-VARIABLE-MARKER-88c4';

async function sourceFiles(dir: string): Promise<{ boot: PlanItem; pkg: PlanItem; read: (id: string, path: string) => string }> {
  const files: Record<string, Record<string, Buffer>> = {
    PS100001: { 'boot.wim': Buffer.from('MSWIM\0\0\0 stand-in boot image') },
    PS100004: {
      'setup.cmd': Buffer.from(`@echo off\r\nrem ${MARKER}\r\n`),
      'data/blob.bin': Buffer.concat([Buffer.alloc(1_500_000, 7), Buffer.from(MARKER), Buffer.alloc(10, 1)]),
      'empty.txt': Buffer.alloc(0),
    },
  };
  const items: Record<string, PlanItem> = {};
  for (const [id, tree] of Object.entries(files)) {
    const list = [];
    for (const [path, data] of Object.entries(tree)) {
      const p = join(dir, id, path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, data);
      list.push({ Path: path, Size: data.length, Sha256: createHash('sha256').update(data).digest('hex') });
    }
    items[id] = { Id: id, Name: id === 'PS100001' ? 'Boot' : 'Tools', Type: id === 'PS100001' ? 'BootImage' : 'Package', SourceVersion: 1, Files: list };
  }
  return { boot: items.PS100001!, pkg: items.PS100004!, read: (id, path) => join(dir, id, path) };
}

async function stage(t: import('ava').ExecutionContext, src: Awaited<ReturnType<typeof sourceFiles>>, encrypt: boolean): Promise<string> {
  const out = await tempDir(t);
  const input: MediaDataInput = {
    kind: 'StandAlone', launchMode: 'CD', password: 'Media-Pa55', created: new Date('2026-01-01T00:00:00Z'), siteCode: 'PS1',
    bootImage: src.boot, content: [src.pkg], encryptContent: encrypt, variables: { DeployToken: VAR_MARKER },
    taskSequence: { Id: 'PS100010', Name: 'Deploy', References: [{ Id: 'PS100004', Name: 'Tools', Type: 'Package', Role: 'Package', SourceVersion: 1 }] },
    mediaStartDate: new Date('2026-01-01T00:00:00Z'), mediaExpirationDate: new Date('2026-12-31T00:00:00Z'),
  };
  const data = buildMediaData(input);
  const plan = planMedia({ kind: 'StandAlone', output: 'Iso', bootImage: src.boot, content: [src.pkg], encryptContent: encrypt });
  for (const f of plan.Files) {
    const target = join(out, ...f.MediaPath.split('\\'));
    await mkdir(dirname(target), { recursive: true });
    const s = f.Source;
    if (s.Kind === 'Generated') await writeFile(target, data.Files.get(s.Name)!);
    else if (s.Kind === 'Content') {
      const from = createReadStream(src.read(s.ContentId, s.Path), { highWaterMark: 100_000 });
      if (s.Encrypted) await pipeline(from, createEncryptStream(data.Key, { sha256: s.Sha256, size: s.Size }), createWriteStream(target));
      else await pipeline(from, createWriteStream(target));
      if (f.Size !== null) t.is((await readFile(target)).length, f.Size, f.MediaPath);
    }
    // boot files come from the boot image's WIM: the WIM reader's job, not staged here
  }
  return out;
}

test('encrypted content and variables are nowhere in the clear (grep), and the password opens them', async (t) => {
  const src = await sourceFiles(await tempDir(t));
  const clear = await stage(t, src, false);
  const sealed = await stage(t, src, true);
  // the check can fail: without -EncryptContent grep finds the marker
  const found = await run('grep', ['-r', '-l', '-a', MARKER, clear]);
  t.is(found.code, 0, found.stderr);
  t.regex(found.stdout, /setup\.cmd/);
  const none = await run('grep', ['-r', '-l', '-a', '-e', MARKER, '-e', VAR_MARKER, sealed]);
  t.is(none.code, 1, `found in: ${none.stdout}`);
  const varsFile = await readFile(join(sealed, 'SMS', 'data', 'Variables.dat'));
  t.is(t.throws<TsmediaError>(() => readVariablesFile(varsFile, 'wrong'))?.code, 'EBAD_PASSWORD');
  const vars = readVariablesFile(varsFile, 'Media-Pa55');
  t.is(variableValue(vars, 'DeployToken'), VAR_MARKER);
  t.is(variableValue(vars, '_SMSTSMediaType'), 'FullMedia');
  const boot = parseBootstrap(await readFile(join(sealed, 'SMS', 'data', 'TsmBootstrap.ini')));
  t.true(boot.PasswordRequired);
  t.is(variableValue(vars, '_SMSMediaGuid'), boot.MediaId);
  t.notThrows(() => checkBootstrapMatchesVariables(boot, vars));
  // widening the window in the clear INI is caught against the sealed copy
  const widened = { ...boot, MediaExpirationDate: new Date('2099-01-01T00:00:00Z') };
  t.regex(t.throws(() => checkBootstrapMatchesVariables(widened, vars))!.message, /MediaExpirationDate .* differs/);
  t.is(readPolicyFile(await readFile(join(sealed, 'SMS', 'data', 'Policy.xml')), 'Media-Pa55').References[0]!.Id, 'PS100004');
  const manifest = parseManifest(await readFile(join(sealed, 'SMS', 'data', 'MediaManifest.json')));
  t.true(manifest.ContentEncrypted);
  t.is(manifest.MediaId, boot.MediaId);
  // and the content decrypts back to the original bytes with the media key
  const data = buildMediaData({ kind: 'StandAlone', launchMode: 'CD', password: 'Media-Pa55', created: new Date(0), siteCode: 'PS1', bootImage: src.boot, content: [] });
  t.not(data.MediaId, boot.MediaId, 'another description, another media id');
  const target = join(await tempDir(t), 'blob.bin');
  const key = deriveMediaKey('Media-Pa55', mediaSalt(boot.MediaId));
  await pipeline(createReadStream(join(sealed, 'SMS', 'PKG', 'PS100004', 'data', 'blob.bin')), createDecryptStream(key), createWriteStream(target));
  t.true((await readFile(target)).equals(await readFile(src.read('PS100004', 'data/blob.bin'))));
});

test('building the same password-protected medium twice gives byte-identical files (diff -r)', async (t) => {
  const src = await sourceFiles(await tempDir(t));
  const a = await stage(t, src, true);
  const b = await stage(t, src, true);
  const diff = await run('diff', ['-r', '-q', a, b]);
  t.is(diff.code, 0, diff.stdout + diff.stderr);
  // and the comparison can fail: other content gives other bytes
  const other = await sourceFiles(await tempDir(t));
  await writeFile(other.read('PS100004', 'setup.cmd'), 'changed');
  const changed = { ...other, pkg: { ...other.pkg, SourceVersion: 2, Files: other.pkg.Files.map((f) => f.Path === 'setup.cmd' ? { ...f, Size: 7, Sha256: createHash('sha256').update('changed').digest('hex') } : f) } };
  const c = await stage(t, changed, true);
  t.not((await run('diff', ['-r', '-q', a, c])).code, 0);
});

test('each media kind gets its own generated files and media type', async (t) => {
  const src = await sourceFiles(await tempDir(t));
  const base = { launchMode: 'UFD+FORMAT', password: null, created: new Date('2026-01-01T00:00:00Z'), siteCode: 'ps1', bootImage: src.boot } as const;
  const bootable = buildMediaData({ ...base, kind: 'Bootable', content: [], mediaMode: 'Dynamic', managementPoints: ['http://mp1/'], noAutoRun: true });
  t.deepEqual([...bootable.Files.keys()], ['Variables', 'Bootstrap', 'Manifest', 'MediaLabel']);
  const vars = readVariablesFile(bootable.Files.get('Variables')!, null);
  t.is(variableValue(vars, '_SMSTSMediaType'), 'BootMedia');
  t.is(variableValue(vars, 'SMSTSLocationMPs'), 'http://mp1/');
  t.false(parseBootstrap(bootable.Files.get('Bootstrap')!).PasswordRequired);
  const pre = buildMediaData({ ...base, kind: 'Prestaged', launchMode: 'HD', content: [src.pkg], createdBy: 'OEM' });
  t.deepEqual([...pre.Files.keys()], ['Variables', 'Bootstrap', 'Manifest']);
  t.is(variableValue(readVariablesFile(pre.Files.get('Variables')!, null), '_SMSTSMediaType'), 'OEMMedia');
  t.is(parseBootstrap(pre.Files.get('Bootstrap')!).MediaType, 'OEMMedia');
  t.not(pre.MediaId, bootable.MediaId);
  t.throws(() => buildMediaData({ ...base, kind: 'StandAlone', content: [], mediaStartDate: new Date('2026-02-01T00:00:00Z'), mediaExpirationDate: new Date('2026-01-01T00:00:00Z') }), { message: /must be later than -MediaStartDate/ });
});
