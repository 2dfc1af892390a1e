// Shared by the JSON and NDJSON codecs: JSON text from bytes (UTF-8, or UTF-16
// with a BOM, as RFC 8259 allows), and JSON.parse errors turned into line/column.
import { DecodeFailed } from '../errors.js';
import { decodeText, resolveEncoding } from '../text/encoding.js';

export function jsonEncodingOf(bytes: Uint8Array, label: string | undefined): string {
  if (label) return resolveEncoding(label);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

export function jsonText(bytes: Uint8Array, label: string | undefined): string {
  return decodeText(bytes, jsonEncodingOf(bytes, label));
}

/** 1-based line and column (in UTF-16 units, as editors count) of a character index. */
export function lineAndColumn(text: string, index: number, lineOffset = 0): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line: line + lineOffset, column: index - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

/**
 * The index of the first character at which `text` stops being JSON (its length when it
 * ends too early), or -1 when it is valid. JSON.parse does not always say where (V8:
 * "Unexpected token '}', ... is not valid JSON"), and DECODE_FAILED must.
 */
export function jsonErrorIndex(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: string[] = [];
  type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';
  let expect: Expect = 'value';
  const afterValue = (): Expect => (stack.length > 0 ? 'commaOrClose' : 'end');
  /** Skips a string starting at `i`; returns the index of an error in it, or -1. */
  const skipString = (): number => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return -1;
      }
      if (c < 0x20) return i;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return Math.min(i + k, n);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return Math.min(i + 1, n);
      } else i++;
    }
    return n;
  };
  while (true) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) return expect === 'end' ? -1 : n;
    const c = text[i] as string;
    switch (expect) {
      case 'end':
        return i;
      case 'colon':
        if (c !== ':') return i;
        i++;
        expect = 'value';
        continue;
      case 'commaOrClose': {
        const close = stack.at(-1) === '[' ? ']' : '}';
        if (c === ',') {
          i++;
          expect = stack.at(-1) === '[' ? 'value' : 'key';
        } else if (c === close) {
          i++;
          stack.pop();
          expect = afterValue();
        } else return i;
        continue;
      }
      case 'key':
      case 'keyOrClose':
        if (expect === 'keyOrClose' && c === '}') {
          i++;
          stack.pop();
          expect = afterValue();
          continue;
        }
        if (c !== '"') return i;
        {
          const bad = skipString();
          if (bad !== -1) return bad;
        }
        expect = 'colon';
        continue;
      case 'value':
      case 'valueOrClose': {
        if (expect === 'valueOrClose' && c === ']') {
          i++;
          stack.pop();
          expect = afterValue();
          continue;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
          continue;
        }
        if (c === '"') {
          const bad = skipString();
          if (bad !== -1) return bad;
        } else if (LITERALS[c]) {
          const literal = LITERALS[c] as string;
          for (let k = 0; k < literal.length; k++) if (text[i + k] !== literal[k]) return Math.min(i + k, n);
          i += literal.length;
        } else {
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return c === '-' ? Math.min(i + 1, n) : i;
          i = NUMBER.lastIndex;
        }
        expect = afterValue();
      }
    }
  }
}

/**
 * How deep JSON values may nest. JSON.parse copes with any depth, but what follows
 * does not: serialising the answer (JSON.stringify) recurses, and a value nested
 * 100,000 deep would throw a RangeError there, after all the work.
 */
export const MAX_JSON_DEPTH = 1000;

/** The index where nesting first goes deeper than `max`, or -1 (strings skipped). */
export function tooDeepAt(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** True when a parsed value nests deeper than `max` (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

export function parseJson(text: string, what: string, lineOffset = 0): unknown {
  const deep = tooDeepAt(text, MAX_JSON_DEPTH);
  if (deep >= 0) {
    const where = lineAndColumn(text, deep, lineOffset);
    throw new DecodeFailed(`${what}: values nest deeper than ${MAX_JSON_DEPTH} levels at line ${where.line}, column ${where.column}`, {
      ...where,
      limit: MAX_JSON_DEPTH,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = String((error as Error).message);
    let index = jsonErrorIndex(text);
    if (index < 0) index = Number(/position (\d+)/.exec(message)?.[1] ?? 0); // not expected: trust V8 then
    const where = lineAndColumn(text, index, lineOffset);
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    throw new DecodeFailed(`${what}: invalid JSON at line ${where.line}, column ${where.column}: ${reason}`, where);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
