/**
 * Keys JSON.parse takes without a word but a request body must not hold: a key twice in one
 * object (JSON.parse keeps the last, so `{"amount":"1","amount":"2"}` meant 2 to us and maybe
 * 1 to a proxy or a log reader: RFC 8259 calls such a document unpredictable, I-JSON forbids
 * it), and the names of Object.prototype's machinery, which poison objects merged or copied
 * later (none of our schemas has a free-form object that could need them).
 */
export interface KeyFault {
  readonly kind: 'duplicate' | 'reserved';
  /** JSON pointer of the offending key, e.g. `/amount` or `/items/0/id`. */
  readonly pointer: string;
}

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** An open object (its keys so far, the current one) or array (the current index). */
interface Frame {
  readonly keys: Set<string> | undefined;
  key: string;
  index: number;
  expectsKey: boolean;
}

/** Whether the quote at `at` is escaped: an odd run of backslashes before it. */
const isEscaped = (text: string, at: number): boolean => {
  let run = 0;
  while (text.charCodeAt(at - 1 - run) === BACKSLASH) run++;
  return run % 2 === 1;
};

const closingQuote = (text: string, opening: number): number => {
  let end = text.indexOf('"', opening + 1);
  while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
  return end;
};

const pointerOf = (frames: readonly Frame[]): string =>
  frames
    .map((f) => `/${f.keys ? f.key.replace(/~/g, '~0').replace(/\//g, '~1') : f.index}`)
    .join('');

/**
 * The first duplicate or reserved key of `text`, which must be JSON that JSON.parse accepted
 * (so strings close and brackets pair, and only structure lies between strings). One pass:
 * strings are skipped with indexOf, and only keys are decoded (those holding an escape, so
 * `"\u0061"` is the key `a`). A Set per object: a list's look-ups made one 64 KiB object of
 * 6,500 keys cost 75 ms.
 */
export function findKeyFault(text: string): KeyFault | undefined {
  const frames: Frame[] = [];
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (top?.keys && top.expectsKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        top.key = key;
        top.expectsKey = false;
        if (RESERVED_KEYS.has(key)) return { kind: 'reserved', pointer: pointerOf(frames) };
        if (top.keys.has(key)) return { kind: 'duplicate', pointer: pointerOf(frames) };
        top.keys.add(key);
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const isObject = c === OPEN_OBJECT;
      top = { keys: isObject ? new Set() : undefined, key: '', index: 0, expectsKey: isObject };
      frames.push(top);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
      top = frames[frames.length - 1];
    } else if (c === COMMA && top) {
      if (top.keys) top.expectsKey = true;
      else top.index++;
    }
  }
  return undefined;
}
