import test from 'ava';
import { spawn } from 'node:child_process';
import { readCatalog, forgetCatalogSnapshot } from '../../lib/catalog/catalog.js';
import { findContent } from '../../lib/catalog/content.js';
import { loadSqlJs } from '../../lib/catalog/database.js';
import { readFile, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { catalogPath } from '../../lib/catalog/catalog.js';
import { tempDir } from '../helpers/tmp.js';
import { writeTree } from '../helpers/sample-tree.js';

const now = new Date('2026-01-01T00:00:00Z');
const storeModule = new URL('../../lib/content/content-store.js', import.meta.url).href;
const catalogModule = new URL('../../lib/catalog/catalog.js', import.meta.url).href;
const sitesModule = new URL('../../lib/catalog/sites.js', import.meta.url).href;
const poolModule = new URL('../../lib/pool/pool.js', import.meta.url).href;

function node(script: string, env: Record<string, string>): { done: Promise<number>; kill(): void } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  return {
    done: new Promise((resolve) => child.on('close', (code) => { if (code) process.stderr.write(err); resolve(code ?? -1); })),
    kill: () => child.kill('SIGKILL'),
  };
}

test('two processes importing packages at the same moment both land; none is lost', async (t) => {
  const home = await tempDir(t);
  const src = await tempDir(t);
  await writeTree(src, { 'a.txt': 'a', 'b/c.txt': 'c' });
  const script = (tag: string) => `
    import { importNewContent } from '${storeModule}';
    import { closePool } from '${poolModule}';
    for (let i = 0; i < 12; i++) await importNewContent(process.env.HOME_DIR, new Date(0), { type: 'Package', name: '${tag}' + i, sourcePath: process.env.SRC, siteCode: 'PS1' });
    await closePool();`;
  const codes = await Promise.all([node(script('A'), { HOME_DIR: home, SRC: src }).done, node(script('B'), { HOME_DIR: home, SRC: src }).done]);
  t.deepEqual(codes, [0, 0]);
  forgetCatalogSnapshot(home);
  const items = await readCatalog(home, now, (db) => findContent(db, {}));
  t.is(items.length, 24);
  t.is(new Set(items.map((i) => i.Id)).size, 24, 'every package got its own ID');
  t.is(items.filter((i) => i.Name.startsWith('A')).length, 12);
});

test('a writer killed at any moment leaves the previous or the new catalog, never a broken one', async (t) => {
  const home = await tempDir(t);
  const script = `
    import { writeCatalog } from '${catalogModule}';
    import { allocateObjectId } from '${sitesModule}';
    for (;;) await writeCatalog(process.env.HOME_DIR, new Date(0), (db) => { for (let i = 0; i < 50; i++) allocateObjectId(db, 'PS1'); });`;
  const SQL = await loadSqlJs();
  let last = 0;
  for (let round = 0; round < 4; round++) {
    const child = node(script, { HOME_DIR: home });
    // wait until this child has saved at least once, then kill it at a varying moment
    const before = await stat(catalogPath(home)).then((s) => s.mtimeMs, () => 0);
    for (let i = 0; i < 200 && (await stat(catalogPath(home)).then((s) => s.mtimeMs, () => 0)) === before; i++) await delay(25);
    await delay((round * 37) % 60);
    child.kill();
    await child.done;
    const bytes = await readFile(catalogPath(home));
    const db = new SQL.Database(bytes);
    t.is(db.exec('PRAGMA integrity_check')[0]?.values[0]?.[0], 'ok');
    const next = Number(db.exec("SELECT next_object FROM sites WHERE code = 'PS1'")[0]?.values[0]?.[0]);
    t.true((next - 1) % 50 === 0, 'each saved catalog holds whole transactions');
    t.true(next >= last, 'never goes back');
    last = next;
    db.close();
  }
  t.true(last > 1, 'some writes landed');
});
