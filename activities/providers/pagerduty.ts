/**
 * On-call and paging through PagerDuty with @pagerduty/pdjs: REST v2 for who is on call,
 * Events v2 for pages. Events dedup by key on PagerDuty's side, so paging again with the same
 * dedup key while the incident is open adds nothing: that is what makes page() exactly-once.
 *
 * pdjs quirks this works around (2.2.x):
 * - `server` forces https, so REST calls pass the full `url` (the sandbox is plain http);
 * - `response.resource` is null off `*.com` hosts, so responses are read from `response.data`;
 * - `.all()` fails on a second page, so on-call pages are walked here with offset/more;
 * - it resolves (does not reject) on HTTP errors, so every status is checked here;
 * - it retries 429 three times, `retryTimeout` ms apart (20 s by default) and ignores
 *   Retry-After: a short `retryTimeout` lets the 429 reach Temporal quickly, which waits
 *   Retry-After itself;
 * - its `requestTimeout` only starts a timer that aborts nothing (and keeps the process
 *   alive), so it is turned off and node-fetch's own `timeout` is used instead.
 */
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { api, event } from '@pagerduty/pdjs';
// Types pdjs does not re-export from its entry point.
import type { APIParameters } from '@pagerduty/pdjs/build/src/api';
import type { EventParameters } from '@pagerduty/pdjs/build/src/events';
import { classifyStatus, retryAfterMs, VendorError } from '../errors';
import type { OnCallPerson, OnCallProvider } from './types';

export interface PagerDutyConfig {
  /** REST API token. */
  token: string;
  /** Default https://api.pagerduty.com */
  apiUrl?: string;
  /** host[:port] of Events API v2; default events.pagerduty.com; for the sandbox its tlsServer. */
  eventsServer?: string;
  /** Extra CA (PEM) to trust for Events, e.g. the sandbox's self-signed certificate. */
  ca?: string;
  /** Email of a PagerDuty user, for REST writes that need a From header (page() uses Events). */
  from: string;
  /** Events v2 integration (routing) key per PagerDuty service id. */
  routingKeys: Record<string, string>;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
}

/** Delay between pdjs's own 429 retries; it cannot be told to skip them. */
const PDJS_RETRY_TIMEOUT_MS = 100;
const PAGE_SIZE = 100;

/** What pdjs hands back: a fetch Response with the parsed body as `data`. */
interface PdResponse {
  status: number;
  headers: { get(name: string): string | null };
  data?: unknown;
}

const isResponse = (value: unknown): value is PdResponse =>
  typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number' && typeof (value as { headers?: unknown }).headers === 'object';

/** PagerDuty's REST `{error: {message, code, errors}}` or Events `{status, message, errors}` as one line. */
function describeBody(data: unknown): { message?: string; code?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const body = data as { error?: { message?: unknown; code?: unknown; errors?: unknown }; message?: unknown; errors?: unknown };
  const source = body.error ?? body;
  const errors = Array.isArray(source.errors) ? source.errors.map(String) : [];
  const message = [typeof source.message === 'string' ? source.message : undefined, ...errors].filter(Boolean).join(': ');
  const code = body.error?.code;
  return { message: message || undefined, code: code === undefined ? undefined : String(code) };
}

function statusError(operation: string, response: PdResponse): VendorError {
  const kind = classifyStatus(response.status);
  const { message, code } = describeBody(response.data);
  return new VendorError('pagerduty', operation, kind, `HTTP ${response.status}${message ? `: ${message}` : ''}`, {
    status: response.status,
    code,
    ...(kind === 'rate_limited' ? { retryAfterMs: retryAfterMs(response.headers.get('retry-after')) } : {}),
  });
}

/** A rejection from pdjs: a Response whose body was not JSON, or node-fetch's network error. */
function rejectionError(operation: string, err: unknown): unknown {
  if (err instanceof VendorError) return err;
  if (isResponse(err)) return statusError(operation, err);
  const e = err as { name?: string; code?: string; type?: string; message?: string };
  // node-fetch: FetchError (system errors, `type: 'request-timeout'`) and AbortError.
  if (e?.name === 'FetchError' || e?.name === 'AbortError') {
    return new VendorError('pagerduty', operation, 'transient', `network error: ${e.code ?? e.type ?? e.message}`, { code: e.code });
  }
  return err;
}

export function pagerdutyOnCallProvider(config: PagerDutyConfig): OnCallProvider {
  const apiUrl = (config.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
  const timeout = config.timeoutMs ?? 15_000;
  const common = { retryTimeout: PDJS_RETRY_TIMEOUT_MS, requestTimeout: 0, timeout };
  // Trust the extra CA alongside the public roots for Events only; nothing global changes.
  const eventsAgent = config.ca ? new Agent({ ca: [...rootCertificates, config.ca], keepAlive: true }) : undefined;

  async function get(operation: string, path: string, queryParameters?: Record<string, string | string[]>): Promise<unknown> {
    const parameters: APIParameters = { ...common, token: config.token, url: `${apiUrl}${path}`, method: 'GET', queryParameters };
    let response: PdResponse;
    try {
      response = (await api(parameters)) as unknown as PdResponse;
    } catch (err) {
      throw rejectionError(operation, err);
    }
    if (response.status < 200 || response.status >= 300) throw statusError(operation, response);
    return response.data;
  }

  return {
    async currentOnCall(serviceId) {
      const { service } = (await get('getService', `/services/${encodeURIComponent(serviceId)}`)) as { service: { escalation_policy: { id: string } } };
      const policyId = service.escalation_policy.id;
      const people = new Map<string, OnCallPerson>();
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const data = (await get('listOnCalls', '/oncalls', {
          'escalation_policy_ids[]': [policyId],
          'include[]': ['users'],
          limit: String(PAGE_SIZE),
          offset: String(offset),
        })) as { oncalls: Array<{ escalation_level: number; user: { email?: string; name?: string; summary?: string } }>; more?: boolean };
        for (const entry of data.oncalls) {
          const email = entry.user.email;
          if (!email) continue;
          // A person on several schedules of the policy counts once, at their lowest level.
          const known = people.get(email);
          if (!known || entry.escalation_level < known.level) {
            people.set(email, { email, name: entry.user.name ?? entry.user.summary ?? email, level: entry.escalation_level });
          }
        }
        if (!data.more || data.oncalls.length === 0) break;
      }
      return [...people.values()].sort((a, b) => a.level - b.level || a.name.localeCompare(b.name));
    },

    async page(input) {
      const routingKey = config.routingKeys[input.serviceId];
      if (!routingKey) {
        throw new VendorError('pagerduty', 'sendEvent', 'permanent', `no Events v2 routing key is configured for PagerDuty service ${input.serviceId}`);
      }
      const parameters: EventParameters & { agent?: Agent } = {
        ...common,
        server: config.eventsServer,
        agent: eventsAgent,
        data: {
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: input.dedupKey,
          payload: {
            // PagerDuty truncates summaries at 1024 characters; do it here so the title is ours.
            summary: input.title.slice(0, 1024),
            source: 'muster',
            severity: 'critical',
            custom_details: { details: input.details },
          },
          links: input.links,
        },
      };
      let response: PdResponse;
      try {
        response = (await event(parameters)) as unknown as PdResponse;
      } catch (err) {
        throw rejectionError('sendEvent', err);
      }
      if (response.status !== 202) throw statusError('sendEvent', response);
      const dedupKey = (response.data as { dedup_key?: unknown } | undefined)?.dedup_key;
      return { id: typeof dedupKey === 'string' ? dedupKey : input.dedupKey };
    },
  };
}
