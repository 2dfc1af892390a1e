// Builds the explorer (Preact, JSX through esbuild) into explorer/dist, which the
// bucketql server serves at `/`. `npm run build:explorer` runs it from the package root.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'explorer',
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One small page: no source maps shipped, and no modulepreload polyfill to load.
    sourcemap: false,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  // For working on the explorer itself (`npx vite --config explorer/vite.config.ts`):
  // the API comes from a bucketql started beside it with `npm run dev`.
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000' } },
});
