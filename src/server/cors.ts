// Cross-origin access (BUCKETQL_CORS_ORIGINS), decided in one place for every answer
// the server writes, its own and yoga's: an origin in the list gets CORS headers
// naming it; any other origin gets none at all, not even `null` (which a sandboxed
// iframe's page would satisfy), unless `null` is listed literally.
import type { IncomingMessage, ServerResponse } from 'node:http';

const METHODS = 'GET, POST, OPTIONS';
const MAX_AGE = '600';

export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;
  private readonly any: boolean;

  /** `origins` as configured: `*`, `null`, or origins such as https://app.example.com (a path or trailing slash is dropped). */
  constructor(origins: readonly string[] | undefined) {
    const parsed = (origins ?? []).map(parseOrigin);
    this.any = parsed.includes('*');
    this.origins = new Set(parsed);
  }

  /** True when a page of this origin may call (`Origin` as the browser sent it). */
  allows(origin: string | undefined): origin is string {
    if (origin === undefined) return false;
    if (origin === 'null') return this.origins.has('null');
    return this.any || this.origins.has(origin);
  }

  /** Headers for an answer to a request from `origin`: none unless the origin may call. */
  headersFor(origin: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return {};
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  /**
   * The headers of an answer written by someone else (yoga, whose own CORS is off):
   * its access-control-* headers replaced by this policy's, `Vary` merged.
   */
  replaceIn(headers: Record<string, string>, origin: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (!name.startsWith('access-control-')) out[name] = value;
    const cors = this.headersFor(origin);
    if (cors.vary && out.vary) cors.vary = `${out.vary}, ${cors.vary}`;
    return Object.assign(out, cors);
  }

  /**
   * Answers a preflight (any OPTIONS request) without running anything: 204, with the
   * methods and the headers asked for when the origin may call, and no CORS header otherwise.
   */
  answerPreflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const headers: Record<string, string> = { 'content-length': '0', vary: 'Origin, Access-Control-Request-Headers' };
    if (this.allows(origin)) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = METHODS;
      const asked = req.headers['access-control-request-headers'];
      if (asked) headers['access-control-allow-headers'] = asked;
      headers['access-control-max-age'] = MAX_AGE;
    }
    res.writeHead(204, headers);
    res.end();
  }
}

/** An origin as browsers send it in `Origin` (scheme://host[:port]), or `*` / `null` as written. */
function parseOrigin(origin: string): string {
  if (origin === '*' || origin === 'null') return origin;
  try {
    const parsed = new URL(origin).origin;
    if (parsed === 'null') throw new Error('opaque');
    return parsed;
  } catch {
    throw new Error(`BUCKETQL_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin such as https://app.example.com`);
  }
}
