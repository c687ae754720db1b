import test from 'ava';
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsmediaError } from '../../../lib/errors.js';
import { applyImage } from '../../../lib/formats/wim/apply.js';
import { captureWim } from '../../../lib/formats/wim/capture.js';
import { FormatError } from '../../../lib/errors.js';
import { decodeMetadata, encodeMetadata, type WimNode } from '../../../lib/formats/wim/metadata.js';
import { openWim } from '../../../lib/formats/wim/reader.js';
import { tempDir } from '../../helpers/tmp.js';

const now = new Date('2026-01-01T00:00:00Z');

test('apply: links that leave the target are not made; absolute ones neither; the target must be empty', async (t) => {
  const dir = await tempDir(t, 'tsm-wim-');
  const src = join(dir, 'src');
  mkdirSync(join(src, 'a', 'b'), { recursive: true });
  writeFileSync(join(src, 'a', 'b', 'f'), 'x');
  symlinkSync('../../../../etc/passwd', join(src, 'a', 'b', 'escape'));
  symlinkSync('/etc/passwd', join(src, 'absolute'));
  symlinkSync('../a/b/f', join(src, 'a', 'inside'));
  symlinkSync('..', join(src, 'a', 'b', 'up'));
  const wim = join(dir, 'w.wim');
  await captureWim(wim, [{ source: src }], { compression: 'none', now });
  const w = openWim(wim);
  const out = join(dir, 'out');
  const r = await applyImage(w, 1, out);
  t.deepEqual(r.skippedLinks.sort(), ['a/b/escape', 'absolute']);
  t.is(readlinkSync(join(out, 'a', 'inside')), '../a/b/f');
  t.is(readlinkSync(join(out, 'a', 'b', 'up')), '..');
  t.false(existsSync(join(out, 'absolute')));
  await t.throwsAsync(applyImage(w, 1, out), { instanceOf: TsmediaError, message: /not empty/ });
  const unsafe = await applyImage(w, 1, join(dir, 'unsafe'), { unsafeSymlinks: true });
  t.deepEqual(unsafe.skippedLinks, []);
  t.true(lstatSync(join(dir, 'unsafe', 'absolute')).isSymbolicLink());
  t.is(readlinkSync(join(dir, 'unsafe', 'absolute')), '/etc/passwd');
  w.close();
});

test('metadata: a 20000-level tree encodes without recursion; decoding stops at wimlib\'s 16384 levels', (t) => {
  const mk = (name: string, children: WimNode[] | null): WimNode => ({
    name, shortName: '', attributes: children ? 0x10 : 0x80, securityId: -1, creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n,
    dataHash: null, reparseTag: 0, rpFlags: 0, reparseHash: null, hardLinkId: 0n, namedStreams: [], tagged: new Uint8Array(0), children,
  });
  const build = (depth: number): WimNode => {
    const root = mk('', []);
    let cur = root;
    for (let i = 0; i < depth; i++) { const d = mk('d', []); cur.children?.push(d); cur = d; }
    cur.children?.push(mk('leaf', null));
    return root;
  };
  const ok = decodeMetadata(encodeMetadata({ security: [], root: build(16000) }));
  let depth = 0;
  for (let n: WimNode | undefined = ok.root; n?.children?.length; n = n.children[0]) depth++;
  t.is(depth, 16001);
  t.throws(() => decodeMetadata(encodeMetadata({ security: [], root: build(20000) })), { instanceOf: FormatError, message: /deeper than 16384/ });
});
