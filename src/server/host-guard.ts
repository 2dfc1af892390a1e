// The Host header guard (DNS rebinding): without tokens, a loopback server answers only
// requests addressed to a loopback name. A page whose own name an attacker points at
// 127.0.0.1 is same-origin with it and would otherwise read and write the buckets.
import type { IncomingMessage } from 'node:http';
import type { Settings } from '../config/settings.js';
import { Forbidden } from '../errors.js';
import { isLoopback, type TokenCheck } from './auth.js';

const NOT_LOOPBACK_HOST =
  'This bucketql server has no tokens: it answers only requests addressed to localhost or 127.0.0.1 (DNS rebinding protection). Set BUCKETQL_TOKENS to serve it under other names.';

/** True when a Host header names a loopback address or a *.localhost name (or is absent). */
export function loopbackHostHeader(host: string | undefined): boolean {
  if (!host) return true;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopback(name) || name.toLowerCase().endsWith('.localhost');
}

/**
 * The guard for this server: a no-op with tokens or on a non-loopback address (tokens
 * are what protects it then); otherwise throws Forbidden for a request addressed to another name.
 */
export function hostGuard(settings: Pick<Settings, 'host'>, tokens: TokenCheck): (req: IncomingMessage) => void {
  if (tokens.required || !isLoopback(settings.host)) return () => undefined;
  return (req) => {
    if (!loopbackHostHeader(req.headers.host)) throw new Forbidden(NOT_LOOPBACK_HOST);
  };
}
