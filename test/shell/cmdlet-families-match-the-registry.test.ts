// bin/tsmedia loads only the family of the cmdlet a command line names: the families table must
// name every cmdlet and alias of the registry, each in the module that defines it, and no other.
// Serial: the two tests' dynamic imports do not overlap (a full-suite run once failed to link a
// module while both were in flight; it never did alone).
import test from 'ava';
import { cmdlets } from '../../lib/cmdlets/index.js';
import { cmdletsFor, FAMILIES } from '../../lib/cmdlets/families.js';

test.serial('every registry name is in the family whose loader defines it, and nothing else is listed', async (t) => {
  const registry = cmdlets.flatMap((c) => [c.name, ...(c.aliases ?? [])]).sort();
  const listed = FAMILIES.flatMap(([, names]) => names).sort();
  t.deepEqual(listed, registry);
  for (const [load, names] of FAMILIES) {
    const defined = (await load()).flatMap((c) => [c.name, ...(c.aliases ?? [])]).sort();
    t.deepEqual([...names].sort(), defined);
  }
});

test.serial('a known name loads its family; anything else loads the whole registry', async (t) => {
  t.deepEqual((await cmdletsFor('get-cmpackage')).map((c) => c.name), (await FAMILIES[1]![0]()).map((c) => c.name));
  t.is((await cmdletsFor('Get-Help')).length, cmdlets.length);
  t.is((await cmdletsFor(undefined)).length, cmdlets.length);
  t.is((await cmdletsFor('-File')).length, cmdlets.length);
});
