// What becomes of errors met while decoding Parquet (src/codecs/parquet/read.ts decodeFailure).
import { describe, expect, it } from 'vitest';
import { decodeFailure } from '../../src/codecs/parquet/read.js';

describe('Parquet decoding errors', () => {
  it("turns Node's own coded errors from damaged bytes into DECODE_FAILED (a fuzzed footer gave ERR_INVALID_ARG_TYPE)", () => {
    const damaged = Object.assign(new TypeError('The "list" argument must be an instance of ArrayBuffer'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(decodeFailure(damaged)).toMatchObject({ code: 'DECODE_FAILED' });
    expect(decodeFailure(new Error('parquet invalid page'))).toMatchObject({
      code: 'DECODE_FAILED',
      message: expect.stringContaining('invalid page'),
    });
  });

  it('lets failures of the reads behind it pass as they are', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(decodeFailure(reset)).toBe(reset);
    expect(decodeFailure(abort)).toBe(abort);
  });
});
