// Serves the explorer (explorer/dist, built by `npm run build`) at `/`: index.html
// and its hashed assets, gzipped when the browser accepts it, read once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot } from '../package-root.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer | null;
  immutable: boolean;
}

export class ExplorerAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(readonly dir = join(packageRoot(), 'explorer', 'dist')) {
    if (!existsSync(dir)) return;
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else {
          const body = readFileSync(path);
          const type = TYPES[extname(name)] ?? 'application/octet-stream';
          const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024;
          const url = `/${relative(dir, path).split('\\').join('/')}`;
          this.assets.set(url, { type, body, gzipped: compressible ? gzipSync(body) : null, immutable: url.startsWith('/assets/') });
        }
      }
    };
    walk(dir);
  }

  /** Answers the request when it names an explorer file; false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const asset = this.assets.get(pathname === '/' ? '/index.html' : pathname);
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const gzip = asset.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? (asset.gzipped as Buffer) : asset.body;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}
