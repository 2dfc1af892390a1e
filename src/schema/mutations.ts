// Every write: buckets, uploads, encode-by-extension, copies, deletes, presigned PUTs.
import { Readable } from 'node:stream';
import { BadUserInput } from '../errors.js';
import { nodeFromMeta } from '../objects/service.js';
import {
  copyObject,
  createBucket,
  createUploadUrl,
  deleteObject,
  deleteObjects,
  putContent,
  type UploadedFile,
  uploadFile,
} from '../objects/write.js';
import type { addBuckets } from './buckets.js';
import type { Builder } from './builder.js';
import type { addObjects } from './objects.js';

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

/** Every mutation. */
export function addMutations(
  builder: Builder,
  { Bucket, S3Object, ObjectRefInput }: ReturnType<typeof addObjects> & ReturnType<typeof addBuckets>,
): void {
  const PresignedRequest = builder
    .objectRef<{ url: string; method: string; headers: Record<string, string>; expiresAt: Date }>('PresignedRequest')
    .implement({
      description: 'A presigned request: send `method` to `url` with exactly these `headers` before `expiresAt`.',
      fields: (t) => ({
        url: t.exposeString('url'),
        method: t.exposeString('method'),
        headers: t.field({ type: 'JSONObject', resolve: (p) => p.headers }),
        expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
      }),
    });

  builder.mutationType({});

  builder.mutationFields((t) => ({
    createBucket: t.field({
      type: Bucket,
      args: { name: t.arg.string({ required: true }) },
      resolve: (_, args, ctx) => createBucket(ctx, args.name),
    }),
    uploadFile: t.field({
      type: S3Object,
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
      type: S3Object,
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
      type: S3Object,
      args: { from: t.arg({ type: ObjectRefInput, required: true }), to: t.arg({ type: ObjectRefInput, required: true }) },
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
      type: PresignedRequest,
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
