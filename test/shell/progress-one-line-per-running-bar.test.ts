// Test: several progress bars at once (a bulk build's running builds) each get a line of their own,
// drawn as one block that is erased bottom to top before other text and redrawn after it; a
// finished bar's line goes away; on a pipe nothing is drawn.
import test from 'ava';
import { Progress, TerminalWriter } from '../../lib/shell/progress.js';
import { sink } from './shell-io.js';

const CLEAR = '\r\x1b[K';
const UP = '\x1b[1A\x1b[K';

test('two bars are two lines, erased and redrawn as a block around other text', (t) => {
  const err = sink(true, 80);
  const w = new TerminalWriter(err, sink(false));
  let now = 0;
  const a = new Progress(w, 'site-1', 100, 'items', () => now);
  const b = new Progress(w, 'site-2', 100, 'items', () => now);
  now = 1000;
  a.update(10);
  t.is(err.text, `${CLEAR}site-1 [==>                 ] 10% 10/100 10.0/s ETA 0:09`);
  err.text = '';
  b.update(50);
  t.is(err.text, `${CLEAR}site-1 [==>                 ] 10% 10/100 10.0/s ETA 0:09\nsite-2 [==========>         ] 50% 50/100 50.0/s ETA 0:01`);
  err.text = '';
  w.errLine('WARNING: x');
  t.is(err.text, `${CLEAR}${UP}WARNING: x\n${CLEAR}site-1 [==>                 ] 10% 10/100 10.0/s ETA 0:09\nsite-2 [==========>         ] 50% 50/100 50.0/s ETA 0:01`);
  err.text = '';
  a.done();
  t.is(err.text, `${CLEAR}${UP}site-2 [==========>         ] 50% 50/100 50.0/s ETA 0:01`, 'the finished bar leaves the block');
  err.text = '';
  b.done();
  t.is(err.text, CLEAR);
});

test('several bars draw nothing on a pipe', (t) => {
  const err = sink(false);
  const w = new TerminalWriter(err, sink(false));
  let now = 0;
  const a = new Progress(w, 'a', 10, 'items', () => now);
  const b = new Progress(w, 'b', 10, 'items', () => now);
  now = 500;
  a.update(1);
  b.update(2);
  w.errLine('VERBOSE: y');
  t.is(err.text, 'VERBOSE: y\n');
});
