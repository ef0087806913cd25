/**
 * The Slack app: a Bolt app whose listeners drive incident workflows through the MusterClient.
 * Over HTTP it lives on the API server at POST /slack/events (signed requests only); with an
 * app-level token it uses Socket Mode instead. See README "Slack app" and manifest.yaml.
 */
import { App, LogLevel } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MusterClient } from '../../client';
import type { IncidentStore } from '../../store';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { SlackContext, type SlackAppSettings } from './context';
import { registerEvents } from './events';
import { extensionsFrom } from './extensions';
import { registerModals } from './modals';
import { FastifyReceiver, SLACK_EVENTS_PATH } from './receiver';

export interface SlackAppOptions extends SlackAppSettings {
  client: MusterClient;
  store: IncidentStore;
  botToken: string;
  /** The Slack Web API base (the sandbox's /api/); Slack's own without it. */
  apiUrl?: string;
  /** HTTP mode: requests are verified with it. */
  signingSecret?: string;
  /** Socket Mode (xapp-...): no public endpoint needed. */
  appToken?: string;
  logger?: Logger;
}

export interface SlackApp {
  bolt: App;
  /** HTTP mode: where the endpoint is mounted. */
  path?: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the app. In HTTP mode the endpoint is registered on `server` (call before it listens);
 * in Socket Mode `start()` connects.
 */
export async function mountSlackApp(server: FastifyInstance | undefined, options: SlackAppOptions): Promise<SlackApp> {
  const clientOptions = options.apiUrl ? { slackApiUrl: options.apiUrl } : undefined;
  let bolt: App;
  let receiver: FastifyReceiver | undefined;
  if (options.appToken) {
    bolt = new App({ token: options.botToken, appToken: options.appToken, socketMode: true, clientOptions, logLevel: LogLevel.WARN });
  } else {
    if (!options.signingSecret) throw new Error('the Slack app needs SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)');
    if (!server) throw new Error('the Slack app over HTTP needs the API server to mount on');
    receiver = new FastifyReceiver({ signingSecret: options.signingSecret, logger: options.logger });
    bolt = new App({ token: options.botToken, receiver, clientOptions, logLevel: LogLevel.WARN });
    await receiver.mount(server);
  }
  const ctx = new SlackContext(options.client, options.store, bolt.client, { command: options.command, timelineReaction: options.timelineReaction }, options.logger);
  const extensions = extensionsFrom(options.client, options.store);
  registerCommands(bolt, ctx, extensions);
  registerModals(bolt, ctx, extensions);
  registerActions(bolt, ctx, extensions);
  registerEvents(bolt, ctx);
  bolt.error(async (err) => {
    options.logger?.error({ err }, 'Slack app error');
  });
  return {
    bolt,
    path: receiver ? SLACK_EVENTS_PATH : undefined,
    start: async () => {
      if (options.appToken) await bolt.start();
    },
    stop: async () => {
      if (options.appToken) await bolt.stop();
    },
  };
}
