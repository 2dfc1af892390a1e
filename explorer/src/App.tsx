// The explorer's frame: header, the view the address names, and the token form when
// the server asks for one. A new token remounts the view, so it asks again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getToken, onUnauthenticated, setToken } from './api/auth.js';
import { StoreBanner } from './components/StoreBanner.js';
import { TokenForm } from './components/TokenForm.js';
import { useRoute } from './route.js';
import { BucketsView } from './views/BucketsView.js';
import { FolderView } from './views/FolderView.js';
import { ObjectView } from './views/ObjectView.js';

export function App() {
  const route = useRoute();
  const [needsToken, setNeedsToken] = useState(false);
  const [session, setSession] = useState(0);
  const [hasToken, setHasToken] = useState(() => getToken() !== null);
  useEffect(() => onUnauthenticated(() => setNeedsToken(true)), []);

  // Headings and focus follow the view, for keyboard and screen reader users.
  const where =
    route.name === 'buckets' ? '' : route.name === 'folder' ? `${route.bucket}/${route.prefix}` : `${route.bucket}/${route.key}`;
  const firstView = useRef(true);
  useEffect(() => {
    document.title = where ? `${where} · bucketql explorer` : 'bucketql explorer';
    // The link that was followed is gone with the old view: start the next Tab from the
    // top of the new one rather than from the top of the page. (Not on first load.)
    if (!firstView.current) document.getElementById('main')?.focus({ preventScroll: true });
    firstView.current = false;
  }, [where]);

  let view = null;
  if (!needsToken) {
    if (route.name === 'buckets') view = <BucketsView key={session} />;
    else if (route.name === 'folder')
      view = <FolderView key={`${session}:${route.bucket}/${route.prefix}`} bucket={route.bucket} prefix={route.prefix} />;
    else view = <ObjectView key={`${session}:${route.bucket}/${route.key}`} route={route} />;
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href="#/">
          bucketql <span>explorer</span>
        </a>
        {!needsToken && <StoreBanner key={session} />}
        <nav aria-label="Elsewhere">
          {hasToken && (
            <button
              type="button"
              class="link-button"
              onClick={() => {
                setToken(null);
                setHasToken(false);
                setSession((s) => s + 1);
              }}
            >
              Forget token
            </button>
          )}
          <a href="/graphql" target="_blank" rel="noopener">
            GraphiQL
          </a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {needsToken && (
          <TokenForm
            onToken={(token) => {
              setToken(token);
              setHasToken(true);
              setNeedsToken(false);
              setSession((s) => s + 1);
            }}
          />
        )}
        {view}
      </main>
    </>
  );
}
