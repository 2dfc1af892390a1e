// GraphiQL at /graphql for browsers: a small HTML page, and its scripts, styles and
// editor workers as separate assets under /graphiql/ with content-hashed names,
// served gzipped and `Cache-Control: immutable`, so a second visit loads only the
// page. Everything comes from @graphql-yoga/render-graphiql's bundle (no CDN: it
// works offline), read on first use: a server whose users never open GraphiQL does
// not pay its 9 MB at start.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
}

interface Bundle {
  page: Asset;
  /** By path, e.g. /graphiql/app-1a2b3c4d5e6f.js */
  assets: Map<string, Asset>;
}

export const GRAPHIQL_ASSETS = '/graphiql/';

function asset(type: string, content: string | Buffer): Asset {
  const body = Buffer.from(content);
  return { type, body, gzipped: gzipSync(body) };
}

function hashed(name: string, extension: string, content: string | Buffer): string {
  return `${GRAPHIQL_ASSETS}${name}-${createHash('sha256').update(content).digest('hex').slice(0, 16)}.${extension}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function build(options: { title: string; defaultQuery: string }): Promise<Bundle> {
  const { css, js, favicon, editorWorkerService, jsonWorker, graphqlWorker } = await import('@graphql-yoga/render-graphiql/graphiql');
  const assets = new Map<string, Asset>();
  const add = (name: string, extension: string, type: string, content: string | Buffer) => {
    const path = hashed(name, extension, content);
    assets.set(path, asset(type, content));
    return path;
  };
  // The favicon comes as a data: URL of 150 kB: an asset too, not part of the page.
  const icon = /^data:([^;,]+);base64,(.*)$/.exec(favicon);
  const faviconHref = icon ? add('favicon', 'ico', icon[1] as string, Buffer.from(icon[2] as string, 'base64')) : favicon;
  const scriptType = 'text/javascript; charset=utf-8';
  const workers = {
    editorWorkerService: add('editor.worker', 'js', scriptType, editorWorkerService),
    json: add('json.worker', 'js', scriptType, jsonWorker),
    graphql: add('graphql.worker', 'js', scriptType, graphqlWorker),
  };
  const styles = add('graphiql', 'css', 'text/css; charset=utf-8', css);
  const script = add('graphiql', 'js', scriptType, js);
  // shouldPersistHeaders off: a token typed into the header editor stays out of localStorage.
  const settings = JSON.stringify({
    endpoint: '/graphql',
    title: options.title,
    defaultQuery: options.defaultQuery,
    shouldPersistHeaders: false,
  });
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title)}</title>
    <link rel="icon" href="${escapeHtml(faviconHref)}" />
    <link rel="stylesheet" href="${styles}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${JSON.stringify(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${script}"></script>
    <script>
      // Yoga's GraphiQL takes \`query\` from the address but not \`variables\`: pass them in too.
      YogaGraphiQL.renderYogaGraphiQL(
        document.querySelector('#root'),
        Object.assign(${settings.replace(/</g, '\\u003c')}, { variables: new URLSearchParams(location.search).get('variables') ?? undefined }),
      );
    </script>
  </body>
</html>
`;
  return { page: asset('text/html; charset=utf-8', html), assets };
}

function send(req: IncomingMessage, res: ServerResponse, item: Asset, cacheControl: string): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, {
    'content-type': item.type,
    'cache-control': cacheControl,
    vary: 'accept-encoding',
    'content-length': String((gzip ? item.gzipped : item.body).length),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : gzip ? item.gzipped : item.body);
}

/** What GraphiQL opens with: a query that reads the demo CSV. */
const DEFAULT_QUERY = `# Welcome to bucketql. Run this query (▶) to read the demo CSV as typed rows.
{
  object(bucket: "demo", key: "sales.csv") {
    key
    size
    table {
      columns { name type }
      rowCount
      rows(first: 5) {
        edges { node { index values } }
      }
    }
  }
}
`;

/** A browser opening /graphql (also /graphql?query=..., the explorer's "Show query") gets GraphiQL. */
export function asksForGraphiQL(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export class GraphiQLPages {
  private bundle: Promise<Bundle> | null = null;

  constructor(
    private readonly options: { title: string; defaultQuery: string } = { title: 'bucketql · GraphiQL', defaultQuery: DEFAULT_QUERY },
  ) {}

  private load(): Promise<Bundle> {
    this.bundle ??= build(this.options);
    return this.bundle;
  }

  /** The page itself: small, revalidated on every visit (it names the current assets). */
  async sendPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    send(req, res, (await this.load()).page, 'no-cache');
  }

  /** An asset under /graphiql/; false when `pathname` names none (the caller answers 404). */
  async sendAsset(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const item = (await this.load()).assets.get(pathname);
    if (!item) return false;
    send(req, res, item, 'public, max-age=31536000, immutable');
    return true;
  }
}
