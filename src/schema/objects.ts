// S3Object: the queries that find objects (object, objects) and the mutations that
// write them (uploadFile, putObject, copyObject, deleteObject(s), createUploadUrl).
import { Readable } from 'node:stream';
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { FORMATS } from '../codecs/types.js';
import { BadUserInput } from '../errors.js';
import { compressionOf, contentOf, downloadUrlOf, formatOf, headObject, jsonOf, metaOf, nodeFromMeta, textOf } from '../objects/service.js';
import { copyObject, createUploadUrl, deleteObject, deleteObjects, putContent, type UploadedFile, uploadFile } from '../objects/write.js';
import { type Builder, enumValues } from './builder.js';

/** The Format enum, by which tables.ts uses it too. */
export const Format = enumValues(FORMATS);

export interface PresignedRequestShape {
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: Date;
}

function nameOf(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return key.endsWith('/') ? `${name}/` : name;
}

/** Whether the query asks for this field of the object (directly or in fragments), e.g. `table`. */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const within = (set: SelectionSetNode | undefined, depth: number): boolean =>
    depth < 8 &&
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return within(selection.selectionSet, depth + 1);
      return within(info.fragments[selection.name.value]?.selectionSet, depth + 1);
    });
  return info.fieldNodes.some((node) => within(node.selectionSet, 0));
}

/** Our streaming multipart files, or a web File from elsewhere. */
function asUploadedFile(file: unknown): UploadedFile {
  if (file && typeof file === 'object' && 'nodeStream' in file) return file as UploadedFile;
  if (file instanceof Blob) {
    const web = file as File;
    return {
      name: web.name,
      type: web.type,
      nodeStream: () => Readable.fromWeb(web.stream() as import('node:stream/web').ReadableStream),
      discard: () => undefined,
    };
  }
  throw new BadUserInput('`file` must be a file part of a multipart request (GraphQL multipart request spec)');
}

/** S3Object, its enums and inputs, and the object queries. */
export function addObjects(builder: Builder): void {
  builder.enumType(Format, {
    name: 'Format',
    description: 'How an object is decoded, picked from its key’s extension (BINARY when unknown and not text).',
  });

  const Compression = builder.enumType('Compression', { values: ['NONE', 'GZIP'] as const });

  builder.inputType('ObjectRef', {
    fields: (t) => ({
      bucket: t.string({ required: true }),
      key: t.string({ required: true }),
    }),
  });

  builder.objectType('S3Object', {
    description: 'An object in a bucket: its metadata, and its bytes decoded by format.',
    fields: (t) => ({
      bucket: t.exposeString('bucket'),
      key: t.exposeString('key'),
      name: t.string({ description: 'The last path segment of the key.', resolve: (o) => nameOf(o.key) }),
      size: t.field({ type: 'SafeInt', description: 'Size in bytes, as stored.', resolve: (o) => o.size }),
      etag: t.string({ description: 'The ETag, without surrounding quotes.', resolve: (o) => o.etag }),
      lastModified: t.field({ type: 'DateTime', resolve: (o) => o.lastModified }),
      contentType: t.string({ nullable: true, resolve: async (o, _, ctx) => (await metaOf(ctx, o)).contentType }),
      metadata: t.field({
        type: 'JSONObject',
        description: 'User metadata (x-amz-meta-*), {} when none.',
        resolve: async (o, _, ctx) => (await metaOf(ctx, o)).metadata,
      }),
      format: t.field({
        type: Format,
        description: 'From the extension; for unknown extensions, TEXT or BINARY from the first bytes.',
        resolve: (o, _, ctx) => formatOf(ctx, o),
      }),
      compression: t.field({
        type: Compression,
        description: 'GZIP for `.gz` keys (`format` is then the inner extension’s).',
        resolve: (o) => compressionOf(o),
      }),
      text: t.string({
        description: 'The decoded text. The encoding is detected when omitted (BOMs, UTF-8, CP949, Shift_JIS, EUC-JP, GB18030, Big5, ...).',
        args: { encoding: t.arg.string() },
        resolve: (o, args, ctx) => ctx.scans.run(`text of ${o.key}`, () => textOf(ctx, o, args.encoding)),
      }),
      json: t.field({
        type: 'JSON',
        nullable: true,
        description: 'The parsed value of a JSON, NDJSON (as an array) or pickle object.',
        resolve: (o, _, ctx) => ctx.scans.run(`json of ${o.key}`, () => jsonOf(ctx, o)),
      }),
      content: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Decoded by format: tables as an array of row objects, JSON/pickle as their value, text as a string.',
        resolve: (o, _, ctx) => ctx.scans.run(`content of ${o.key}`, () => contentOf(ctx, o)),
      }),
      downloadUrl: t.string({
        description: 'A presigned GET URL.',
        args: { expiresIn: t.arg.int({ defaultValue: 900, description: 'Seconds, 1 to 604800.' }) },
        resolve: (o, args, ctx) => downloadUrlOf(ctx, o, args.expiresIn ?? 900),
      }),
    }),
  });

  builder.queryFields((t) => ({
    object: t.field({
      type: 'S3Object',
      nullable: true,
      description: 'The object, or null when it (or its bucket) does not exist.',
      args: { bucket: t.arg.string({ required: true }), key: t.arg.string({ required: true }) },
      resolve: async (_, args, ctx, info) => {
        const meta = await headObject(ctx, args, selects(info, 'table'));
        return meta ? nodeFromMeta(meta) : null;
      },
    }),
    objects: t.field({
      type: ['S3Object'],
      nullable: { list: false, items: true },
      description: 'Several objects at once, in the order of `refs`; null where one does not exist.',
      args: { refs: t.arg({ type: ['ObjectRef'], required: true }) },
      resolve: async (_, args, ctx) => {
        // One ref outside BUCKETQL_BUCKETS fails the whole list (the contract).
        for (const ref of args.refs) ctx.access.checkBucket(ref.bucket);
        const metas = await Promise.all(args.refs.map((ref) => ctx.loaders.head.load(ref)));
        return metas.map((meta) => (meta ? nodeFromMeta(meta) : null));
      },
    }),
  }));
}

