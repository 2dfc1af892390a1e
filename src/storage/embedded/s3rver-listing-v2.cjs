// s3rver 3.7.1's ListObjectsV2 is not S3's: it loses the common prefix of a folder that
// holds only folders (`logs/` for `logs/2024/01.log`), lists `a/x` before `a.txt`
// (directory order, not S3's byte order, so that paging skips keys), does not count
// common prefixes against max-keys and repeats them on later pages. This answers
// ListObjectsV2 the way S3 does, from the store's own files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const bucketController = require('s3rver/lib/controllers/bucket');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Error = require('s3rver/lib/models/error');
const S3Object = require('s3rver/lib/models/object');

const OBJECT_SUFFIX = '._S3rver_object';
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every key of the bucket that starts with `prefix`, in S3's (UTF-8 byte) order. */
function keysWithPrefix(store, bucket, prefix) {
  const bucketPath = store.getBucketPath(bucket);
  const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  const start = folder ? path.join(bucketPath, FilesystemStore.encodeKeyPath(folder)) : bucketPath;
  const keys = [];
  const walk = (dir) => {
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return;
      throw error;
    }
    for (const name of names) {
      const file = path.posix.join(dir, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(OBJECT_SUFFIX)) {
        const key = FilesystemStore.decodeKeyPath(file.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length));
        if (key.startsWith(prefix)) keys.push(key);
      }
    }
  };
  walk(start);
  return keys.sort(byteOrder);
}

const encodeToken = (bucket, after, prefix) => Buffer.from(JSON.stringify({ bucket, after, prefix })).toString('base64');

function decodeToken(token, bucket) {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (parsed.bucket === bucket && typeof parsed.after === 'string') return parsed;
  } catch {}
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
}

const original = bucketController.getBucket;
bucketController.getBucket = async function getBucket(ctx) {
  if (ctx.query['list-type'] !== '2' || 'marker' in ctx.query) return original(ctx);
  const bucket = ctx.params.bucket;
  const prefix = ctx.query.prefix || '';
  const delimiter = ctx.query.delimiter || '';
  let maxKeys = 1000;
  if (ctx.query['max-keys'] !== undefined) {
    if (!/^\d+$/.test(ctx.query['max-keys'])) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys' });
    }
    maxKeys = Math.min(1000, Number(ctx.query['max-keys']));
  }
  const token = ctx.query['continuation-token'] ? decodeToken(ctx.query['continuation-token'], bucket) : null;
  const after = token ? token.after : ctx.query['start-after'] || '';
  // A page that ended on a common prefix resumes after every key under it.
  const skip = token?.prefix ? token.after : null;

  const keys = [];
  const prefixes = [];
  let last = null;
  let isTruncated = false;
  for (const key of keysWithPrefix(ctx.store, bucket, prefix)) {
    if (byteOrder(key, after) <= 0 || (skip && key.startsWith(skip))) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut === -1 ? null : key.slice(0, cut + delimiter.length);
    if (common !== null && common === last?.value) continue;
    if (keys.length + prefixes.length >= maxKeys) {
      isTruncated = maxKeys > 0;
      break;
    }
    if (common === null) keys.push(key);
    else prefixes.push(common);
    last = { value: common ?? key, prefix: common !== null };
  }

  const objects = await Promise.all(keys.map(async (key) => new S3Object(bucket, key, null, await ctx.store.getMetadata(bucket, key))));
  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: 'http://doc.s3.amazonaws.com/2006-03-01/' },
      Name: bucket,
      Prefix: prefix,
      StartAfter: token ? undefined : ctx.query['start-after'],
      ContinuationToken: ctx.query['continuation-token'] || undefined,
      NextContinuationToken: isTruncated ? encodeToken(bucket, last.value, last.prefix) : undefined,
      KeyCount: keys.length + prefixes.length,
      MaxKeys: maxKeys,
      Delimiter: delimiter || undefined,
      IsTruncated: isTruncated,
      Contents: objects.map((object) => ({
        Key: object.key,
        LastModified: object.lastModifiedDate.toISOString(),
        ETag: object.metadata.etag,
        Size: object.size,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: prefixes.map((Prefix) => ({ Prefix })),
    },
  };
};
