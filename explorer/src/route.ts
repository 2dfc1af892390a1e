// Where the explorer is, kept in the address's hash so that the server serves one
// page, and back/forward, reload and shared links all work:
//   #/                                   the buckets
//   #/b/<bucket>/<prefix>                a folder (prefix ends with "/", or is empty)
//   #/o/<bucket>/<key>?view=&sheet=&encoding=&sort=&filter=&where=   an object (and its table's view)
import { useEffect, useState } from 'preact/hooks';

export type ObjectTab = 'table' | 'chart' | 'tree' | 'text';

export type Route =
  | { name: 'buckets' }
  | { name: 'folder'; bucket: string; prefix: string }
  | {
      name: 'object';
      bucket: string;
      key: string;
      tab?: ObjectTab;
      sheet?: string;
      encoding?: string;
      /** The table's view, so that a link shares it: `column:ASC` or `column:DESC`. */
      sort?: string;
      /** The "Filter" box's text. */
      filter?: string;
      /** The filter builder's applied conditions, as JSON ({ how, conditions }). */
      where?: string;
    };

const TABS: readonly ObjectTab[] = ['table', 'chart', 'tree', 'text'];

/** Each path segment is encoded on its own, so keys keep their readable slashes. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function decodePath(path: string): string {
  return path.split('/').map(decodeURIComponent).join('/');
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const match = /^\/([bo])\/([^/]+)\/?(.*)$/.exec(path);
  if (!match) return { name: 'buckets' };
  try {
    const bucket = decodeURIComponent(match[2] ?? '');
    const rest = decodePath(match[3] ?? '');
    if (match[1] === 'b') return { name: 'folder', bucket, prefix: rest };
    const params = new URLSearchParams(search);
    const tab = params.get('view');
    return {
      name: 'object',
      bucket,
      key: rest,
      ...(tab && (TABS as string[]).includes(tab) ? { tab: tab as ObjectTab } : {}),
      ...(params.get('sheet') !== null ? { sheet: params.get('sheet') as string } : {}),
      ...(params.get('encoding') ? { encoding: params.get('encoding') as string } : {}),
      ...(params.get('sort') ? { sort: params.get('sort') as string } : {}),
      ...(params.get('filter') ? { filter: params.get('filter') as string } : {}),
      ...(params.get('where') ? { where: params.get('where') as string } : {}),
    };
  } catch {
    // A hand-edited hash with broken %-escapes: start over rather than fail.
    return { name: 'buckets' };
  }
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'buckets':
      return '#/';
    case 'folder':
      return `#/b/${encodeURIComponent(route.bucket)}/${encodePath(route.prefix)}`;
    case 'object': {
      const params = new URLSearchParams();
      if (route.tab) params.set('view', route.tab);
      if (route.sheet !== undefined) params.set('sheet', route.sheet);
      if (route.encoding) params.set('encoding', route.encoding);
      if (route.sort) params.set('sort', route.sort);
      if (route.filter) params.set('filter', route.filter);
      if (route.where) params.set('where', route.where);
      const search = params.toString();
      return `#/o/${encodeURIComponent(route.bucket)}/${encodePath(route.key)}${search ? `?${search}` : ''}`;
    }
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = routeHref(route);
  if (options.replace) history.replaceState(null, '', href);
  else location.hash = href;
  // replaceState fires no hashchange: tell the listeners ourselves.
  if (options.replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** The folder an object or folder sits in: "a/b/c.csv" → "a/b/", "a/b/" → "a/". */
export function parentPrefix(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? '' : trimmed.slice(0, slash + 1);
}
