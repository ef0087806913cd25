/**
 * The Jira ticket provider against the sandbox's Jira: idempotent create, updates, transitions,
 * and how vendor failures are classified. Every test checks the exact calls Jira received.
 */
import { jiraTicketProvider, type JiraConfig } from '../../activities/providers/jira';
import type { TicketProvider } from '../../activities/providers/types';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { vendorError } from '../support/vendor';

let sandbox: Sandbox;
let config: JiraConfig;
let jira: TicketProvider;

interface JiraIssueState {
  key: string;
  summary: string;
  description: string;
  labels: string[];
  status: string;
  statusCategory: string;
  remoteLinks: Array<{ globalId: string; url: string; title: string }>;
}

const issues = () => (sandbox.state().jira as { issues: JiraIssueState[] }).issues;
const calls = () => sandbox.log.find({ vendor: 'jira' }).map((e) => `${e.method} ${e.path} ${e.status}`);


beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tlsPort: 0 });
  const { email, apiToken } = sandbox.fixture.credentials.jira;
  config = { host: sandbox.url, email, apiToken, projectKey: sandbox.fixture.jira.projectKey };
  jira = jiraTicketProvider(config);
});

afterAll(async () => {
  await sandbox.stop();
});

beforeEach(() => sandbox.reset());

test('ensureTicket twice makes one ticket, found the second time by its label', async () => {
  const input = { incidentId: 'INC-1', summary: 'Checkout is down', description: 'Payments fail.\n\nSince 10:02.', labels: ['sev1'] };
  const first = await jira.ensureTicket(input);
  const second = await jira.ensureTicket(input);

  expect(first).toEqual({ key: 'OPS-1', url: `${sandbox.url}/browse/OPS-1` });
  expect(second).toEqual(first);
  expect(issues()).toHaveLength(1);
  expect(issues()[0]).toMatchObject({ summary: 'Checkout is down', labels: ['muster-INC-1', 'sev1'], description: 'Payments fail.\nSince 10:02.', statusCategory: 'new' });
  expect(calls()).toEqual(['POST /rest/api/3/search/jql 200', 'POST /rest/api/3/issue 201', 'POST /rest/api/3/search/jql 200']);
  expect(sandbox.log.find({ vendor: 'jira' })[0]!.body).toMatchObject({ jql: 'project = "OPS" AND labels = "muster-INC-1" ORDER BY created ASC' });
});

test('updateTicket sets summary and description and adds each link once', async () => {
  const { key } = await jira.ensureTicket({ incidentId: 'INC-2', summary: 'Old', description: 'Old text' });
  sandbox.log.clear();
  const links = [{ title: 'Slack channel', url: 'https://slack.example/C1' }];

  await jira.updateTicket(key, { summary: 'New summary', description: 'New text', links });
  await jira.updateTicket(key, { links });

  expect(issues()[0]).toMatchObject({
    summary: 'New summary',
    description: 'New text',
    remoteLinks: [{ globalId: 'muster-link=https://slack.example/C1', url: 'https://slack.example/C1', title: 'Slack channel' }],
  });
  expect(calls()).toEqual([`PUT /rest/api/3/issue/${key} 204`, `POST /rest/api/3/issue/${key}/remotelink 201`, `POST /rest/api/3/issue/${key}/remotelink 200`]);
});

test('transition moves to Done and back to To Do, and does nothing when already there', async () => {
  const { key } = await jira.ensureTicket({ incidentId: 'INC-3', summary: 'S', description: 'D' });
  sandbox.log.clear();

  await jira.transition(key, 'resolved');
  await jira.transition(key, 'resolved');
  expect(issues()[0]).toMatchObject({ status: 'Done', statusCategory: 'done' });
  expect(calls()).toEqual([
    `GET /rest/api/3/issue/${key} 200`,
    `GET /rest/api/3/issue/${key}/transitions 200`,
    `POST /rest/api/3/issue/${key}/transitions 204`,
    `GET /rest/api/3/issue/${key} 200`,
  ]);
  expect(sandbox.log.find({ vendor: 'jira', route: 'POST /rest/api/3/issue/:issueIdOrKey/transitions' })[0]!.body).toEqual({ transition: { id: '31' } });

  sandbox.log.clear();
  await jira.transition(key, 'open');
  await jira.transition(key, 'open');
  expect(issues()[0]).toMatchObject({ status: 'To Do', statusCategory: 'new' });
  expect(calls()).toHaveLength(4);
  expect(sandbox.log.find({ vendor: 'jira', route: 'POST /rest/api/3/issue/:issueIdOrKey/transitions' })[0]!.body).toEqual({ transition: { id: '11' } });
});

