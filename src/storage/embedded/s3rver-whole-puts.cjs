// s3rver's FilesystemStore.putObject writes a PUT's body straight into the object's
// file, so a PUT whose connection is cut leaves half an object behind (and the old
// version is gone). Here the body goes to a temporary file beside the object, its
// length is checked against Content-Length, and only a whole body is renamed into place.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline, Transform } = require('node:stream');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Error = require('s3rver/lib/models/error');

const original = FilesystemStore.prototype.putObject;
FilesystemStore.prototype.putObject = async function putObject(object) {
  const body = object.content;
  // Buffers and the concatenated parts of a multipart upload are whole already.
  if (!body || Buffer.isBuffer(body) || !body.headers) return original.call(this, object);
  const declared = Number(body.headers['content-length']);
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const partial = `${objectPath}.partial-${crypto.randomUUID()}`;
  let size = 0;
  const md5 = crypto.createHash('md5');
  try {
    await new Promise((resolve, reject) => {
      const count = new Transform({
        transform(chunk, _encoding, done) {
          size += chunk.length;
          md5.update(chunk);
          done(null, chunk);
        },
      });
      // pipeline fails when the request closes before its end (a cut connection).
      pipeline(body, count, fs.createWriteStream(partial), (error) => (error ? reject(error) : resolve()));
    });
    if (Number.isFinite(declared) && size !== declared) {
      throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    }
    await fs.promises.rename(partial, objectPath);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};
