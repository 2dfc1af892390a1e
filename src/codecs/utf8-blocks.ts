// Text written out as UTF-8 a piece at a time, into blocks of 1 MiB: what the encoders
// that make large outputs (`content` as JSON, putObject as CSV) build their bytes in.
// Pieces should be short (tens of rows): a short string is one flat string that
// encodes quickly, where Buffer.from of one 13 MB string (or of the JSON of 700 rows
// with Korean cells, two bytes a character) took 4 to 8 times as long (measured).

/** Bytes of a block the text is written into. */
const BLOCK_BYTES = 1 << 20;

export class Utf8Blocks {
  private readonly blocks: Buffer[] = [];
  private block: Buffer = Buffer.alloc(0);
  private used = 0;

  /** Writes `text`; returns where its first byte went, so that a caller may change an ASCII byte of it. */
  write(text: string): { block: Buffer; at: number; length: number } {
    // At most 3 bytes a UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
    const most = text.length * 3;
    if (this.block.length - this.used < most) {
      if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, most));
      this.used = 0;
    }
    const at = this.used;
    const length = this.block.write(text, at, 'utf8');
    this.used += length;
    return { block: this.block, at, length };
  }

  /** Forgets the last `bytes` bytes written (ASCII ones the caller knows of). */
  drop(bytes: number): void {
    this.used -= bytes;
  }

  /** The bytes written, in order. */
  chunks(): Buffer[] {
    return this.used > 0 ? [...this.blocks, this.block.subarray(0, this.used)] : [...this.blocks];
  }

  /** The bytes written, as one Buffer. */
  concat(): Buffer {
    return Buffer.concat(this.chunks());
  }
}
