// The bearer token for servers started with BUCKETQL_TOKENS. It lives in
// sessionStorage only: it goes away with the tab, and other tabs and sites never see it.
const STORAGE_KEY = 'bucketql.token';

type Listener = () => void;
const listeners = new Set<Listener>();
/** The token when sessionStorage is switched off: it then lasts until the page reloads. */
let memoryToken: string | null = null;

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return memoryToken;
  }
}

export function setToken(token: string | null): void {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // See getToken.
  }
}

/** The Authorization header for the current token, if any. */
export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Called by the transport whenever the server answers UNAUTHENTICATED (HTTP 401). */
export function reportUnauthenticated(): void {
  for (const listener of listeners) listener();
}

/** The app listens here to ask for a token; returns the unsubscribe function. */
export function onUnauthenticated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
