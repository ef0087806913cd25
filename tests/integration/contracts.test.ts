/**
 * Contract test: drives the Jira and PagerDuty providers (and the sandbox routes they do not
 * use) through a realistic incident, then checks every request the sandbox logged against the
 * vendors' published OpenAPI specs: the request body Muster sent and the response body the
 * sandbox answered, for that operation and status. A difference means the emulator or the
 * provider drifted from the vendor, unless it is a documented spec error listed below.
 */
import { Version3Client } from 'jira.js';
import { incidentLabel, jiraTicketProvider } from '../../activities/providers/jira';
import { pagerdutyOnCallProvider } from '../../activities/providers/pagerduty';
import type { LoggedRequest } from '../../sandbox/core';
import { sandboxRoutingKeys } from '../../sandbox/pagerduty';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { OpenApiSpec } from '../support/openapi';

/**
 * Places where the spec is wrong about what the real vendor sends. Each is checked to still
 * occur, so the list cannot outlive the problem it excuses.
 */
const SPEC_ERRATA: Array<{ route: string; side: 'request' | 'response'; error: RegExp; why: string }> = [
  {
    route: 'GET /oncalls',
    side: 'response',
    error: /^\/oncalls\/\d+\/user\/type must be equal to one of the allowed values/,
    why: "The spec types on-call `user` as a UserReference (type 'user_reference'), but with include[]=users PagerDuty embeds the full user (type 'user') — the documented purpose of include[]=users.",
  },
  {
    route: 'GET /rest/api/3/issue/:issueIdOrKey/remotelink',
    side: 'response',
    error: /^\/ must be object/,
    why: 'The spec declares one RemoteIssueLink, but Jira returns an array of them (as the spec’s own example shows).',
  },
  {
    route: 'POST /incidents',
    side: 'response',
    error: /^\/incident\/resolved_at must be string/,
    why: 'The spec types resolved_at as a non-nullable string, but an open incident has resolved_at null (the spec’s own example shows null).',
  },
  {
    route: 'GET /incidents',
    side: 'response',
    error: /^\/incidents\/\d+\/resolved_at must be string/,
    why: 'As for POST /incidents: resolved_at is null while an incident is open.',
  },
  {
    route: 'POST /incidents',
    side: 'request',
    error: /^\/incident\/body\/details must be object/,
    why: 'The spec types incident body details as an object, but its own request example (and PagerDuty’s guide) sends a string, which PagerDuty accepts.',
  },
];

/**
 * Jira Cloud retired /rest/api/3/search for /rest/api/3/search/jql after this 2022 snapshot of
 * the spec, so the snapshot has no operation for it. Its request is checked against the
 * documented enhanced-search request, its issues against the snapshot's IssueBean.
 */
const ENHANCED_SEARCH = {
  request: {
    type: 'object',
    properties: {
      jql: { type: 'string' },
      nextPageToken: { type: 'string' },
      maxResults: { type: 'integer' },
      fields: { type: 'array', items: { type: 'string' } },
      expand: { type: 'string' },
      properties: { type: 'array', items: { type: 'string' } },
      fieldsByKeys: { type: 'boolean' },
      failFast: { type: 'boolean' },
      reconcileIssues: { type: 'array', items: { type: 'integer' } },
    },
    additionalProperties: false,
  },
  response: {
    type: 'object',
    properties: {
      issues: { type: 'array', items: { $ref: 'spec#/components/schemas/IssueBean' } },
      nextPageToken: { type: 'string' },
      isLast: { type: 'boolean' },
    },
    required: ['issues'],
    additionalProperties: false,
  },
  errors: { $ref: 'spec#/components/schemas/ErrorCollection' },
};

let sandbox: Sandbox;
let jiraSpec: OpenApiSpec;
let pagerdutySpec: OpenApiSpec;
let eventsSpec: OpenApiSpec;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tlsPort: 0 });
  jiraSpec = OpenApiSpec.load('jira/platform-v3.openapi.json');
  pagerdutySpec = OpenApiSpec.load('pagerduty/rest.openapi.json');
  eventsSpec = OpenApiSpec.load('pagerduty/events-v2.openapi.json');
});

afterAll(async () => {
  await sandbox.stop();
});

