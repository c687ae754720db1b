// Incremental prestaged rebuilds: content unchanged since an earlier build is copied into the new
// WIM already compressed (the resource cache in the tsmedia home, keyed by SHA-256); after one
// driver file is revised only that file is compressed again, and the WIM still verifies and
// applies with the new file.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../helpers/run.js';
import { pseudoRandomBytes } from '../helpers/sample-tree.js';
import { sampleSite } from './sample-site.js';

test('a prestaged rebuild after one driver revision compresses only the changed file', async (t) => {
  const site = await sampleSite(t);
  const { ids } = site;
  const argv = ['New-CMPrestageMedia', '-TaskSequence', 'Deploy', '-BootImage', ids.boot, '-OperatingSystemImage', ids.os];
  const first = await site.ok([...argv, '-Path', join(site.dir, 'v1.wim')]);
  const contentFiles = 1 + 1 + 3 + 1 + 2 + 2; // boot.wim, install.wim, office 3, scripts 1, drivers 2, app 2
  t.is(first.ReusedResources, 0);
  t.is(first.CompressedResources, contentFiles);
  const same = await site.ok([...argv, '-Path', join(site.dir, 'again.wim')]);
  t.is(same.CompressedResources, 0, 'nothing changed: everything is reused');
  t.true((await readFile(join(site.dir, 'v1.wim'))).equals(await readFile(join(site.dir, 'again.wim'))), 'reuse gives the same bytes');

  const driver = pseudoRandomBytes(44_000, 77);
  await writeFile(join(site.sources, 'drivers', 'net', 'e1d.sys'), driver);
  await site.ok(['Update-CMContent', '-Id', ids.drivers]);
  const second = await site.ok([...argv, '-Path', join(site.dir, 'v2.wim')]);
  t.is(second.CompressedResources, 1, 'only the revised driver file is compressed');
  t.is(second.ReusedResources, contentFiles - 1);
  const v = await run('wimlib-imagex', ['verify', join(site.dir, 'v2.wim')]);
  t.is(v.code, 0, v.stdout + v.stderr);
  const out = join(site.dir, 'applied');
  t.is((await run('wimlib-imagex', ['apply', join(site.dir, 'v2.wim'), '1', out])).code, 0);
  t.deepEqual(await readFile(join(out, 'SMS', 'PKG', ids.drivers, 'net', 'e1d.sys')), driver);
});
