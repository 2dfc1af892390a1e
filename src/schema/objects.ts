// S3Object and the queries that find objects: object, objects(refs).
import { FORMATS } from '../codecs/types.js';
import { Forbidden } from '../errors.js';
import {
  compressionOf,
  contentOf,
  downloadUrlOf,
  formatOf,
  headObject,
  jsonOf,
  metaOf,
  nodeFromMeta,
  type ObjectNode,
  textOf,
} from '../objects/service.js';
import type { Builder } from './builder.js';

function nameOf(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return key.endsWith('/') ? `${name}/` : name;
}

/** S3Object, its enums and inputs, and the object queries. */
export function addObjects(builder: Builder) {
  const FormatEnum = builder.enumType('Format', {
    description: 'How an object is decoded, picked from its key’s extension (BINARY when unknown and not text).',
    values: FORMATS,
  });

  const CompressionEnum = builder.enumType('Compression', {
    values: ['NONE', 'GZIP'] as const,
  });

  const ObjectRefInput = builder.inputType('ObjectRef', {
    fields: (t) => ({
      bucket: t.string({ required: true }),
      key: t.string({ required: true }),
    }),
  });

  const S3Object = builder.objectRef<ObjectNode>('S3Object').implement({
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
        type: FormatEnum,
        description: 'From the extension; for unknown extensions, TEXT or BINARY from the first bytes.',
        resolve: (o, _, ctx) => formatOf(ctx, o),
      }),
      compression: t.field({
        type: CompressionEnum,
        description: 'GZIP for `.gz` keys (`format` is then the inner extension’s).',
        resolve: (o) => compressionOf(o),
      }),
      text: t.string({
        description: 'The decoded text. The encoding is detected when omitted (UTF-8, BOMs, CP949/EUC-KR, ...).',
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
      type: S3Object,
      nullable: true,
      description: 'The object, or null when it (or its bucket) does not exist.',
      args: { bucket: t.arg.string({ required: true }), key: t.arg.string({ required: true }) },
      resolve: async (_, args, ctx) => {
        const meta = await headObject(ctx, args);
        return meta ? nodeFromMeta(meta) : null;
      },
    }),
    objects: t.field({
      type: [S3Object],
      nullable: { list: false, items: true },
      description: 'Several objects at once, in the order of `refs`; null where one does not exist.',
      args: { refs: t.arg({ type: [ObjectRefInput], required: true }) },
      resolve: async (_, args, ctx) => {
        const outside = args.refs.find((ref) => !ctx.access.allows(ref.bucket));
        if (outside)
          throw new Forbidden(`Bucket ${JSON.stringify(outside.bucket)} is not one bucketql is allowed to use (BUCKETQL_BUCKETS)`);
        const metas = await Promise.all(args.refs.map((ref) => ctx.loaders.head.load(ref)));
        return metas.map((meta) => (meta ? nodeFromMeta(meta) : null));
      },
    }),
  }));

  return { S3Object, FormatEnum, CompressionEnum, ObjectRefInput };
}
