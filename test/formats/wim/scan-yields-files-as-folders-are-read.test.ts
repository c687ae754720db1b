import test from 'ava';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanTreeFiles, type ScannedFile } from '../../../lib/formats/wim/scan.js';

test('the scan yields a folder\'s files before it reads the next folder, in collation order, hard links once', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tsm-scan-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  writeFileSync(join(root, 'a', 'Y'), 'y');
  writeFileSync(join(root, 'a', 'x'), 'x');
  writeFileSync(join(root, 'top'), 'top');
  linkSync(join(root, 'a', 'x'), join(root, 'b', 'x-link'));
  const scan = scanTreeFiles(root);
  const first = scan.next();
  t.false(first.done);
  t.is((first.value as ScannedFile).path, join(root, 'a', 'x'));
  // b is read only when the scan gets there: a file made now is found
  writeFileSync(join(root, 'b', 'late'), 'late');
  const rest: string[] = [];
  let step = scan.next();
  for (; !step.done; step = scan.next()) rest.push(step.value.path);
  t.deepEqual(rest, [join(root, 'a', 'Y'), join(root, 'b', 'late'), join(root, 'top')]);
  const result = step.value;
  t.deepEqual(result.files.map((f) => f.path), [join(root, 'a', 'x'), ...rest]);
  const linked = result.files[0]!;
  t.is(linked.nodes.length, 2, 'the hard link joined the inode found first');
  t.true(linked.nodes.every((n) => n.hardLinkId === 1n));
  t.deepEqual(result.root.children?.map((c) => c.name), ['a', 'b', 'top']);
});
