// The GraphQL multipart request spec, streamed: busboy reads `operations` and
// `map`, and each file part is handed to its resolver as a stream while it is still
// arriving, so an upload never sits in memory whole (yoga's own parser buffers it).
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import { BadUserInput, PayloadTooLarge } from '../errors.js';
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
  private taken = false;
  private arrived = false;

  /** Called when busboy reaches this part. */
  attach(stream: Readable, info: { filename?: string | undefined; mimeType: string }, limit: number): void {
    this.arrived = true;
    if (info.filename !== undefined) this.name = info.filename;
    this.type = info.mimeType;
    stream.on('limit', () => {
      this.body.destroy(new PayloadTooLarge(`The file is larger than BUCKETQL_MAX_UPLOAD_BYTES (${limit} bytes)`, { limit }));
      stream.resume();
    });
    stream.on('error', (error) => this.body.destroy(error));
    stream.pipe(this.body);
  }

  fail(error: Error): void {
    this.body.destroy(error);
  }

  nodeStream(): Readable {
    if (this.taken) throw new BadUserInput('A file variable can be read by one field only');
    this.taken = true;
    return this.body;
  }

  discard(): void {
    if (!this.taken) {
      this.taken = true;
      this.body.resume();
    }
  }

  get pending(): boolean {
    return !this.arrived;
  }
}

export interface ParsedMultipart {
  params: GraphQLParams;
  /** Throws away what no resolver read, and waits for the body's end. */
  finish(): Promise<void>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: unknown = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (typeof node !== 'object' || node === null || !(part in node)) throw new BadUserInput(`multipart map: no such path ${JSON.stringify(path)} in operations`);
    node = (node as Record<string, unknown>)[part];
  }
  const last = parts.at(-1) as string;
  if (typeof node !== 'object' || node === null || !(last in node)) throw new BadUserInput(`multipart map: no such path ${JSON.stringify(path)} in operations`);
  (node as Record<string, unknown>)[last] = value;
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
          const map = JSON.parse(value) as Record<string, string[]>;
          for (const [field, paths] of Object.entries(map)) {
            if (!Array.isArray(paths)) throw new BadUserInput('multipart `map` values must be arrays of paths');
            const file = new StreamingFile();
            files.set(field, file);
            for (const path of paths) setPath(operations as unknown as Record<string, unknown>, path, file);
          }
          settled = true;
          resolve({
            params: operations,
            finish: async () => {
              for (const file of files.values()) file.discard();
              req.resume();
              await finished;
            },
          });
        }
      } catch (error) {
        fail(error instanceof SyntaxError ? new BadUserInput(`multipart ${name} is not valid JSON`) : (error as Error));
      }
    });
    parser.on('file', (name, stream, info) => {
      const file = files.get(name);
      if (!file) {
        if (!settled) fail(new BadUserInput('multipart `operations` and `map` must come before the files'));
        stream.resume();
        return;
      }
      file.attach(stream, info, limits.maxUploadBytes);
    });
    parser.on('close', () => {
      for (const file of files.values()) if (file.pending) file.fail(new BadUserInput('The multipart request ended before this file'));
      if (!settled) fail(new BadUserInput('The multipart request has no `operations` and `map`'));
    });
    parser.on('error', (error: Error) => fail(new BadUserInput(`Malformed multipart request: ${error.message}`)));
    req.on('close', () => {
      if (!req.complete) fail(new BadUserInput('The client closed the request before the upload finished'));
    });
    req.pipe(parser);
  });
}