async function driveJira(): Promise<void> {
  const { email, apiToken } = sandbox.fixture.credentials.jira;
  const config = { host: sandbox.url, email, apiToken, projectKey: sandbox.fixture.jira.projectKey };
  const jira = jiraTicketProvider(config);
  const input = { incidentId: 'INC-42', summary: 'INC-42: Checkout is down', description: 'Payments fail.\nSince 10:02.\n\nCommander: Ida', labels: ['sev1'] };

  const { key } = await jira.ensureTicket(input);
  await jira.ensureTicket(input);
  await jira.updateTicket(key, {
    summary: 'INC-42: Checkout is down (mitigated)',
    description: 'Rolled back.',
    links: [
      { title: 'Slack #inc-42', url: 'https://slack.example/archives/C042' },
      { title: 'Incident document', url: 'https://docs.example/d/42' },
    ],
  });
  await jira.updateTicket(key, { links: [{ title: 'Slack #inc-42', url: 'https://slack.example/archives/C042' }] });
  await jira.transition(key, 'resolved');
  await jira.transition(key, 'open');
  await expect(jira.ensureTicket({ ...input, incidentId: 'INC-43', summary: 'x'.repeat(300) })).rejects.toMatchObject({ kind: 'permanent' });

  // The routes the provider does not use, through the same SDK.
  const client = new Version3Client({ host: sandbox.url, authentication: { basic: { email, apiToken } } });
  await client.issues.getIssue({ issueIdOrKey: key });
  await client.issueSearch.searchForIssuesUsingJql({ jql: `labels = "${incidentLabel('INC-42')}"` });
  await client.issueSearch.searchForIssuesUsingJqlPost({ jql: `project = OPS AND key = ${key}`, fields: ['summary', 'status'] });
  await client.issueRemoteLinks.getRemoteIssueLinks({ issueIdOrKey: key });
  await client.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'project = OPS' });
  await expect(client.issues.getIssue({ issueIdOrKey: 'OPS-999' })).rejects.toMatchObject({ status: 404 });
  await expect(client.issues.doTransition({ issueIdOrKey: key, transition: { id: '99' } })).rejects.toMatchObject({ status: 400 });
  await expect(client.issues.editIssue({ issueIdOrKey: key, fields: { summary: '' } })).rejects.toMatchObject({ status: 400 });
}

