// Runs s3rver, the embedded S3-compatible store, in a process of its own.
// It needs Node's legacy OpenSSL provider (its listing tokens use DES), which
// bucketql's own process should not run with; it also keeps the store's work off
// bucketql's event loop. Started by ./embedded.ts, which passes the settings as
// arguments and the credentials over IPC (`start`), and receives `{ port }` over IPC
// once the store listens.
'use strict';
const fs = require('node:fs');
const S3rver = require('s3rver');
// s3rver's ListObjectsV2 is not S3's (order, common prefixes, paging): replaced.
require('./s3rver-listing-v2.cjs');
// s3rver writes a PUT's body straight into the object's file: a PUT cut off midway
// leaves half an object (over the old one). Write beside it, check the length, rename.
require('./s3rver-whole-puts.cjs');
const requireSignature = require('./s3rver-auth.cjs');

const [directory, portArg, countBytes] = process.argv.slice(2);
fs.mkdirSync(directory, { recursive: true });

let bytesSent = 0;

function start(credentials) {
  const server = new S3rver({
    address: '127.0.0.1',
    port: Number(portArg),
    directory,
    silent: true,
    // Path-style requests only: virtual-host buckets would route on the Host header.
    vhostBuckets: false,
  });
  // Signatures checked before s3rver's router sees the request (s3rver itself checks
  // only the access key id, and lets anonymous requests through).
  server.middleware.splice(server.middleware.length - 1, 0, requireSignature(credentials));

  server.run().then(
    (address) => {
      if (countBytes === '1') {
        // Lets tests see how many response bytes the store sent, to prove that a
        // query stopped reading early.
        server.httpServer.on('connection', (socket) => {
          const write = socket.write;
          socket.write = function (chunk, ...rest) {
            if (chunk) bytesSent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
            return write.call(this, chunk, ...rest);
          };
        });
      }
      process.send?.({ type: 'ready', port: address.port });
    },
    (error) => {
      process.send?.({ type: 'failed', message: String(error?.message) });
      process.exit(1);
    },
  );
}

process.on('message', (message) => {
  if (message && message.type === 'start') start(message.credentials);
  else if (message && message.type === 'bytesSent') process.send?.({ type: 'bytesSent', id: message.id, bytes: bytesSent });
});
// Never outlive the process that started us.
process.on('disconnect', () => process.exit(0));
