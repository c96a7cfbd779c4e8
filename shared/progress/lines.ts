/**
 * CR-aware line splitting for child output (architecture-notes §5.4). tqdm redraws with a bare
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
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        out.push({ text: this.partial + chunk.slice(start, i), kind: 'line' });
        this.partial = '';
        start = i + 1;
      } else if (c === 13) {
        const text = this.partial + chunk.slice(start, i);
        this.partial = '';
        if (i + 1 === chunk.length) {
          this.partial = text;
          this.pendingCr = true;
          start = i + 1;
          break;
        }
        if (chunk.charCodeAt(i + 1) === 10) {
          out.push({ text, kind: 'line' });
          i++;
        } else {
          out.push({ text, kind: 'cr' });
        }
        start = i + 1;
      }
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
