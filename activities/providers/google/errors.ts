/**
 * Turns what googleapis throws into the error catalog's VendorError. googleapis raises
 * GaxiosError, but two gaxios copies are installed (one under google-auth-library, one under
 * googleapis-common), so errors are read by shape rather than with instanceof.
 */
import { classifyStatus, retryAfterMs, VendorError } from '../../errors';

interface GaxiosLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: {
    status?: number;
    headers?: { get?(name: string): string | null } | Record<string, string | undefined>;
    data?: unknown;
  };
}

const RATE_LIMIT_REASONS = ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'];

const asGaxios = (err: unknown): GaxiosLike => (typeof err === 'object' && err !== null ? (err as GaxiosLike) : { message: String(err) });

/** The HTTP status of a failed call, or undefined when no answer came (network, timeout). */
export function googleStatus(err: unknown): number | undefined {
  if (err instanceof VendorError) return err.details.status;
  const e = asGaxios(err);
  return e.response?.status ?? e.status;
}

function header(err: GaxiosLike, name: string): string | undefined {
  const headers = err.response?.headers;
  if (!headers) return undefined;
  // gaxios 7 hands back fetch Headers; older shapes are plain objects.
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** What Google said about a failed call, without our prefixes. */
export const googleMessage = (err: unknown): string => describe(asGaxios(err)).message;

/** Google's own explanation ({error:{message, errors:[{reason}]}}) beats gaxios's generic one. */
function describe(err: GaxiosLike): { message: string; reason?: string } {
  const body = err.response?.data as { error?: { message?: string; errors?: Array<{ reason?: string }> } | string; error_description?: string } | undefined;
  if (body && typeof body.error === 'object') return { message: body.error.message ?? err.message ?? 'error', reason: body.error.errors?.[0]?.reason };
  if (body && typeof body.error === 'string') return { message: body.error_description ?? body.error };
  return { message: err.message ?? 'error' };
}

export function toVendorError(operation: string, err: unknown): VendorError {
  if (err instanceof VendorError) return err;
  const e = asGaxios(err);
  const status = googleStatus(err);
  const { message, reason } = describe(e);
  const code = reason ?? (typeof e.code === 'string' ? e.code : undefined);
  if (status === undefined) return new VendorError('google', operation, 'transient', message, { code });
  // Drive and Calendar report quota exhaustion as 403 with a rate-limit reason, not only as 429.
  const kind = status === 403 && code !== undefined && RATE_LIMIT_REASONS.includes(code) ? 'rate_limited' : classifyStatus(status);
  return new VendorError('google', operation, kind, `${message} (HTTP ${status})`, {
    status,
    code,
    ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs(header(e, 'retry-after')) } : {}),
  });
}

/** Runs one Google call, throwing VendorError on failure. */
export async function call<T>(operation: string, fn: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await fn()).data;
  } catch (err) {
    throw toVendorError(operation, err);
  }
}

/** Like call(), but answers `undefined` for the given statuses (409 "already exists", 404 "already gone"). */
export async function callUnless<T>(operation: string, statuses: number[], fn: () => Promise<{ data: T }>): Promise<T | undefined> {
  try {
    return (await fn()).data;
  } catch (err) {
    const status = googleStatus(err);
    if (status !== undefined && statuses.includes(status)) return undefined;
    throw toVendorError(operation, err);
  }
}
