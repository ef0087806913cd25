/**
 * A Bolt receiver on the API's own Fastify server: POST /slack/events takes slash commands,
 * interactions and Events API callbacks. Every request's signature is checked first (HMAC of
 * the raw body, 5-minute window); anything else gets 401 and reaches no listener. The HTTP
 * answer is sent the moment a listener acks; the listener's work goes on after it.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { verifySlackRequest } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Slack gives up after 3 s; answer a listener that never acks before then, so Slack shows an error not a hang. */
const ACK_DEADLINE_MS = 2_500;

/** Form bodies (commands; interactions as payload=<json>) and JSON bodies (events), as Bolt expects them. */
export function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const fields = Object.fromEntries(new URLSearchParams(raw));
    if (typeof fields.payload === 'string') return JSON.parse(fields.payload) as Record<string, unknown>;
    return fields;
  }
  return JSON.parse(raw) as Record<string, unknown>;
}

export class FastifyReceiver implements Receiver {
  private bolt?: App;

  constructor(
    private readonly options: { signingSecret: string; logger?: Logger; path?: string },
  ) {}

  init(app: App): void {
    this.bolt = app;
  }

  /** The API server listens; nothing to start here. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Registers the endpoint on `server` (before it listens), in its own scope so its body parsers stay raw. */
  async mount(server: FastifyInstance): Promise<void> {
    const { signingSecret, logger } = this.options;
    const path = this.options.path ?? SLACK_EVENTS_PATH;
    await server.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

      scope.post(path, { schema: { hide: true } }, async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const signature = request.headers['x-slack-signature'];
        const timestamp = Number(request.headers['x-slack-request-timestamp']);
        try {
          if (typeof signature !== 'string' || !Number.isFinite(timestamp)) throw new Error('missing signature headers');
          verifySlackRequest({ signingSecret, body: raw, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
        } catch (err) {
          logger?.warn({ err: (err as Error).message }, 'refused a Slack request with a bad signature');
          return reply.status(401).send({ error: 'unauthorized', message: 'the request is not signed with this app\'s signing secret, or is older than 5 minutes' });
        }

        let body: Record<string, unknown>;
        try {
          body = parseSlackBody(raw, request.headers['content-type']);
        } catch {
          return reply.status(400).send({ error: 'invalid_body', message: 'body: not a Slack payload' });
        }
        if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
        if (body.ssl_check) return reply.send('');

        const response = await this.dispatch(body, request.headers);
        if (response.status !== 200) return reply.status(response.status).send('');
        if (response.body === undefined || response.body === '') return reply.send('');
        if (typeof response.body === 'string') return reply.type('text/plain; charset=utf-8').send(response.body);
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(response.body));
      });
    });
  }

  /** Hands the request to Bolt and resolves with the listener's ack (or an error after the deadline). */
  private dispatch(body: Record<string, unknown>, headers: Record<string, unknown>): Promise<{ status: number; body?: unknown }> {
    const bolt = this.bolt;
    if (!bolt) return Promise.resolve({ status: 503 });
    return new Promise((resolve) => {
      let acked = false;
      const timer = setTimeout(() => {
        if (!acked) {
          acked = true;
          this.options.logger?.error('a Slack listener did not ack in time');
          resolve({ status: 500 });
        }
      }, ACK_DEADLINE_MS);
      const event: ReceiverEvent = {
        body,
        retryNum: headers['x-slack-retry-num'] !== undefined ? Number(headers['x-slack-retry-num']) : undefined,
        retryReason: typeof headers['x-slack-retry-reason'] === 'string' ? headers['x-slack-retry-reason'] : undefined,
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          clearTimeout(timer);
          resolve({ status: 200, body: response });
        },
      };
      bolt.processEvent(event).catch((err: unknown) => {
        this.options.logger?.error({ err }, 'a Slack listener failed');
        if (!acked) {
          acked = true;
          clearTimeout(timer);
          resolve({ status: 500 });
        }
      });
    });
  }
}
