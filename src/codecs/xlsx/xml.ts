// A small streaming XML tokenizer for SpreadsheetML parts. Text is fed in chunks
// (decoded by the caller with a streaming decoder, so multibyte characters never
// split) and handed to a handler as open/close/text events. It checks what a reader
// of untrusted workbooks needs to trust its events: tags nest and match, attributes
// are well-formed, entities are the predefined ones or character references, the
// document has one root and ends complete. DTDs are refused, so no entity expansion
// (billion laughs) or external entity can happen.

export class XmlError extends Error {}

export interface XmlHandler {
  /** `name` is the local name: OOXML writers differ in namespace prefixes (`x:c`). Attribute names keep theirs. */
  open(name: string, attributes: Record<string, string>, selfClosing: boolean): void;
  close(name: string): void;
  /** Character data, entities decoded; one text node may arrive in several calls. */
  text(text: string): void;
}

/** A markup token (tag, comment, CDATA section) longer than this is refused: no valid part needs one, and it bounds memory. */
const MAX_MARKUP_CHARS = 1024 * 1024;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<]*);|&/g, (match, body: string | undefined) => {
    if (body === undefined) throw new XmlError('a bare "&" in text (not an entity)');
    const predefined = PREDEFINED_ENTITIES[body];
    if (predefined !== undefined) return predefined;
    let codePoint = Number.NaN;
    if (/^#[0-9]+$/.test(body)) codePoint = Number.parseInt(body.slice(1), 10);
    else if (/^#x[0-9a-fA-F]+$/.test(body)) codePoint = Number.parseInt(body.slice(2), 16);
    else throw new XmlError(`unknown entity ${match}`);
    if (!(codePoint > 0 && codePoint <= 0x10ffff) || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      throw new XmlError(`invalid character reference ${match}`);
    }
    return String.fromCodePoint(codePoint);
  });
}

