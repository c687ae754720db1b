// Test: the progress bar draws only on a terminal, at most ~10 times a second, shows percent,
// amounts, rate and ETA, and steps aside for other lines so they never tear.
import test from 'ava';
import { formatBytes, formatDuration, Progress, renderProgress, TerminalWriter } from '../../lib/shell/progress.js';
import { sink } from './shell-io.js';

const CLEAR = '\r\x1b[K';

function fakeClock(): { now: number; clock: () => number } {
  const c = { now: 1000, clock: () => c.now };
  return c;
}

test('renders activity, bar, percent, amounts, rate, ETA and status', (t) => {
  const line = renderProgress({ activity: 'Copying', done: 512 * 1024 * 1024, total: 2 * 1024 ** 3, unit: 'bytes', status: 'boot.wim', elapsedSeconds: 4 }, 200);
  t.is(line, 'Copying [=====>              ] 25% 512.0 MB/2.0 GB 128.0 MB/s ETA 0:12 boot.wim');
});

test('renders counts for items and no percent without a total', (t) => {
  t.is(renderProgress({ activity: 'Scanning', done: 30, unit: 'items', elapsedSeconds: 3 }, 80), 'Scanning 30 10.0/s');
  t.is(renderProgress({ activity: 'Done', done: 10, total: 10, unit: 'items', elapsedSeconds: 1 }, 80), 'Done [====================] 100% 10/10 10.0/s');
});

test('cuts the line to the terminal width', (t) => {
  const line = renderProgress({ activity: 'A'.repeat(100), done: 1, total: 2, unit: 'items', elapsedSeconds: 0 }, 40);
  t.is(line.length, 39);
  t.true(line.endsWith('…'));
});

test('formats sizes in binary units and durations as m:ss or h:mm:ss', (t) => {
  t.is(formatBytes(1023), '1023 B');
  t.is(formatBytes(1536), '1.5 KB');
  t.is(formatBytes(3 * 1024 ** 3), '3.0 GB');
  t.is(formatDuration(59.6), '1:00');
  t.is(formatDuration(3725), '1:02:05');
});

test('draws nothing when stderr is not a terminal', (t) => {
  const err = sink(false);
  const out = sink(false);
  const w = new TerminalWriter(err, out);
  const p = new Progress(w, 'Copying', 100, 'items');
  p.tick(50);
  p.done();
  w.errLine('VERBOSE: x');
  t.is(err.text, 'VERBOSE: x\n');
});

test('redraws at most every 100 ms', (t) => {
  const err = sink(true, 80);
  const w = new TerminalWriter(err, sink(false));
  const c = fakeClock();
  const p = new Progress(w, 'Copying', 1000, 'items', c.clock);
  for (let i = 0; i < 50; i++) { p.tick(1); c.now += 5; } // 50 ticks over 250 ms
  const draws = err.text.split(CLEAR).filter((s) => s.startsWith('Copying')).length;
  t.true(draws >= 2 && draws <= 3, `${draws} draws`);
  p.done();
  t.true(err.text.endsWith(CLEAR), 'done() clears the line');
});

test('clears the bar before a verbose line and redraws it after', (t) => {
  const err = sink(true, 80);
  const w = new TerminalWriter(err, sink(false));
  const c = fakeClock();
  const p = new Progress(w, 'Copying', 10, 'items', c.clock);
  p.tick(5);
  err.text = '';
  w.errLine('VERBOSE: hello');
  t.true(err.text.startsWith(`${CLEAR}VERBOSE: hello\n${CLEAR}Copying`));
  p.done();
});

test('steps aside for stdout when stdout is the same terminal', (t) => {
  const err = sink(true, 80);
  const out = sink(true, 80);
  const w = new TerminalWriter(err, out);
  const p = new Progress(w, 'Copying', 10, 'items', fakeClock().clock);
  p.tick(1);
  const before = err.text;
  w.out('result\n');
  t.is(out.text, 'result\n');
  t.true(err.text.slice(before.length).startsWith(CLEAR), 'cleared before the output');
  p.done();
});

test('a bar started without a total shows bytes and rate, then a percentage once the total is set', (t) => {
  const err = sink(true, 100);
  const w = new TerminalWriter(err, sink(false));
  const c = fakeClock();
  const p = new Progress(w, 'Importing', undefined, 'bytes', c.clock);
  c.now += 1000;
  p.tick(2048);
  t.notRegex(err.text, /%/);
  t.regex(err.text, /2\.0 KB 2\.0 KB\/s/);
  c.now += 1000;
  p.setTotal(8192);
  t.regex(err.text.split(CLEAR).at(-1)!, /25%/);
  p.done();
});
