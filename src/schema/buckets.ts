// Buckets, and listing their objects as a connection.
import type { Context } from '../context.js';
import { listObjects, MAX_LIST_PAGE, type ObjectConnectionShape, type ObjectEdgeShape } from '../objects/listing.js';
import { headObject, nodeFromMeta } from '../objects/service.js';
import type { BucketInfo } from '../storage/types.js';
import type { Builder } from './builder.js';
import type { addObjects } from './objects.js';
import { type addPaging, forwardPageInfo, type PageInfoShape } from './paging.js';

interface BucketShape {
  name: string;
  createdAt?: Date | null;
}

async function createdAtOf(ctx: Context, bucket: BucketShape): Promise<Date | null> {
  if (bucket.createdAt !== undefined) return bucket.createdAt;
  // HeadBucket does not tell the creation date; the bucket list does, when allowed.
  try {
    const all: BucketInfo[] = await ctx.loaders.bucketList();
    return all.find((b) => b.name === bucket.name)?.createdAt ?? null;
  } catch {
    return null;
  }
}

/** Bucket, the listing connection, and the bucket queries. */
export function addBuckets(builder: Builder, { S3Object, PageInfo }: ReturnType<typeof addObjects> & ReturnType<typeof addPaging>) {
  const ObjectEdge = builder.objectRef<ObjectEdgeShape>('ObjectEdge').implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      node: t.field({ type: S3Object, resolve: (edge) => edge.node }),
    }),
  });

  const ObjectConnection = builder
    .objectRef<Omit<ObjectConnectionShape, 'pageInfo'> & { pageInfo: PageInfoShape }>('ObjectConnection')
    .implement({
      fields: (t) => ({
        edges: t.field({ type: [ObjectEdge], resolve: (c) => c.edges }),
        prefixes: t.exposeStringList('prefixes', { description: 'Common prefixes ("folders") of this page, when `delimiter` is set.' }),
        pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
      }),
    });

  const Bucket = builder.objectRef<BucketShape>('Bucket').implement({
    fields: (t) => ({
      name: t.exposeString('name'),
      createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (b, _, ctx) => createdAtOf(ctx, b) }),
      objects: t.field({
        type: ObjectConnection,
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
        type: S3Object,
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
      type: [Bucket],
      description: 'The buckets these credentials can list (only those BUCKETQL_BUCKETS allows).',
      resolve: async (_, __, ctx) => (await ctx.loaders.bucketList()).filter((b) => ctx.access.allows(b.name)),
    }),
    bucket: t.field({
      type: Bucket,
      nullable: true,
      description: 'The bucket, or null when it does not exist.',
      args: { name: t.arg.string({ required: true }) },
      resolve: async (_, args, ctx) => {
        ctx.access.checkBucket(args.name);
        return (await ctx.loaders.bucketExists.load(args.name)) ? { name: args.name } : null;
      },
    }),
  }));

  return { Bucket };
}