test("Jira's validation error is permanent and says what is wrong", async () => {
  const err = await vendorError(jira.ensureTicket({ incidentId: 'INC-4', summary: 'x'.repeat(256), description: '' }));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 400 } });
  expect(err.message).toContain('summary: Summary must be less than 255 characters.');
  expect(issues()).toHaveLength(0);
  expect(calls()).toEqual(['POST /rest/api/3/search/jql 200', 'POST /rest/api/3/issue 400']);
});

test('503 three times is transient each time, and the retry after makes exactly one ticket', async () => {
  sandbox.faults.add({ vendor: 'jira', route: 'POST /rest/api/3/issue', mode: 'fail', times: 3 });
  const input = { incidentId: 'INC-5', summary: 'Flaky', description: 'D' };
  for (let attempt = 1; attempt <= 3; attempt++) {
    const err = await vendorError(jira.ensureTicket(input));
    expect(err).toMatchObject({ kind: 'transient', details: { status: 503 } });
  }
  const ref = await jira.ensureTicket(input);
  await jira.ensureTicket(input);

  expect(issues().map((i) => i.key)).toEqual([ref.key]);
  expect(calls()).toEqual([
    ...Array.from({ length: 3 }, () => ['POST /rest/api/3/search/jql 200', 'POST /rest/api/3/issue 503']).flat(),
    'POST /rest/api/3/search/jql 200',
    'POST /rest/api/3/issue 201',
    'POST /rest/api/3/search/jql 200',
  ]);
});

test('a create that times out but lands is found by the retry, not made twice', async () => {
  const impatient = jiraTicketProvider({ ...config, timeoutMs: 200 });
  sandbox.faults.add({ vendor: 'jira', route: 'POST /rest/api/3/issue', mode: 'latency', latencyMs: 600 });
  const input = { incidentId: 'INC-6', summary: 'Slow', description: 'D' };

  const err = await vendorError(impatient.ensureTicket(input));
  expect(err.kind).toBe('transient');
  // Jira finishes the create after the client gave up.
  await new Promise((resolve) => setTimeout(resolve, 800));
  sandbox.faults.clear();

  const ref = await impatient.ensureTicket(input);
  expect(issues().map((i) => i.key)).toEqual([ref.key]);
  expect(calls()).toEqual(['POST /rest/api/3/search/jql 200', 'POST /rest/api/3/issue 201', 'POST /rest/api/3/search/jql 200']);
});

test('429 is rate_limited with the Retry-After delay', async () => {
  sandbox.faults.add({ vendor: 'jira', mode: 'rateLimit', retryAfterSeconds: 2, times: 1 });
  const err = await vendorError(jira.ensureTicket({ incidentId: 'INC-7', summary: 'S', description: 'D' }));
  expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 2000 } });
  expect(calls()).toEqual(['POST /rest/api/3/search/jql 429']);
});

test('bad credentials are permanent', async () => {
  const wrong = jiraTicketProvider({ ...config, apiToken: 'not-the-token' });
  const err = await vendorError(wrong.ensureTicket({ incidentId: 'INC-8', summary: 'S', description: 'D' }));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 401 } });
  expect(err.message).toContain('Client must be authenticated');
  expect(calls()).toEqual(['POST /rest/api/3/search/jql 401']);
});

test('an unreachable Jira is transient', async () => {
  const nowhere = jiraTicketProvider({ ...config, host: 'http://127.0.0.1:1' });
  const err = await vendorError(nowhere.transition('OPS-1', 'resolved'));
  expect(err.kind).toBe('transient');
  expect(err.message).toContain('ECONNREFUSED');
});

test('a missing ticket is permanent', async () => {
  const err = await vendorError(jira.updateTicket('OPS-999', { summary: 'x' }));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 404 } });
  expect(err.message).toContain('Issue does not exist');
});
