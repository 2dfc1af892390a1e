// Buckets: listing their objects as a connection, the bucket queries, createBucket.
import type { Context } from '../context.js';
import { Forbidden } from '../errors.js';
import { listObjects, MAX_LIST_PAGE, type ObjectConnectionShape } from '../objects/listing.js';
import { headObject, nodeFromMeta } from '../objects/service.js';
import { createBucket } from '../objects/write.js';
import type { Builder } from './builder.js';
import { forwardPageInfo, type PageInfoShape } from './paging.js';

export interface BucketShape {
  name: string;
  createdAt?: Date | null;
}

/** A page of the object listing, with Relay's PageInfo. */
export type ObjectConnectionPage = Omit<ObjectConnectionShape, 'pageInfo'> & { pageInfo: PageInfoShape };

async function createdAtOf(ctx: Context, bucket: BucketShape): Promise<Date | null> {
  if (bucket.createdAt !== undefined) return bucket.createdAt;
  // HeadBucket does not tell the creation date; the bucket list does, when these
  // credentials may list buckets. When they may not, the date is unknown (null); any
  // other failure (S3 unreachable, an S3 error) is this field's error, with its code.
  try {
    return (await ctx.loaders.bucketList()).find((b) => b.name === bucket.name)?.createdAt ?? null;
  } catch (error) {
    if (error instanceof Forbidden) return null;
    throw error;
  }
}

/** Bucket, the listing connection, the bucket queries and createBucket. */
export function addBuckets(builder: Builder): void {
  builder.objectType('ObjectEdge', {
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: 'S3Object', resolve: (edge) => edge.node }),
    }),
  });

  builder.objectType('ObjectConnection', {
    fields: (t) => ({
      edges: t.field({ type: ['ObjectEdge'], resolve: (c) => c.edges }),
      prefixes: t.exposeStringList('prefixes', { description: 'Common prefixes ("folders") of this page, when `delimiter` is set.' }),
      pageInfo: t.field({ type: 'PageInfo', resolve: (c) => c.pageInfo }),
    }),
  });

  builder.objectType('Bucket', {
    fields: (t) => ({
      name: t.exposeString('name'),
      createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (b, _, ctx) => createdAtOf(ctx, b) }),
      objects: t.field({
        type: 'ObjectConnection',
        description: `Objects (and common prefixes) in key order, a page at a time. \`first\` is 1 to ${MAX_LIST_PAGE}.`,
        args: {
          prefix: t.arg.string(),
          delimiter: t.arg.string(),
          first: t.arg.int({ defaultValue: 100 }),
          after: t.arg.string(),
        },
        resolve: async (b, args, ctx) => {
          const listing = await listObjects(ctx, { bucket: b.name, ...args, first: args.first ?? 100 });
          return { ...listing, pageInfo: forwardPageInfo({ ...listing.pageInfo, edges: listing.edges }, args.after) };
        },
      }),
      object: t.field({
        type: 'S3Object',
        nullable: true,
        args: { key: t.arg.string({ required: true }) },
        resolve: async (b, args, ctx) => {
          const meta = await headObject(ctx, { bucket: b.name, key: args.key });
          return meta ? nodeFromMeta(meta) : null;
        },
      }),
    }),
  });

  builder.queryFields((t) => ({
    buckets: t.field({
      type: ['Bucket'],
      description: 'The buckets these credentials can list (only those BUCKETQL_BUCKETS allows).',
      resolve: async (_, __, ctx) => (await ctx.loaders.bucketList()).filter((b) => ctx.access.allows(b.name)),
    }),
    bucket: t.field({
      type: 'Bucket',
      nullable: true,
      description: 'The bucket, or null when it does not exist.',
      args: { name: t.arg.string({ required: true }) },
      resolve: async (_, args, ctx) => {
        ctx.access.checkBucket(args.name);
        return (await ctx.loaders.bucketExists.load(args.name)) ? { name: args.name } : null;
      },
    }),
  }));

  builder.mutationField('createBucket', (t) =>
    t.field({
      type: 'Bucket',
      args: { name: t.arg.string({ required: true }) },
      resolve: (_, args, ctx) => createBucket(ctx, args.name),
    }),
  );
}
