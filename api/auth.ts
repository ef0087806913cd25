/**
 * Who is calling. With tokens configured every request (but health and docs) needs
 * `Authorization: Bearer <token>`, and the token's name is the actor. Without tokens (local
 * development) the API is open and the actor comes from `X-Muster-Actor`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

export type Authenticate = (request: FastifyRequest) => string;

export function authenticator(tokens: Record<string, string> | undefined): Authenticate {
  if (!tokens || Object.keys(tokens).length === 0) {
    return (request) => {
      const actor = request.headers['x-muster-actor'];
      return typeof actor === 'string' && actor.trim() ? actor.trim() : 'api';
    };
  }
  // Compare digests in constant time so a token cannot be guessed byte by byte.
  const known = Object.entries(tokens).map(([token, name]) => ({ digest: digest(token), name }));
  return (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new ApiError(401, { error: 'unauthorized', message: 'send Authorization: Bearer <token>; ask your Muster admin for a token' });
    }
    const presented = digest(match[1]!);
    const caller = known.find((entry) => timingSafeEqual(entry.digest, presented));
    if (!caller) throw new ApiError(401, { error: 'unauthorized', message: 'that token is not valid' });
    return caller.name;
  };
}
