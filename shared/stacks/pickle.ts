/**
 * A data-only pickle reader: the NCCL flight recorder writes its per-rank dumps with Python's pickle
 * (torch ProcessGroupNCCL.cpp, protocol 2+ of dicts, lists, tuples, strings, numbers, None, bools).
 * Reading them here, instead of with Python, lets every explain path (run view, `lal explain`, the
 * worker thread) see them the same way with no interpreter to find or trust.
 *
 * A dump can come from someone else's run folder, so it is hostile input: only the opcodes that
 * build plain data are known, and anything that would name a class or call one (GLOBAL,
 * STACK_GLOBAL, REDUCE, BUILD, NEWOBJ, INST, OBJ, PERSID, EXT*) is refused, as is any opcode this
 * does not know. It is a loop over the bytes with an explicit stack (no recursion), so a deep or
 * long file costs time in proportion to its size and never the call stack. Dicts become objects
 * without a prototype, so a `__proto__` key is only a key. Integers beyond 2^53 lose precision
 * (nanosecond timestamps), which no reader here needs.
 *
 * Opcode values: Python's Lib/pickletools.py, the reference for the format.
 */
export type PickleValue = null | boolean | number | string | Uint8Array | PickleValue[] | { [key: string]: PickleValue } | PickleSet;

/** Python sets and frozensets, kept apart from lists so nothing mistakes one for the other. */
export class PickleSet {
  constructor(readonly items: PickleValue[]) {}
}

export class PickleError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

type Tuple = PickleValue[] & { readonly tuple: true };

const asTuple = (items: PickleValue[]): PickleValue[] => Object.defineProperty(items, 'tuple', { value: true }) as Tuple;
const isDict = (v: PickleValue): v is { [key: string]: PickleValue } => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof PickleSet);

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

export function parsePickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PickleValue[] = [];
  // MARK as the stack lengths where each open mark sits (pickle's own metastack).
  const marks: number[] = [];
  const floor = (): number => (marks.length ? marks[marks.length - 1] : 0);
  const memo = new Map<number, PickleValue>();
  let pos = 0;

  const need = (n: number, at: number): void => {
    if (n < 0 || pos + n > bytes.length) throw new PickleError('truncated', at);
  };
  const take = (n: number, at: number): Uint8Array => {
    need(n, at);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (at: number): number => take(1, at)[0];
  const u16 = (at: number): number => (need(2, at), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = (at: number): number => (need(4, at), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = (at: number): number => {
    const lo = u32(at);
    const hi = u32(at);
    if (hi > 0x1fffff) throw new PickleError('length past 2^53', at);
    return hi * 2 ** 32 + lo;
  };
  const line = (at: number): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('truncated text line', at);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (at: number): PickleValue => {
    if (stack.length <= floor()) throw new PickleError('stack underflow', at);
    return stack.pop()!;
  };
  const top = (at: number): PickleValue => {
    if (stack.length <= floor()) throw new PickleError('stack underflow', at);
    return stack[stack.length - 1];
  };
  const popMark = (at: number): PickleValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError('no mark', at);
    return stack.splice(m);
  };
  const setItems = (d: PickleValue, items: PickleValue[], at: number): void => {
    if (!isDict(d)) throw new PickleError('set item on a non-dict', at);
    if (items.length % 2) throw new PickleError('odd number of dict items', at);
    for (let i = 0; i < items.length; i += 2) d[keyOf(items[i], at)] = items[i + 1];
  };
  const append = (l: PickleValue, items: PickleValue[], at: number): void => {
    if (!Array.isArray(l) || (l as Partial<Tuple>).tuple) throw new PickleError('append to a non-list', at);
    for (const x of items) l.push(x);
  };
  const memoGet = (i: number, at: number): PickleValue => {
    if (!memo.has(i)) throw new PickleError(`memo ${i} not set`, at);
    return memo.get(i)!;
  };
  const int = (s: string, at: number): number | boolean => {
    if (s === '00') return false;
    if (s === '01') return true;
    const n = Number(s.replace(/L$/, ''));
    if (!Number.isFinite(n)) throw new PickleError('bad integer', at);
    return n;
  };
  const long = (b: Uint8Array): number => {
    let n = 0;
    for (let i = b.length - 1; i >= 0; i--) n = n * 256 + b[i];
    return b.length && b[b.length - 1] & 0x80 ? n - 2 ** (8 * b.length) : n;
  };

  for (;;) {
    const at = pos;
    if (pos >= bytes.length) throw new PickleError('no STOP', at);
    const op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (u8(at) > 5) throw new PickleError('unknown protocol', at);
        break;
      case 0x95: // FRAME: a length hint only
        u64(at);
        break;
      case 0x2e: // STOP
        return pop(at);
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP (the mark itself when it is on top)
        if (marks.length && floor() === stack.length) marks.pop();
        else pop(at);
        break;
      case 0x31: // POP_MARK
        popMark(at);
        break;
      case 0x32: // DUP
        stack.push(top(at));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4, at);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8(at));
        break;
      case 0x4d: // BININT2
        stack.push(u16(at));
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8(at), at)));
        break;
      case 0x8b: // LONG4
        stack.push(long(take(u32(at), at)));
        break;
      case 0x49: // INT
        stack.push(int(line(at), at));
        break;
      case 0x4c: // LONG
        stack.push(int(line(at), at));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8, at);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: {
        // FLOAT
        const f = Number(line(at));
        stack.push(Number.isNaN(f) ? null : f);
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8(at), at)));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32(at), at)));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64(at), at)));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text line)
        stack.push(line(at).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => String.fromCodePoint(Math.min(0x10ffff, parseInt(a ?? b ?? '0', 16)))));
        break;
      case 0x55: // SHORT_BINSTRING
      case 0x43: // SHORT_BINBYTES
        stack.push(op === 0x55 ? latin1.decode(take(u8(at), at)) : take(u8(at), at).slice());
        break;
      case 0x54: // BINSTRING
      case 0x42: // BINBYTES
        stack.push(op === 0x54 ? latin1.decode(take(u32(at), at)) : take(u32(at), at).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64(at), at).slice());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark(at));
        break;
      case 0x61: {
        // APPEND
        const v = pop(at);
        append(top(at), [v], at);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark(at);
        append(top(at), items, at);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(asTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(asTuple(popMark(at)));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: PickleValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop(at));
        stack.push(asTuple(items));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(Object.create(null) as { [key: string]: PickleValue });
        break;
      case 0x64: {
        // DICT
        const d = Object.create(null) as { [key: string]: PickleValue };
        setItems(d, popMark(at), at);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop(at);
        const k = pop(at);
        setItems(top(at), [k, v], at);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark(at);
        setItems(top(at), items, at);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PickleSet([]));
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark(at);
        const s = top(at);
        if (!(s instanceof PickleSet)) throw new PickleError('add to a non-set', at);
        s.items.push(...items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new PickleSet(popMark(at)));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top(at));
        break;
      case 0x71: // BINPUT
        memo.set(u8(at), top(at));
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(at), top(at));
        break;
      case 0x70: // PUT
        memo.set(Number(line(at)), top(at));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8(at), at));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32(at), at));
        break;
      case 0x67: // GET
        stack.push(memoGet(Number(line(at)), at));
        break;
      default:
        throw new PickleError(`refusing opcode 0x${op.toString(16).padStart(2, '0')} (only plain data is read)`, at);
    }
  }
}

/** Dict keys as Python's `str(key)` would print the common ones (torch's keys are strings). */
function keyOf(k: PickleValue, at: number): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number') return String(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (k === null) return 'None';
  throw new PickleError('unhashable or unsupported dict key', at);
}
