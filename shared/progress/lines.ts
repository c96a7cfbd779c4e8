/**
 * CR-aware line splitting for child output (docs/upstream-notes.md §14.3). tqdm redraws with a bare
 * `\r`; execa splits on `\n` only and readline treats `\r` as a newline, so neither keeps the
 * "overwrite" meaning. A segment ended by `\r` is a progress overwrite, one ended by `\n` (or
 * `\r\n`) a committed line. Input must already be decoded text (StringDecoder keeps UTF-8 whole).
 */
export interface Segment {
  text: string;
  /** 'line': ended by \n or \r\n. 'cr': overwritten by a bare \r. */
  kind: 'line' | 'cr';
}

export class LineSplitter {
  private partial = '';
  /** A chunk ending in \r may be the first half of \r\n; decide when the next chunk arrives. */
  private pendingCr = false;

  /** Most a partial segment may grow before it is emitted as a 'cr' segment (a runaway line without breaks). */
  constructor(private readonly maxPartial = 1 << 20) {}

  push(chunk: string): Segment[] {
    const out: Segment[] = [];
    let start = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.startsWith('\n')) {
        out.push({ text: this.partial, kind: 'line' });
        this.partial = '';
        start = i = 1;
      } else {
        out.push({ text: this.partial, kind: 'cr' });
        this.partial = '';
      }
    }
    // indexOf runs in native code; scanning char by char in JS was the parser's hot spot (bench/parse).
    let nl = chunk.indexOf('\n', i);
    let cr = chunk.indexOf('\r', i);
    while (nl >= 0 || cr >= 0) {
      if (nl >= 0 && (cr < 0 || nl < cr)) {
        out.push({ text: this.partial + chunk.slice(start, nl), kind: 'line' });
        this.partial = '';
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
        continue;
      }
      const text = this.partial + chunk.slice(start, cr);
      this.partial = '';
      if (cr + 1 === chunk.length) {
        this.partial = text;
        this.pendingCr = true;
        start = cr + 1;
        break;
      }
      if (nl === cr + 1) {
        out.push({ text, kind: 'line' });
        start = cr + 2;
        nl = chunk.indexOf('\n', start);
      } else {
        out.push({ text, kind: 'cr' });
        start = cr + 1;
      }
      cr = chunk.indexOf('\r', start);
    }
    if (!this.pendingCr && start < chunk.length) this.partial += chunk.slice(start);
    if (this.partial.length > this.maxPartial) {
      out.push({ text: this.partial, kind: 'cr' });
      this.partial = '';
    }
    return out;
  }

  /** What is left when the stream ends: an unterminated last line. */
  flush(): Segment[] {
    const text = this.partial;
    const pending = this.pendingCr;
    this.partial = '';
    this.pendingCr = false;
    if (pending) return [{ text, kind: 'cr' }];
    return text ? [{ text, kind: 'line' }] : [];
  }

  /** The unterminated tail, e.g. a tqdm bar currently on screen. */
  peek(): string {
    return this.partial;
  }
}