export class XmlTokenizer {
  private buffer = '';
  private readonly stack: string[] = [];
  private sawRoot = false;
  private searched = 0;
  private rootClosed = false;

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: string): void {
    this.buffer = this.buffer.length === 0 ? chunk : this.buffer + chunk;
    const consumed = this.scan(false);
    this.buffer = this.buffer.slice(consumed);
    if (this.buffer.length > MAX_MARKUP_CHARS) throw new XmlError(`a tag or section is longer than ${MAX_MARKUP_CHARS} characters`);
  }

  end(): void {
    this.scan(true);
    this.buffer = '';
    const open = this.stack[this.stack.length - 1];
    if (open !== undefined) throw new XmlError(`unexpected end of the document: <${open}> is not closed`);
    if (!this.sawRoot) throw new XmlError('no root element');
  }

  /**
   * Consumes complete tokens from the buffer; returns how many characters were used.
   * Text is handed on as it comes (all but a possibly split entity or CRLF), so a
   * long text node costs no more than a short one; an incomplete markup token stays
   * in the buffer, and `searched` remembers how far its end was looked for, so that
   * waiting for it is not quadratic either.
   */
  private scan(final: boolean): number {
    const buffer = this.buffer;
    const length = buffer.length;
    let pos = 0;
    while (pos < length) {
      const lt = buffer.indexOf('<', pos);
      if (lt !== pos) {
        if (lt >= 0 || final) {
          const end = lt < 0 ? length : lt;
          this.emitText(buffer.slice(pos, end));
          pos = end;
          continue;
        }
        let cut = length;
        const amp = buffer.lastIndexOf('&');
        if (amp >= pos && length - amp <= 12 && buffer.indexOf(';', amp) < 0) cut = amp;
        if (cut > pos && buffer.charCodeAt(cut - 1) === 13 /* CR */) cut--;
        if (cut > pos) this.emitText(buffer.slice(pos, cut));
        return cut;
      }
      // Where the end of a markup token left incomplete by the last chunk is to be looked for.
      const hint = pos === 0 ? this.searched - 3 : 0;
      const end = this.markup(buffer, pos, hint, final);
      if (end < 0) {
        this.searched = length - pos;
        return pos;
      }
      this.searched = 0;
      pos = end;
    }
    return pos;
  }

  private incomplete(buffer: string, pos: number, final: boolean): number {
    if (final) throw new XmlError(`unexpected end of the document inside ${JSON.stringify(buffer.slice(pos, pos + 40))}`);
    return -1;
  }

  /**
   * Handles the markup token at `pos`; returns the index after it, or -1 when it is not
   * complete yet. Its end is not looked for before `hint`.
   */
  private markup(buffer: string, pos: number, hint: number, final: boolean): number {
    const next = buffer.charCodeAt(pos + 1);
    if (Number.isNaN(next)) return this.incomplete(buffer, pos, final);
    if (next === 47 /* / */) {
      const gt = buffer.indexOf('>', Math.max(pos + 2, hint));
      if (gt < 0) return this.incomplete(buffer, pos, final);
      this.closeTag(buffer.slice(pos + 2, gt).trim());
      return gt + 1;
    }
    if (next === 63 /* ? */) {
      const end = buffer.indexOf('?>', Math.max(pos + 2, hint));
      return end < 0 ? this.incomplete(buffer, pos, final) : end + 2;
    }
    if (next === 33 /* ! */) {
      if (buffer.startsWith('<!--', pos)) {
        const end = buffer.indexOf('-->', Math.max(pos + 4, hint));
        return end < 0 ? this.incomplete(buffer, pos, final) : end + 3;
      }
      if (buffer.startsWith('<![CDATA[', pos)) {
        const end = buffer.indexOf(']]>', Math.max(pos + 9, hint));
        if (end < 0) return this.incomplete(buffer, pos, final);
        this.emitRawText(buffer.slice(pos + 9, end));
        return end + 3;
      }
      if (buffer.length - pos < 9) return this.incomplete(buffer, pos, final);
      if (buffer.startsWith('<!DOCTYPE', pos)) throw new XmlError('a DOCTYPE declaration (not allowed in OOXML parts)');
      throw new XmlError(`unexpected markup ${JSON.stringify(buffer.slice(pos, pos + 12))}`);
    }
    // A start tag cannot end before the next ">"; checking that first keeps a tag that
    // arrives in many chunks from being parsed again for each.
    if (buffer.indexOf('>', Math.max(pos + 1, hint)) < 0) return this.incomplete(buffer, pos, final);
    const end = this.openTag(buffer, pos);
    return end < 0 ? this.incomplete(buffer, pos, final) : end;
  }

  private emitText(raw: string): void {
    if (this.stack.length === 0) {
      if (raw.trim() !== '') throw new XmlError(`text outside the root element: ${JSON.stringify(raw.trim().slice(0, 40))}`);
      return;
    }
    this.handler.text(decodeEntities(normaliseLineEnds(raw)));
  }

  private emitRawText(raw: string): void {
    if (this.stack.length === 0) throw new XmlError('CDATA outside the root element');
    this.handler.text(normaliseLineEnds(raw));
  }

  /** Parses a start tag at `start`; returns the index after it, or -1 when it is not complete yet. */
  private openTag(buffer: string, start: number): number {
    const length = buffer.length;
    let pos = start + 1;
    while (pos < length && !isNameEnd(buffer.charCodeAt(pos))) pos++;
    if (pos >= length) return -1;
    const name = buffer.slice(start + 1, pos);
    if (name === '') throw new XmlError('a tag without a name');
    const attributes: Record<string, string> = {};
    while (true) {
      while (pos < length && isSpace(buffer.charCodeAt(pos))) pos++;
      if (pos >= length) return -1;
      const c = buffer.charCodeAt(pos);
      if (c === 62 /* > */) {
        this.pushElement(name, attributes, false);
        return pos + 1;
      }
      if (c === 47 /* / */) {
        if (pos + 1 >= length) return -1;
        if (buffer.charCodeAt(pos + 1) !== 62) throw new XmlError(`malformed tag <${name}>`);
        this.pushElement(name, attributes, true);
        return pos + 2;
      }
      const nameStart = pos;
      while (pos < length && !isNameEnd(buffer.charCodeAt(pos))) pos++;
      if (pos >= length) return -1;
      const attribute = buffer.slice(nameStart, pos);
      if (attribute === '') throw new XmlError(`malformed attribute in <${name}>`);
      while (pos < length && isSpace(buffer.charCodeAt(pos))) pos++;
      if (pos >= length) return -1;
      if (buffer.charCodeAt(pos) !== 61 /* = */) throw new XmlError(`attribute ${attribute} of <${name}> has no value`);
      pos++;
      while (pos < length && isSpace(buffer.charCodeAt(pos))) pos++;
      if (pos >= length) return -1;
      const quote = buffer[pos];
      if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${attribute} of <${name}> is not quoted`);
      const close = buffer.indexOf(quote, pos + 1);
      if (close < 0) return -1;
      const raw = buffer.slice(pos + 1, close);
      if (raw.includes('<')) throw new XmlError(`"<" in attribute ${attribute} of <${name}>`);
      attributes[attribute] = decodeEntities(raw);
      pos = close + 1;
      const after = buffer.charCodeAt(pos);
      if (pos < length && !isSpace(after) && after !== 62 && after !== 47) {
        throw new XmlError(`no space after attribute ${attribute} of <${name}>`);
      }
    }
  }

  private pushElement(name: string, attributes: Record<string, string>, selfClosing: boolean): void {
    if (this.rootClosed) throw new XmlError(`<${name}> after the root element`);
    this.sawRoot = true;
    const local = localName(name);
    if (!selfClosing) this.stack.push(name);
    else if (this.stack.length === 0) this.rootClosed = true;
    this.handler.open(local, attributes, selfClosing);
    if (selfClosing) this.handler.close(local);
  }

  private closeTag(name: string): void {
    const open = this.stack.pop();
    if (open === undefined) throw new XmlError(`</${name}> without a matching start tag`);
    if (open !== name) throw new XmlError(`</${name}> closes <${open}>`);
    if (this.stack.length === 0) this.rootClosed = true;
    this.handler.close(localName(name));
  }
}

/**
 * XML reads a literal CR or CRLF as LF (a CR survives only as `&#13;` or OOXML's
 * `_x000D_`), as every conforming parser, openpyxl's included, does.
 */
function normaliseLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 47 /* / */ || c === 62 /* > */ || c === 61 /* = */;
}

/**
 * OOXML writes characters XML cannot carry (control characters, and CR, which XML
 * would read as LF) as `_xHHHH_`, and a literal `_x` that would read as such an
 * escape as `_x005F_x`. Excel reads and writes them so; openpyxl 3.0 leaves them as
 * they are written.
 */
export function unescapeOoxml(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export function escapeOoxml(text: string): string {
  return text
    .replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1')
    .replace(/[\u0000-\u0008\u000b-\u001f\ufffe\uffff]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}
