/** Whether and how the API process runs the Slack app, from the validated configuration. */
import type { Logger } from 'pino';
import type { MusterClient } from '../../client';
import { ConfigError, type MusterConfig } from '../../config/env';
import type { IncidentStore } from '../../store';
import type { SlackAppOptions } from './app';

/** undefined when neither a signing secret nor an app token is set: no Slack app. */
export function slackAppOptions(config: MusterConfig, deps: { client: MusterClient; store: IncidentStore; logger?: Logger }): SlackAppOptions | undefined {
  const { signingSecret, appToken, command, timelineReaction } = config.slackApp;
  if (!signingSecret && !appToken) return undefined;
  const slack = config.vendors.slack;
  if (!slack) throw new ConfigError('The Slack app needs SLACK_BOT_TOKEN as well as SLACK_SIGNING_SECRET or SLACK_APP_TOKEN');
  return { ...deps, botToken: slack.token, apiUrl: slack.apiUrl, signingSecret, appToken, command, timelineReaction };
}
