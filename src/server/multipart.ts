// The GraphQL multipart request spec, streamed: busboy reads `operations` and
// `map`, and each file part is handed to its resolver as a stream while it is still
// arriving, so an upload never sits in memory whole (yoga's own parser buffers it).
// Parts arrive in the order the client sent them, which need not be the order the
// mutation fields read them: a part that stands in the way of one a field waits for
// is set aside in a temporary file rather than in memory.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import busboy from 'busboy';
import { BadUserInput, PayloadTooLarge } from '../errors.js';
import { metrics } from '../metrics.js';
import type { UploadedFile } from '../objects/write.js';

export interface GraphQLParams {
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

/** A file part: its stream exists from the start; bytes flow once the part arrives. */
export class StreamingFile implements UploadedFile {
  name?: string;
  type?: string;
  private readonly body = new PassThrough();
  private source: Readable | null = null;
  private taken = false;
  private arrived = false;
  private ended = false;
  private failure: Error | null = null;
  /** The rest of the part, in a temporary file, once it was set aside. */
  private spill: { path: string; out: WriteStream; written: Promise<void> } | null = null;

  /** Called when a field asks for this file before its part arrived. */
  constructor(private readonly onWait: () => void = () => undefined) {
    // A file fails (a bad request, a client gone) whether or not a field reads it: the
    // reader gets the error from its own stream; without one, nobody must crash on it.
    this.body.on('error', () => undefined);
  }

  /** Called when busboy reaches this part. */
  attach(stream: Readable, info: { filename?: string | undefined; mimeType: string }, limit: number): void {
    this.arrived = true;
    this.source = stream;
    if (info.filename !== undefined) this.name = info.filename;
    this.type = info.mimeType;
    if (this.failure) {
      stream.resume();
      return;
    }
    stream.on('limit', () => {
      this.fail(new PayloadTooLarge(`The file is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limit} bytes)`, { limit, http: TOO_LARGE }));
    });
    stream.on('error', (error) => this.fail(error));
    stream.on('end', () => {
      this.ended = true;
    });
    // A reader that gave up (a failed upload) must not hold up the parts after this one.
    this.body.on('close', () => {
      if (!this.ended && !this.spill) {
        stream.unpipe(this.body);
        stream.resume();
      }
    });
    stream.pipe(this.body);
    stream.on('data', (chunk: Buffer) => metrics.uploadBytes.inc(chunk.length));
  }

  /** Fails the file's reader, unless every byte of the part has arrived already. */
  fail(error: Error): void {
    if (this.ended) return;
    this.failure ??= error;
    this.body.destroy(error);
    const spill = this.spill;
    if (spill) {
      spill.out.destroy();
      // No reader will come for it (or one will get the error first): remove it now.
      if (!this.taken) void spill.written.then(() => rm(spill.path, { force: true }));
    }
    // Drain the rest of the part, so that the parts after it still arrive.
    this.source?.unpipe();
    this.source?.resume();
  }

  /**
   * Moves the rest of this part to a temporary file, so that busboy can go on to the
   * parts after it. Only for a part that has arrived, is not being read and has not ended.
   */
  setAside(): void {
    const source = this.source;
    if (this.taken || !source || this.ended || this.spill || this.failure) return;
    const path = join(tmpdir(), `bucketql-upload-${randomUUID()}`);
    const out = createWriteStream(path);
    const written = new Promise<void>((resolve) => out.on('close', resolve));
    out.on('error', (error) => this.fail(error));
    this.spill = { path, out, written };
    source.unpipe(this.body);
    this.body.end();
    source.pipe(out);
  }

  nodeStream(): Readable {
    if (this.taken) throw new BadUserInput('A file variable can be read by one field only');
    this.taken = true;
    if (!this.arrived) this.onWait();
    const spill = this.spill;
    if (!spill) return this.body;
    const body = this.body;
    const failure = () => this.failure;
    return Readable.from(
      (async function* () {
        try {
          yield* body;
          await spill.written;
          const error = failure();
          if (error) throw error;
          yield* createReadStream(spill.path);
        } finally {
          await spill.written;
          await rm(spill.path, { force: true });
        }
      })(),
      { objectMode: false },
    );
  }

  discard(): void {
    if (!this.taken) {
      this.taken = true;
      this.body.resume();
      const spill = this.spill;
      if (spill) void spill.written.then(() => rm(spill.path, { force: true }));
    }
  }

  get pending(): boolean {
    return !this.arrived;
  }

