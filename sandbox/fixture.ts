/**
 * What the sandbox knows before anyone calls it: people, credentials it accepts, PagerDuty
 * services and on-call, Google document templates, the Jira project. `npm start` and the
 * tests use the default; tests may pass their own.
 */

export interface FixtureUser {
  email: string;
  name: string;
  slackId: string;
  pagerdutyId?: string;
}

export interface SandboxFixture {
  /** Credentials the emulators accept; anything else gets the vendor's auth error. */
  credentials: {
    slackBotToken: string;
    googleAccessToken: string;
    jira: { email: string; apiToken: string };
    pagerdutyToken: string;
    pagerdutyRoutingKey: string;
  };
  users: FixtureUser[];
  slack: { teamId: string; teamName: string; botUserId: string };
  google: {
    domain: string;
    /** Document templates by id; their text contains {{placeholders}}. */
    templates: Array<{ id: string; name: string; text: string }>;
  };
  jira: { projectKey: string; projectId: string; issueTypes: Array<{ id: string; name: string }> };
  pagerduty: {
    services: Array<{ id: string; name: string; escalationPolicyId: string }>;
    escalationPolicies: Array<{ id: string; name: string; oncall: Array<{ level: number; userId: string }> }>;
  };
}

export const DEFAULT_FIXTURE: SandboxFixture = {
  credentials: {
    slackBotToken: 'xoxb-sandbox-token',
    googleAccessToken: 'ya29.sandbox-token',
    jira: { email: 'muster-bot@example.com', apiToken: 'jira-sandbox-token' },
    pagerdutyToken: 'pd-sandbox-token',
    pagerdutyRoutingKey: 'R0UTINGKEYSANDBOX0000000000000000',
  },
  users: [
    { email: 'rita@example.com', name: 'Rita Reporter', slackId: 'U0000RITA', pagerdutyId: 'PRITA01' },
    { email: 'ic@example.com', name: 'Ida Commander', slackId: 'U00000IC0', pagerdutyId: 'PIDA001' },
    { email: 'liam@example.com', name: 'Liam Liaison', slackId: 'U0000LIAM', pagerdutyId: 'PLIAM01' },
    { email: 'sam@example.com', name: 'Sam SRE', slackId: 'U00000SAM', pagerdutyId: 'PSAM001' },
    { email: 'dana@example.com', name: 'Dana DBA', slackId: 'U0000DANA', pagerdutyId: 'PDANA01' },
    { email: 'sec@example.com', name: 'Sol Security', slackId: 'U00000SEC', pagerdutyId: 'PSOL001' },
  ],
  slack: { teamId: 'T0SANDBOX', teamName: 'Muster Sandbox', botUserId: 'U0MUSTERBOT' },
  google: {
    domain: 'example.com',
    templates: [
      {
        id: 'tmpl-incident-doc',
        name: 'Incident document template',
        text: '{{title}}\nIncident {{id}} · {{priority}} priority · {{severity}} severity\nCommander: {{commander}}\nChannel: {{channel}}\nTicket: {{ticket}}\nConference: {{conference}}\n\nSummary\n{{description}}\n',
      },
      { id: 'tmpl-executive-report', name: 'Executive report template', text: 'Executive report for {{id}}: {{title}}\n{{current_status}}\n{{overview}}\n{{next_steps}}\n' },
      { id: 'tmpl-review-doc', name: 'Post-incident review template', text: 'Review of {{id}}: {{title}}\nCommander: {{commander}}\n' },
    ],
  },
  jira: { projectKey: 'OPS', projectId: '10000', issueTypes: [{ id: '10001', name: 'Task' }, { id: '10002', name: 'Incident' }] },
  pagerduty: {
    services: [
      { id: 'PSVCDB1', name: 'Database', escalationPolicyId: 'PEPDB01' },
      { id: 'PSVCIC1', name: 'Incident Commanders', escalationPolicyId: 'PEPIC01' },
      { id: 'PSVCSEC', name: 'Security', escalationPolicyId: 'PEPSEC1' },
    ],
    escalationPolicies: [
      { id: 'PEPDB01', name: 'Database on-call', oncall: [{ level: 1, userId: 'PDANA01' }, { level: 2, userId: 'PSAM001' }] },
      { id: 'PEPIC01', name: 'Incident commander rotation', oncall: [{ level: 1, userId: 'PIDA001' }] },
      { id: 'PEPSEC1', name: 'Security on-call', oncall: [{ level: 1, userId: 'PSOL001' }] },
    ],
  },
};
