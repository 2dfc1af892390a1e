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

/** Where a JSON.parse error happened, as 1-based line and column, from V8's "at position N". */
export function jsonErrorWhere(text: string, error: unknown, lineOffset = 0): { line: number; column: number } | null {
  const match = /position (\d+)/.exec(String((error as Error)?.message));
  if (!match) return null;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { line: line + lineOffset, column };
}

export function parseJson(text: string, what: string, lineOffset = 0): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = jsonErrorWhere(text, error, lineOffset) ?? { line: lineOffset + 1 };
    const reason = String((error as Error).message)
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    const at = 'column' in where ? `line ${where.line}, column ${where.column}` : `line ${where.line}`;
    throw new DecodeFailed(`${what}: invalid JSON at ${at}: ${reason}`, where);
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
