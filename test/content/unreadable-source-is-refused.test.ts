// Test: a file or folder in the source that the importing user cannot read is one clear error line
// naming it, and nothing is kept (no content row, no pack). Root reads anything, so when the tests
// run as root the import runs as nobody (setpriv), through the compiled bin.
import test from 'ava';
import { chmod, chown, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '../../lib/catalog/catalog.js';
import { findContent } from '../../lib/catalog/content.js';
import { packsDir } from '../../lib/content/library.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tmp.js';
import { writeTree } from '../helpers/sample-tree.js';

const BIN = fileURLToPath(new URL('../../bin/tsmedia.js', import.meta.url));
const NOBODY = 65534;
const root = process.getuid?.() === 0;

for (const [what, unreadable] of [['file', 'sub/secret.txt'], ['folder', 'sub']] as const) {
  test(`an unreadable ${what} in the source is refused and nothing is kept`, async (t) => {
    const base = await tempDir(t);
    await chmod(base, 0o755);
    const home = join(base, 'home');
    const src = join(base, 'src');
    await mkdir(home);
    await writeTree(src, { 'a.txt': 'a', 'sub/secret.txt': 'secret', 'z/b.txt': 'b' });
    await chmod(join(src, unreadable), 0);
    t.teardown(() => chmod(join(src, unreadable), 0o755));
    if (root) await chown(home, NOBODY, NOBODY);
    const [cmd, ...prefix] = root ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath] : [process.execPath];
    const r = await run(cmd!, [...prefix, BIN, 'New-CMPackage', '-Name', 'P', '-Path', src], { env: { ...process.env, TSMEDIA_HOME: home, HOME: base }, timeoutMs: 30_000 });
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, new RegExp(`Cannot read .*${unreadable.replace('/', '.')}`));
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.is(r.stdout, '');
    const now = new Date('2026-01-01T00:00:00Z');
    t.deepEqual(await readCatalog(home, now, (db) => findContent(db, {})), []);
    t.deepEqual(await readdir(packsDir(home)).catch(() => []), []);
  });
}