  /** A field reads this file, whose part has not arrived yet. */
  get waiting(): boolean {
    return this.taken && !this.arrived;
  }
}

export interface ParsedMultipart {
  params: GraphQLParams;
  /** True once the request grew past BUCKETQL_MAX_UPLOAD_BYTES (its files failed with PAYLOAD_TOO_LARGE). */
  readonly overLimit: boolean;
  /** Throws away what no resolver read, and waits for the body's end (or for it to grow past the limit). */
  finish(): Promise<void>;
}

/** An upload over the limit makes the whole answer HTTP 413 (yoga takes the status from `extensions.http`). */
const TOO_LARGE = { status: 413 };

/** Names that lead out of the request's own data into prototypes. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Puts `value` where `path` (`variables.file`, `variables.files.0`) points in the
 * operations, which must be a `null` there (the spec's placeholder). A path walks only
 * the request's own properties: never `__proto__`, `constructor` or `prototype`, so a
 * map cannot reach Object.prototype.
 */
function setPath(target: Record<string, unknown>, path: unknown, value: unknown): void {
  const nothing = () => new BadUserInput(`multipart map: the path ${JSON.stringify(path)} names no null value in operations`);
  if (typeof path !== 'string') throw new BadUserInput('multipart map: paths must be strings such as "variables.file"');
  const parts = path.split('.');
  let node: unknown = target;
  for (const [i, part] of parts.entries()) {
    if (FORBIDDEN_SEGMENTS.has(part)) throw new BadUserInput(`multipart map: the path ${JSON.stringify(path)} may not name ${part}`);
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) throw nothing();
    if (i === parts.length - 1) {
      if ((node as Record<string, unknown>)[part] !== null) throw nothing();
      (node as Record<string, unknown>)[part] = value;
    } else {
      node = (node as Record<string, unknown>)[part];
    }
  }
}

/**
 * Parses a multipart request until `operations` and `map` are known, and resolves
 * with the GraphQL parameters whose file variables are StreamingFiles.
 */
export function parseMultipart(req: IncomingMessage, limits: { maxUploadBytes: number; maxFieldBytes: number }): Promise<ParsedMultipart> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxUploadBytes, fieldSize: limits.maxFieldBytes, fields: 10, files: 100, parts: 110 },
      });
    } catch {
      reject(new BadUserInput('Malformed multipart request (no boundary?)'));
      return;
    }
    let operations: GraphQLParams | null = null;
    const files = new Map<string, StreamingFile>();
    let settled = false;
    const finished = new Promise<void>((done) => {
      parser.on('close', done);
      parser.on('error', () => done());
    });
    // A field waits for a part that comes after others: move those out of its way.
    const setAsideArrived = () => {
      for (const file of files.values()) file.setAside();
    };
    const fail = (error: Error) => {
      for (const file of files.values()) file.fail(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new PayloadTooLarge(`The multipart field ${name} is larger than BUCKETQL_MAX_BODY_BYTES`));
      try {
        if (name === 'operations') {
          operations = JSON.parse(value) as GraphQLParams;
          if (typeof operations !== 'object' || operations === null || Array.isArray(operations)) {
            throw new BadUserInput('multipart `operations` must be one GraphQL request object (batches are not supported)');
          }
        } else if (name === 'map') {
          if (!operations) throw new BadUserInput('multipart `operations` must come before `map`');
          const map = JSON.parse(value) as unknown;
          if (typeof map !== 'object' || map === null || Array.isArray(map)) {
            throw new BadUserInput('multipart `map` must be an object from file part names to arrays of paths');
          }
          for (const [field, paths] of Object.entries(map)) {
            if (!Array.isArray(paths) || paths.length === 0) throw new BadUserInput('multipart `map` values must be arrays of paths');
            const file = new StreamingFile(setAsideArrived);
            files.set(field, file);
            for (const path of paths) setPath(operations as unknown as Record<string, unknown>, path, file);
          }
          settled = true;
          resolve({
            params: operations,
            get overLimit() {
              return overLimit;
            },
            finish: async () => {
              for (const file of files.values()) file.discard();
              req.resume();
              // A request over the limit is not read to its end: the caller closes it.
              await Promise.race([finished, crossed]);
            },
          });
        }
      } catch (error) {
        fail(error instanceof SyntaxError ? new BadUserInput(`multipart ${name} is not valid JSON`) : (error as Error));
      }
    });
    parser.on('file', (name, stream, info) => {
      // busboy fails a part's stream when the request ends inside it: its reader (if any) hears of it.
      stream.on('error', () => undefined);
      const file = files.get(name);
      if (!file) {
        if (!settled) fail(new BadUserInput('multipart `operations` and `map` must come before the files'));
        stream.resume();
        return;
      }
      file.attach(stream, info, limits.maxUploadBytes);
      if ([...files.values()].some((other) => other.waiting)) file.setAside();
    });
    parser.on('close', () => {
      for (const file of files.values()) if (file.pending) file.fail(new BadUserInput('The multipart request ended before this file'));
      if (!settled) fail(new BadUserInput('The multipart request has no `operations` and `map`'));
    });
    parser.on('error', (error: Error) => fail(new BadUserInput(`Malformed multipart request: ${error.message}`)));
    req.on('close', () => {
      if (req.complete) return;
      fail(new BadUserInput('The client closed the request before the upload finished'));
      // No one is left to read the parts that did arrive: drop them (and what was set aside) now.
      for (const file of files.values()) file.discard();
    });
    // The limit is on the whole request; without a Content-Length it is checked as the bytes come.
    let received = 0;
    let overLimit = false;
    let onOverLimit: () => void = () => undefined;
    const crossed = new Promise<void>((done) => {
      onOverLimit = done;
    });
    req.on('data', (chunk: Buffer) => {
      const before = received;
      received += chunk.length;
      if (received > limits.maxUploadBytes && before <= limits.maxUploadBytes) {
        fail(
          new PayloadTooLarge(`The upload is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limits.maxUploadBytes} bytes)`, {
            limit: limits.maxUploadBytes,
            http: TOO_LARGE,
          }),
        );
        overLimit = true;
        onOverLimit();
      }
    });
    req.pipe(parser);
  });
}
