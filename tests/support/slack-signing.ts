/**
 * Signed Slack requests for tests and the benchmark: slash commands and interactions as forms,
 * events as JSON, each with X-Slack-Signature / X-Slack-Request-Timestamp the way Slack signs
 * them (HMAC-SHA256 of `v0:<timestamp>:<raw body>`).
 */
import { createHmac, randomBytes } from 'node:crypto';

export const TEAM_ID = 'T0SANDBOX';
export const APP_ID = 'A0MUSTERAPP';

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export function sign(secret: string, body: string, contentType: string, timestampSeconds = Math.floor(Date.now() / 1000)): SignedRequest {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': contentType, 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestampSeconds) } };
}

const FORM = 'application/x-www-form-urlencoded';

export const randomId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex').toUpperCase()}`;

export function slashCommand(fields: { command?: string; text: string; user: string; channel: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    team_domain: 'muster-sandbox',
    channel_id: fields.channel,
    channel_name: 'somewhere',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: fields.command ?? '/muster',
    text: fields.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? randomId('TRIG'),
  }).toString();
}

export function interaction(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify({ api_app_id: APP_ID, team: { id: TEAM_ID, domain: 'muster-sandbox' }, token: 'legacy-verification-token', ...payload }) }).toString();
}

export function eventCallback(event: Record<string, unknown>, botUserId: string): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    type: 'event_callback',
    event_id: randomId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM_ID, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
    event: { event_ts: `${Date.now() / 1000}`, ...event },
  });
}

/** Posts signed requests to a running Slack app endpoint. */
export class SlackRequester {
  constructor(
    readonly url: string,
    readonly secret: string,
  ) {}

  async post(body: string, contentType: string, options: { timestamp?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; ms: number }> {
    const signed = sign(this.secret, body, contentType, options.timestamp);
    const started = performance.now();
    const response = await fetch(this.url, { method: 'POST', headers: { ...signed.headers, ...options.headers }, body });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  }

  command(fields: Parameters<typeof slashCommand>[0]) {
    return this.post(slashCommand(fields), FORM);
  }

  interact(payload: Record<string, unknown>) {
    return this.post(interaction(payload), FORM);
  }

  event(event: Record<string, unknown>, botUserId: string) {
    return this.post(eventCallback(event, botUserId), 'application/json');
  }
}