/** The object mutations, and PresignedRequest for createUploadUrl. */
export function addObjectWrites(builder: Builder): void {
  builder.objectType('PresignedRequest', {
    description: 'A presigned request: send `method` to `url` with exactly these `headers` before `expiresAt`.',
    fields: (t) => ({
      url: t.exposeString('url'),
      method: t.exposeString('method'),
      headers: t.field({ type: 'JSONObject', resolve: (p) => p.headers }),
      expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
    }),
  });

  builder.mutationFields((t) => ({
    uploadFile: t.field({
      type: 'S3Object',
      description: 'Streams a file (GraphQL multipart request spec) to S3; multipart upload for large files.',
      args: {
        bucket: t.arg.string({ required: true }),
        key: t.arg.string({ required: true }),
        file: t.arg({ type: 'File', required: true }),
        contentType: t.arg.string({ description: 'Default: the file part’s type, else one from the key’s extension.' }),
      },
      resolve: async (_, args, ctx) => nodeFromMeta(await uploadFile(ctx, args, asUploadedFile(args.file), args.contentType)),
    }),
    putObject: t.field({
      type: 'S3Object',
      description: 'Writes `content` encoded by the key’s extension (see docs/writing.md for what each takes).',
      args: {
        bucket: t.arg.string({ required: true }),
        key: t.arg.string({ required: true }),
        content: t.arg({ type: 'JSON', required: true }),
        contentType: t.arg.string(),
        ifMatch: t.arg.string({ description: 'Write only if the object’s ETag is this one.' }),
        ifNoneMatch: t.arg.string({ description: '"*": write only if the object does not exist.' }),
      },
      resolve: async (_, args, ctx) => nodeFromMeta(await putContent(ctx, args, args.content, args)),
    }),
    copyObject: t.field({
      type: 'S3Object',
      args: { from: t.arg({ type: 'ObjectRef', required: true }), to: t.arg({ type: 'ObjectRef', required: true }) },
      resolve: async (_, args, ctx) => nodeFromMeta(await copyObject(ctx, args.from, args.to)),
    }),
    deleteObject: t.boolean({
      description: 'True when something was deleted.',
      args: { bucket: t.arg.string({ required: true }), key: t.arg.string({ required: true }) },
      resolve: (_, args, ctx) => deleteObject(ctx, args),
    }),
    deleteObjects: t.stringList({
      description: 'The keys deleted (those that existed).',
      args: { bucket: t.arg.string({ required: true }), keys: t.arg.stringList({ required: true }) },
      resolve: (_, args, ctx) => deleteObjects(ctx, args.bucket, args.keys),
    }),
    createUploadUrl: t.field({
      type: 'PresignedRequest',
      args: {
        bucket: t.arg.string({ required: true }),
        key: t.arg.string({ required: true }),
        contentType: t.arg.string(),
        expiresIn: t.arg.int({ defaultValue: 900 }),
      },
      resolve: (_, args, ctx) => createUploadUrl(ctx, args, args.contentType, args.expiresIn ?? 900),
    }),
  }));
}
