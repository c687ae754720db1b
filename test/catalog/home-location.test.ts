// Test: where the catalog lives: $TSMEDIA_HOME, else $XDG_DATA_HOME/tsmedia, else
// ~/.local/share/tsmedia; relative paths are made absolute.
import test from 'ava';
import { join, resolve } from 'node:path';
import { resolveHome } from '../../lib/home.js';

test('TSMEDIA_HOME wins, then XDG_DATA_HOME/tsmedia, then ~/.local/share/tsmedia', (t) => {
  t.is(resolveHome({ TSMEDIA_HOME: '/srv/tsm', XDG_DATA_HOME: '/x', HOME: '/home/a' }), '/srv/tsm');
  t.is(resolveHome({ XDG_DATA_HOME: '/x', HOME: '/home/a' }), '/x/tsmedia');
  t.is(resolveHome({ HOME: '/home/a' }), '/home/a/.local/share/tsmedia');
  t.is(resolveHome({ TSMEDIA_HOME: '', XDG_DATA_HOME: '', HOME: '/home/a' }), '/home/a/.local/share/tsmedia', 'empty means unset');
  t.is(resolveHome({ TSMEDIA_HOME: 'rel/home' }), resolve('rel/home'));
  t.is(resolveHome({ XDG_DATA_HOME: 'data' }), join(resolve('data'), 'tsmedia'));
});
