// Who may call: bearer tokens (compared in constant time), and the rule that a
// server reachable from other machines needs them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Settings } from '../config/settings.js';

export class TokenCheck {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map((t) => createHash('sha256').update(t).digest());
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  /** True when the Authorization header carries one of the tokens (or none is required). */
  verify(authorization: string | undefined): boolean {
    if (!this.required) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return false;
    // Hashing first makes every comparison the same length; every token is compared.
    const given = createHash('sha256')
      .update(match[1] as string)
      .digest();
    let ok = false;
    for (const digest of this.digests) ok = timingSafeEqual(digest, given) || ok;
    return ok;
  }
}

/** Tokens from BUCKETQL_TOKENS and BUCKETQL_TOKENS_FILE (one a line, # comments). */
export function loadTokens(settings: Pick<Settings, 'tokens' | 'tokensFile'>): string[] {
  const tokens = [...(settings.tokens ?? [])];
  if (settings.tokensFile) {
    let text: string;
    try {
      text = readFileSync(settings.tokensFile, 'utf8');
    } catch (error) {
      throw new Error(`BUCKETQL_TOKENS_FILE: cannot read ${settings.tokensFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    for (const line of text.split(/\r?\n/)) {
      const token = line.trim();
      if (token && !token.startsWith('#')) tokens.push(token);
    }
  }
  const weak = tokens.find((t) => t.length < 16);
  if (weak !== undefined) throw new Error('Bearer tokens must be at least 16 characters long (use e.g. `openssl rand -hex 32`)');
  return tokens;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Refuses to serve a non-loopback address without tokens, unless anonymous access is allowed. */
export function checkListenSafety(settings: Pick<Settings, 'host' | 'allowAnonymous'>, tokens: TokenCheck): void {
  if (!isLoopback(settings.host) && !tokens.required && !settings.allowAnonymous) {
    throw new Error(
      `Refusing to listen on ${settings.host} without tokens: anyone who can reach it could read and write your buckets. Set BUCKETQL_TOKENS (or BUCKETQL_TOKENS_FILE), or BUCKETQL_ALLOW_ANONYMOUS=1 if that is what you want.`,
    );
  }
}

/**
 * The server's tokens, loaded once (BUCKETQL_TOKENS, BUCKETQL_TOKENS_FILE), after the
 * rule that a non-loopback address needs them (unless anonymous access is allowed):
 * call it before anything starts.
 */
export function accessTokens(settings: Pick<Settings, 'tokens' | 'tokensFile' | 'host' | 'allowAnonymous'>): TokenCheck {
  const tokens = new TokenCheck(loadTokens(settings));
  checkListenSafety(settings, tokens);
  return tokens;
}
