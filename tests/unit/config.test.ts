import { loadConfig } from '../../config/env';
import { anyVendorConfigured } from '../../config/vendors';
import { providersFromConfig } from '../../worker/providers';

test('defaults run everything locally', () => {
  const config = loadConfig({});
  expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'muster-incidents' });
  expect(config.devServer).toEqual({ port: 7233, uiPort: 8233, dbFile: '.muster/temporal/temporal.sqlite' });
  expect(config.databaseUrl).toBe('sqlite:.muster/muster.sqlite');
  expect(config.settings.closedRetentionMs).toBe(7 * 24 * 3600 * 1000);
  expect(config.api.tokens).toBeUndefined();
  expect(anyVendorConfigured(config.vendors)).toBe(false);
  expect(config.vendors.sandbox).toEqual({ mode: 'auto', port: 4010, tlsPort: 4011 });
});

test('TEMPORAL_ADDRESS means: use that server, start none', () => {
  const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', MUSTER_CLOSED_RETENTION: '2h' });
  expect(config.devServer).toBeUndefined();
  expect(config.temporal.address).toBe('temporal.internal:7233');
  expect(config.settings.closedRetentionMs).toBe(7_200_000);
});

test('bad values name the variable and what is allowed', () => {
  expect(() => loadConfig({ MUSTER_API_PORT: 'eighty' })).toThrow(/MUSTER_API_PORT/);
  expect(() => loadConfig({ MUSTER_INCIDENT_PREFIX: 'inc' })).toThrow('MUSTER_INCIDENT_PREFIX: use 1-10 capital letters or digits, starting with a letter');
  expect(() => loadConfig({ MUSTER_CLOSED_RETENTION: 'a while' })).toThrow('MUSTER_CLOSED_RETENTION: "a while" is not a duration');
  expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
});

test('API tokens map to caller names, and a bad entry never echoes the token', () => {
  expect(loadConfig({ MUSTER_API_TOKENS: 'ops-bot=t0k3n, alice@example.com=s3cret' }).api.tokens).toEqual({ t0k3n: 'ops-bot', s3cret: 'alice@example.com' });
  let message = '';
  try {
    loadConfig({ MUSTER_API_TOKENS: 'sup3rsecretvalue' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('MUSTER_API_TOKENS: each entry must be name=token');
  expect(message).not.toContain('sup3rsecretvalue');
});

test('a vendor is configured whole or not at all; half is an error naming what is missing', () => {
  expect(() => loadConfig({ JIRA_HOST: 'https://acme.atlassian.net', JIRA_EMAIL: 'bot@acme.com' })).toThrow(
    'Jira: set JIRA_API_TOKEN, JIRA_PROJECT_KEY too (or none of JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY)',
  );
  const slackOnly = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }).vendors;
  expect(slackOnly.slack).toEqual({ token: 'xoxb-1', apiUrl: undefined });
  expect(slackOnly.jira).toBeUndefined();
  expect(anyVendorConfigured(slackOnly)).toBe(true);
});

test('Google takes a service account acting as a user, or a bearer token', () => {
  const base = { GOOGLE_DOMAIN: 'acme.com', GOOGLE_SENDER: 'muster@acme.com' };
  expect(loadConfig({ ...base, GOOGLE_SERVICE_ACCOUNT_FILE: '/secrets/sa.json', GOOGLE_SUBJECT: 'admin@acme.com' }).vendors.google?.auth).toEqual({
    serviceAccountFile: '/secrets/sa.json',
    subject: 'admin@acme.com',
  });
  expect(loadConfig({ ...base, GOOGLE_ACCESS_TOKEN: 'ya29.x' }).vendors.google?.auth).toEqual({ accessToken: 'ya29.x' });
  expect(() => loadConfig(base)).toThrow('Google: set GOOGLE_ACCESS_TOKEN too');
  expect(() => loadConfig({ ...base, GOOGLE_SERVICE_ACCOUNT_FILE: '/secrets/sa.json' })).toThrow('Google service account: set GOOGLE_SUBJECT too');
});

test('PagerDuty routing keys are per service', () => {
  const config = loadConfig({ PAGERDUTY_TOKEN: 'pd', PAGERDUTY_FROM: 'ic@acme.com', PAGERDUTY_ROUTING_KEYS: 'PSVC1=key1, PSVC2=key2' });
  expect(config.vendors.pagerduty?.routingKeys).toEqual({ PSVC1: 'key1', PSVC2: 'key2' });
});

test('the incident configuration file sets the incident types and their document templates', () => {
  const config = loadConfig({ MUSTER_CONFIG: 'config/muster.example.yaml' });
  expect(config.incident.source).toBe('config/muster.example.yaml');
  expect(config.settings.incidentTypes).toEqual(['Operational', 'Security', 'Data']);
  expect(config.settings.defaultType).toBe('Operational');
  const { resources } = providersFromConfig(config.vendors, config.incident.config);
  expect(resources.documentTemplates).toEqual({ Operational: 'tmpl-incident-doc', Security: 'tmpl-incident-doc', Data: 'tmpl-incident-doc' });
  expect(() => loadConfig({ MUSTER_CONFIG: 'config/nope.yaml' })).toThrow('config/nope.yaml');
});
