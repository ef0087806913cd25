/**
 * The one error catalog. Adapters turn every vendor failure into a VendorError of one of three
 * kinds; activities turn that into what Temporal should do:
 * - rate_limited: retry after the vendor's Retry-After (ApplicationFailure nextRetryDelay);
 * - transient (5xx, network, timeouts): retry with the activity's backoff;
 * - permanent (bad credentials, missing template, 4xx validation): stop this step only,
 *   non-retryable, with a reason a person can act on.
 */
import { ApplicationFailure } from '@temporalio/common';

export type VendorErrorKind = 'rate_limited' | 'transient' | 'permanent';
export type VendorName = 'slack' | 'google' | 'jira' | 'pagerduty' | 'email';

export class VendorError extends Error {
  override readonly name = 'VendorError';
  constructor(
    readonly vendor: VendorName,
    readonly operation: string,
    readonly kind: VendorErrorKind,
    message: string,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(`${vendor} ${operation}: ${message}`);
  }
}

/** Classifies an HTTP answer the way every vendor here means it. */
export function classifyStatus(status: number | undefined): VendorErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === undefined || status >= 500 || status === 408) return 'transient';
  return 'permanent';
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export const PERMANENT_FAILURE_TYPE = 'VendorPermanentError';

/** What an activity throws for a VendorError (anything else is rethrown: Temporal retries it). */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof VendorError)) return err;
  switch (err.kind) {
    case 'permanent':
      return ApplicationFailure.create({ type: PERMANENT_FAILURE_TYPE, message: err.message, nonRetryable: true, details: [err.details] });
    case 'rate_limited':
      return ApplicationFailure.create({
        type: 'VendorRateLimited',
        message: err.message,
        nextRetryDelay: err.details.retryAfterMs ?? 1_000,
      });
    default:
      return ApplicationFailure.create({ type: 'VendorTransientError', message: err.message });
  }
}
