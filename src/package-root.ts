// Where bucketql's own files are (package.json, examples/, explorer/dist, schema/),
// from the sources (tsx) and the build (dist/) alike.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: the nearest folder up from this module with a package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the bucketql package root');
    dir = parent;
  }
  return dir;
}
