// Listing a bucket as a connection: pages over S3's continuation tokens, with an
// opaque cursor per edge (the key, resumed with StartAfter) and per page (the token).
import type { Context } from '../context.js';
import { BadUserInput } from '../errors.js';
import type { ObjectSummary } from '../storage/types.js';
import { validateFirst } from '../tables/query.js';

export const MAX_LIST_PAGE = 1000;

export interface ListArgs {
  bucket: string;
  prefix?: string | null | undefined;
  delimiter?: string | null | undefined;
  first: number;
  after?: string | null | undefined;
}

interface ListCursor {
  b: string;
  p: string;
  d: string;
  /** A continuation token, or the key to start after. */
  t?: string;
  k?: string;
}

export interface ObjectEdgeShape {
  cursor: string;
  node: ObjectSummary;
}

export interface ObjectConnectionShape {
  edges: ObjectEdgeShape[];
  prefixes: string[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function encode(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decode(text: string, args: ListArgs): ListCursor {
  let cursor: ListCursor;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ListCursor;
  } catch {
    throw new BadUserInput('Malformed cursor: pass `endCursor` (or an edge `cursor`) from an earlier page as `after`');
  }
  if (typeof cursor !== 'object' || cursor === null || (typeof cursor.t !== 'string' && typeof cursor.k !== 'string')) {
    throw new BadUserInput('Malformed cursor: pass `endCursor` (or an edge `cursor`) from an earlier page as `after`');
  }
  if (cursor.b !== args.bucket || cursor.p !== (args.prefix ?? '') || cursor.d !== (args.delimiter ?? '')) {
    throw new BadUserInput('This cursor is from a listing of another bucket, prefix or delimiter');
  }
  return cursor;
}

export async function listObjects(ctx: Context, args: ListArgs): Promise<ObjectConnectionShape> {
  validateFirst(args.first, MAX_LIST_PAGE, '`first`');
  const base = { b: args.bucket, p: args.prefix ?? '', d: args.delimiter ?? '' };
  const cursor = args.after ? decode(args.after, args) : null;
  const page = await ctx.loaders.listPage.load({
    bucket: args.bucket,
    prefix: args.prefix ?? undefined,
    delimiter: args.delimiter ?? undefined,
    maxKeys: args.first,
    continuationToken: cursor?.t,
    startAfter: cursor?.k,
  });
  const edges = page.objects.map((node) => ({ cursor: encode({ ...base, k: node.key }), node }));
  const hasNextPage = page.nextToken !== null;
  const endCursor = hasNextPage ? encode({ ...base, t: page.nextToken as string }) : (edges.at(-1)?.cursor ?? null);
  return { edges, prefixes: page.prefixes, pageInfo: { hasNextPage, endCursor } };
}
