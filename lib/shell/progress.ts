// A Write-Progress-like bar on stderr: activity, percent, done/total, rate, ETA, status. Drawn only
// when stderr is a terminal, at most ~10 times a second, on one line that is cleared before any
// other text reaches the terminal: verbose and warning lines, and stdout when it is the same
// terminal, all go through one TerminalWriter so lines never tear.
import type { ProgressHandle } from './types.js';

export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Milliseconds between redraws: ~10 a second is smooth and costs nothing. */
export const REDRAW_INTERVAL_MS = 100;
const BAR_CELLS = 20;
const CLEAR_LINE = '\r\x1b[K';

export type Clock = () => number;

/** Moves up one line and clears it: a block of several bars is erased bottom to top. */
const UP_CLEAR = '\x1b[1A\x1b[K';

/**
 * The one writer of the terminal. Each running progress bar has a line of its own (a bulk build
 * shows one per running build), drawn as one block below the text; one bar draws exactly as a
 * single-line bar.
 */
export class TerminalWriter {
  private readonly bars = new Map<object, string>();
  /** Lines of the block now on screen. */
  private shown = 0;

  constructor(readonly stderr: TextSink, readonly stdout: TextSink) {}

  get progressEnabled(): boolean {
    return this.stderr.isTTY === true;
  }

  /** A whole line on stderr (VERBOSE:, WARNING:, an error). */
  errLine(text: string): void {
    this.hide();
    this.stderr.write(text.endsWith('\n') ? text : text + '\n');
    this.show();
  }

  /** Text on stderr without a line end (a prompt); the bars stay hidden until the next line. */
  errText(text: string): void {
    this.hide();
    this.stderr.write(text);
  }

  /** Output text on stdout; the bars step aside when both go to the terminal. */
  out(text: string): void {
    if (text === '') return;
    const sameTerminal = this.stdout.isTTY === true && this.shown > 0;
    if (sameTerminal) this.hide();
    this.stdout.write(text);
    if (sameTerminal) this.show();
  }

  /** Sets one bar's text (its owner's line) and redraws; '' removes the line. */
  setBar(text: string, owner: object = this): void {
    if (!this.progressEnabled) return;
    if (text === '') this.bars.delete(owner); else this.bars.set(owner, text);
    this.show();
  }

  /** The erase sequence for the block on screen, leaving the cursor at its first column. */
  private erase(): string {
    return this.shown === 0 ? '' : CLEAR_LINE + UP_CLEAR.repeat(this.shown - 1);
  }

  private hide(): void {
    if (this.shown === 0) return;
    this.stderr.write(this.erase());
    this.shown = 0;
  }

  private show(): void {
    if (!this.progressEnabled) return;
    const lines = [...this.bars.values()];
    if (lines.length === 0) { this.hide(); return; }
    this.stderr.write((this.shown === 0 ? CLEAR_LINE : this.erase()) + lines.join('\n'));
    this.shown = lines.length;
  }
}

export type ProgressUnit = 'bytes' | 'items';

/** Binary multiples, named as PowerShell names them (1KB = 1024 bytes). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** h:mm:ss, or m:ss under an hour. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export interface ProgressState {
  activity: string;
  done: number;
  total?: number | undefined;
  unit: ProgressUnit;
  status?: string | undefined;
  elapsedSeconds: number;
}

/** The bar's line for a state, at most `width` columns. Pure. */
export function renderProgress(st: ProgressState, width: number): string {
  const amount = (n: number): string => (st.unit === 'bytes' ? formatBytes(n) : String(n));
  const parts = [st.activity];
  const known = st.total !== undefined && st.total > 0;
  if (known) {
    const fraction = Math.min(1, Math.max(0, st.done / (st.total as number)));
    const cells = Math.floor(fraction * BAR_CELLS);
    parts.push(`[${'='.repeat(cells)}${cells < BAR_CELLS ? '>' : ''}${' '.repeat(Math.max(0, BAR_CELLS - cells - 1))}]`);
    parts.push(`${Math.floor(fraction * 100)}%`);
    parts.push(`${amount(st.done)}/${amount(st.total as number)}`);
  } else {
    parts.push(amount(st.done));
  }
  const rate = st.elapsedSeconds > 0 ? st.done / st.elapsedSeconds : 0;
  if (rate > 0) {
    parts.push(st.unit === 'bytes' ? `${formatBytes(rate)}/s` : `${rate.toFixed(1)}/s`);
    if (known && st.done < (st.total as number)) parts.push(`ETA ${formatDuration(((st.total as number) - st.done) / rate)}`);
  }
  if (st.status) parts.push(st.status);
  const line = parts.join(' ');
  const max = Math.max(10, width - 1);
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** One activity's progress. Silent when stderr is not a terminal. */
export class Progress implements ProgressHandle {
  private doneUnits = 0;
  private status: string | undefined;
  private readonly started: number;
  private lastDraw = -Infinity;
  private finished = false;

  constructor(
    private readonly writer: TerminalWriter,
    private readonly activity: string,
    private total: number | undefined,
    private readonly unit: ProgressUnit = 'bytes',
    private readonly clock: Clock = () => performance.now(),
  ) {
    this.started = clock();
  }

  tick(done: number, status?: string): void {
    this.doneUnits += done;
    if (status !== undefined) this.status = status;
    this.draw();
  }

  update(done: number, status?: string): void {
    this.doneUnits = done;
    if (status !== undefined) this.status = status;
    this.draw();
  }

  setTotal(total: number): void {
    this.total = total;
    this.draw();
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.writer.setBar('', this);
  }

  private draw(): void {
    if (this.finished || !this.writer.progressEnabled) return;
    const now = this.clock();
    if (now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    const line = renderProgress({
      activity: this.activity, done: this.doneUnits, total: this.total, unit: this.unit, status: this.status,
      elapsedSeconds: (now - this.started) / 1000,
    }, this.writer.stderr.columns ?? 80);
    this.writer.setBar(line, this);
  }
}