async function drivePagerDuty(): Promise<void> {
  const routingKeys = sandboxRoutingKeys(sandbox.fixture);
  const config = { token: sandbox.fixture.credentials.pagerdutyToken, apiUrl: sandbox.url, eventsServer: sandbox.tlsServer, ca: sandbox.ca, from: 'ic@example.com', routingKeys };
  const pagerduty = pagerdutyOnCallProvider(config);
  const page = { serviceId: 'PSVCDB1', dedupKey: 'muster-INC-42-PSVCDB1', title: 'INC-42: Checkout is down', details: 'Database on-call needed', links: [{ href: 'https://slack.example/archives/C042', text: 'Slack' }] };

  await pagerduty.currentOnCall('PSVCDB1');
  await pagerduty.currentOnCall('PSVCIC1');
  await pagerduty.page(page);
  await pagerduty.page(page);
  await expect(pagerdutyOnCallProvider({ ...config, routingKeys: { PSVCDB1: 'b'.repeat(32) } }).page(page)).rejects.toMatchObject({ kind: 'permanent' });

  // The REST routes and Events actions the provider does not use. The http listener answers
  // Events too, so plain fetch reaches it without TLS.
  const rest = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}${path}`, {
      ...init,
      headers: { Authorization: `Token token=${config.token}`, Accept: 'application/vnd.pagerduty+json;version=2', 'Content-Type': 'application/json', ...init.headers },
    });
  const incident = { incident: { type: 'incident', title: 'Disk full', service: { id: 'PSVCSEC', type: 'service_reference' }, urgency: 'high', incident_key: 'disk-1', body: { type: 'incident_body', details: 'db-3 at 99%' } } };
  expect((await rest('/oncalls?escalation_policy_ids[]=PEPSEC1')).status).toBe(200);
  expect((await rest('/users/PDANA01')).status).toBe(200);
  expect((await rest('/escalation_policies/PEPDB01')).status).toBe(200);
  expect((await rest('/incidents', { method: 'POST', headers: { From: 'ic@example.com' }, body: JSON.stringify(incident) })).status).toBe(201);
  expect((await rest('/incidents', { method: 'POST', headers: { From: 'ic@example.com' }, body: JSON.stringify(incident) })).status).toBe(400);
  expect((await rest('/incidents', { method: 'POST', body: JSON.stringify(incident) })).status).toBe(400);
  expect((await rest('/incidents?incident_key=disk-1&total=true')).status).toBe(200);
  expect((await rest('/services/PNOPE01')).status).toBe(404);
  const enqueue = (event: unknown) => rest('/v2/enqueue', { method: 'POST', body: JSON.stringify(event) });
  expect((await enqueue({ routing_key: routingKeys.PSVCDB1, event_action: 'acknowledge', dedup_key: page.dedupKey })).status).toBe(202);
  expect((await enqueue({ routing_key: routingKeys.PSVCDB1, event_action: 'resolve', dedup_key: page.dedupKey })).status).toBe(202);
  expect((await enqueue({ routing_key: routingKeys.PSVCDB1, event_action: 'trigger', payload: { summary: 'no source' } })).status).toBe(400);
}

interface Finding {
  route: string;
  status: number;
  side: 'request' | 'response';
  error: string;
}

/** Every problem with one logged call, as found by the spec that owns its path. */
function check(entry: LoggedRequest): Finding[] {
  const findings: Finding[] = [];
  const add = (side: Finding['side'], errors: string[]) => errors.forEach((error) => findings.push({ route: entry.route, status: entry.status, side, error }));
  if (entry.route === 'POST /rest/api/3/search/jql' || entry.route === 'GET /rest/api/3/search/jql') {
    if (entry.method === 'POST' && entry.status < 400) add('request', jiraSpec.validate(ENHANCED_SEARCH.request, entry.body));
    add('response', jiraSpec.validate(entry.status < 300 ? ENHANCED_SEARCH.response : ENHANCED_SEARCH.errors, entry.response));
    return findings;
  }
  const spec = entry.vendor === 'jira' ? jiraSpec : entry.path.startsWith(eventsSpec.basePath) ? eventsSpec : pagerdutySpec;
  const operation = spec.findOperation(entry.method, entry.path);
  if (!operation) {
    add('request', [`no operation in ${spec.name} for ${entry.method} ${entry.path}`]);
    return findings;
  }
  // A 4xx answers a request the sequence made invalid on purpose; only its answer is checked.
  if (entry.status < 400) add('request', spec.validateRequest(operation, entry.body));
  add('response', spec.validateResponse(operation, entry.status, entry.response));
  return findings;
}

test('every Jira and PagerDuty call the providers and the sandbox exchange matches the vendor specs', async () => {
  await driveJira();
  await drivePagerDuty();

  const entries = sandbox.log.entries.filter((e) => (e.vendor === 'jira' || e.vendor === 'pagerduty') && !e.fault);
  const findings = entries.flatMap(check);
  const excused = (f: Finding) => SPEC_ERRATA.some((e) => e.route === f.route && e.side === f.side && e.error.test(f.error));
  const unexplained = findings.filter((f) => !excused(f)).map((f) => `${f.route} -> ${f.status} ${f.side}: ${f.error}`);
  expect(unexplained).toEqual([]);

  const staleErrata = SPEC_ERRATA.filter((e) => !findings.some((f) => e.route === f.route && e.side === f.side && e.error.test(f.error))).map((e) => e.route);
  expect(staleErrata).toEqual([]);

  // The sequence covered every route both emulators serve, success and failure alike.
  const covered = new Set(entries.map((e) => e.route));
  expect([...covered].sort()).toEqual(
    [
      'GET /escalation_policies/:id',
      'GET /incidents',
      'GET /oncalls',
      'GET /rest/api/3/issue/:issueIdOrKey',
      'GET /rest/api/3/issue/:issueIdOrKey/remotelink',
      'GET /rest/api/3/issue/:issueIdOrKey/transitions',
      'GET /rest/api/3/search',
      'GET /rest/api/3/search/jql',
      'GET /services/:id',
      'GET /users/:id',
      'POST /incidents',
      'POST /rest/api/3/issue',
      'POST /rest/api/3/issue/:issueIdOrKey/remotelink',
      'POST /rest/api/3/issue/:issueIdOrKey/transitions',
      'POST /rest/api/3/search',
      'POST /rest/api/3/search/jql',
      'POST /v2/enqueue',
      'PUT /rest/api/3/issue/:issueIdOrKey',
    ].sort(),
  );
  expect(new Set(entries.map((e) => e.status))).toEqual(new Set([200, 201, 202, 204, 400, 404]));
});
