/**
 * Chooses the vendor adapters: the real vendors from configuration, or every vendor pointed at
 * the loopback sandbox. The only place that knows which adapters exist.
 */
import { readFileSync } from 'node:fs';
import { auth } from '../activities/providers/google/apis';
import { DEFAULT_RESOURCE_SETTINGS } from '../activities';
import type { ResourceSettings } from '../activities/assembly';
import { accessTokenAuth, googleProviders } from '../activities/providers/google';
import { jiraTicketProvider } from '../activities/providers/jira';
import { pagerdutyOnCallProvider } from '../activities/providers/pagerduty';
import { slackChatProvider } from '../activities/providers/slack';
import { smtpEmail } from '../activities/providers/smtp';
import type { Providers } from '../activities/providers/types';
import type { VendorConfig } from '../config/vendors';
import type { MusterFileConfig } from '../config/muster-config';
import { sandboxRoutingKeys } from '../sandbox/pagerduty';
import { slackChannelName } from '../domain/notifications';
import type { Sandbox } from '../sandbox/server';

export interface ProviderSetup {
  providers: Partial<Providers>;
  resources: ResourceSettings;
  config?: MusterFileConfig;
}

export function providersFromConfig(vendors: VendorConfig, incident?: MusterFileConfig): ProviderSetup {
  const providers: Partial<Providers> = {};
  if (vendors.slack) providers.chat = slackChatProvider({ token: vendors.slack.token, apiUrl: vendors.slack.apiUrl });
  if (vendors.google) {
    const { auth } = vendors.google;
    const google = googleProviders({
      auth: 'accessToken' in auth ? accessTokenAuth(auth.accessToken) : serviceAccountAuth(auth.serviceAccountFile, auth.subject),
      rootUrl: vendors.google.rootUrl,
      domain: vendors.google.domain,
      sender: vendors.google.sender,
    });
    Object.assign(providers, google);
  }
  // Mail goes through the adapter the configuration chose (Gmail came with Google above).
  if (vendors.email === 'smtp' && vendors.smtp) providers.email = smtpEmail(vendors.smtp);
  else if (vendors.email !== 'gmail') delete providers.email;
  if (vendors.jira) providers.ticket = jiraTicketProvider(vendors.jira);
  if (vendors.pagerduty) {
    const { caFile, ...pagerduty } = vendors.pagerduty;
    providers.oncall = pagerdutyOnCallProvider({ ...pagerduty, ca: caFile ? readFileSync(caFile, 'utf8') : undefined });
  }
  return {
    providers,
    config: incident,
    resources: {
      ...DEFAULT_RESOURCE_SETTINGS,
      groupDomain: vendors.google?.domain ?? DEFAULT_RESOURCE_SETTINGS.groupDomain,
      defaultDocumentTemplate: vendors.documentTemplate ?? DEFAULT_RESOURCE_SETTINGS.defaultDocumentTemplate,
      // Each incident type's own document template, from the incident configuration.
      documentTemplates: Object.fromEntries(
        (incident?.incidentTypes ?? []).flatMap((type) => (type.templates?.incidentDocument ? [[type.name, type.templates.incidentDocument]] : [])),
      ),
    },
  };
}

/** The scopes Muster's Google steps need, and no more (Dispatch users asked for narrower ones). */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/documents',
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/admin.directory.group',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.readonly',
];

/** A service account with domain-wide delegation, acting as `subject` (a Workspace admin or bot user). */
function serviceAccountAuth(keyFile: string, subject: string) {
  return new auth.JWT({ keyFile, subject, scopes: GOOGLE_SCOPES });
}

/** The environment that points every vendor at a running sandbox, with the credentials it accepts. */
export function sandboxVendorEnv(sandbox: Sandbox, options: { email?: 'gmail' | 'smtp' } = {}): Record<string, string> {
  const { credentials, google, jira } = sandbox.fixture;
  // Mail through the sandbox's SMTP listener instead of its Gmail, when asked.
  const smtp: Record<string, string> = options.email === 'smtp' ? { MUSTER_EMAIL: 'smtp', SMTP_URL: sandbox.smtp.url, SMTP_FROM: `Muster <muster@${google.domain}>` } : {};
  return {
    ...smtp,
    SLACK_BOT_TOKEN: credentials.slackBotToken,
    SLACK_API_URL: `${sandbox.url}/api/`,
    GOOGLE_ACCESS_TOKEN: credentials.googleAccessToken,
    GOOGLE_API_ROOT_URL: `${sandbox.url}/`,
    GOOGLE_DOMAIN: google.domain,
    GOOGLE_SENDER: `muster@${google.domain}`,
    JIRA_HOST: sandbox.url,
    JIRA_EMAIL: credentials.jira.email,
    JIRA_API_TOKEN: credentials.jira.apiToken,
    JIRA_PROJECT_KEY: jira.projectKey,
    PAGERDUTY_TOKEN: credentials.pagerdutyToken,
    PAGERDUTY_FROM: 'ic@example.com',
    PAGERDUTY_API_URL: sandbox.url,
    PAGERDUTY_EVENTS_SERVER: sandbox.tlsServer,
    PAGERDUTY_CA_FILE: sandbox.caPath,
    PAGERDUTY_ROUTING_KEYS: Object.entries(sandboxRoutingKeys(sandbox.fixture)).map(([service, key]) => `${service}=${key}`).join(','),
  };
}

/**
 * The sandbox's Slack workspace starts empty; a real one already has the channels that
 * notification targets name (#incidents, ...), so make them, as a workspace admin would have.
 */
export async function openSandboxTargetChannels(sandbox: Sandbox, config: Pick<MusterFileConfig, 'notificationTargets'>): Promise<void> {
  const chat = slackChatProvider({ token: sandbox.fixture.credentials.slackBotToken, apiUrl: `${sandbox.url}/api/` });
  for (const target of config.notificationTargets) {
    if (target.kind === 'slack-channel') await chat.ensureChannel({ name: slackChannelName(target.target), private: false });
  }
}
