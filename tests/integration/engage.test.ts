/**
 * Engagement end to end: the example configuration's rules, role policy and paging on a real
 * Temporal server, the real Slack/Google/PagerDuty SDKs against the sandbox. Who was engaged is
 * asserted from the workflow's state and the sandbox's state (channel members, group members,
 * PagerDuty pages).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { IncidentRejectedError } from '../../client';
import { parseMusterConfig, type MusterFileConfig } from '../../config/muster-config';
import { pageDedupKey } from '../../domain/engagement';
import type { IncidentState } from '../../domain/incident';
import type { Sandbox } from '../../sandbox/server';
import { eventually, startHarness, type Harness } from '../support/harness';

const example = parseMusterConfig(readFileSync(join(__dirname, '../../config/muster.example.yaml'), 'utf8'), 'muster.example.yaml');
// Dana is the database on-call: leave her to the on-call rule, so both kinds of rule show.
const config: MusterFileConfig = { ...example, individuals: example.individuals.filter((i) => i.email !== 'dana@example.com') };

let h: Harness;
let sandbox: Sandbox;
let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  h = await startHarness({ sandbox: true, config, settings: { incidentTypes: config.incidentTypes.map((t) => t.name) } });
  sandbox = h.sandbox!;
  app = await buildApi({ client: h.client, store: h.store });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

interface Page {
  dedupKey: string;
  serviceId: string;
  title: string;
  alerts: number;
  links: Array<{ href: string; text?: string }>;
}
const pages = () => (sandbox.state().pagerduty as { pages: Page[] }).pages;
const pagesFor = (incidentId: string) => pages().filter((p) => p.dedupKey.startsWith(`muster/${incidentId}/`));
const groupMembers = (email: string) =>
  (sandbox.state().google as { groups: Array<{ email: string; members: Array<{ email: string }> }> }).groups.find((g) => g.email === email)?.members.map((m) => m.email) ?? [];
const slackId = (email: string) => sandbox.fixture.users.find((u) => u.email === email)!.slackId;
const channelMembers = (incidentId: string) =>
  (sandbox.state().slack as { channels: Array<{ name: string; members: string[] }> }).channels.find((c) => c.name === incidentId.toLowerCase())?.members ?? [];
const ticketLabels = (incident: IncidentState) =>
  (sandbox.state().jira as { issues: Array<{ key: string; labels: string[] }> }).issues.find((i) => i.key === incident.resources.ticket?.externalId)?.labels ?? [];
const roles = (incident: IncidentState) => Object.fromEntries(incident.participants.map((p) => [p.email, [...p.roles].sort()]));

async function until(id: string, check: (incident: IncidentState) => boolean, timeoutMs = 45_000): Promise<IncidentState> {
  return eventually(async () => {
    const incident = await h.client.get(id);
    return check(incident) ? incident : undefined;
  }, { timeoutMs });
}

const paged = (incident: IncidentState) => incident.timeline.some((e) => e.kind === 'engagement' && e.field === 'page');

test('declare: the role policy picks the commander, rules add observers, a team and the on-call; the commander is paged once with links', async () => {
  const { incident: declared } = await h.client.declare({
    title: 'Primary database failover',
    priority: 'High',
    tags: ['database'],
    reporter: { email: 'rita@example.com' },
  });
  const incident = await until(declared.id, (i) => paged(i) && channelMembers(i.id).includes(slackId('dana@example.com')) && groupMembers(`${i.id.toLowerCase()}@example.com`).includes('dana@example.com'));

  // Operational's commanderService PSVCIC1 is on Ida; the reporter stays Reporter.
  expect(incident.commander.email).toBe('ic@example.com');
  expect(roles(incident)).toEqual({
    'rita@example.com': ['Reporter'],
    'ic@example.com': ['Commander'],
    'sam@example.com': ['Observer'], // Operational and High
    'dana@example.com': ['Participant'], // Database on-call: tags database, priority High
  });
  expect(incident.timeline.filter((e) => e.kind === 'engagement').map((e) => [e.field, e.to])).toEqual(
    expect.arrayContaining([
      ['commander', 'ic@example.com'],
      ['observer', 'sam@example.com'],
      ['participant', 'dana@example.com'],
      ['team', 'data-platform@example.com'],
      ['page', 'ic@example.com'],
    ]),
  );

  // Everyone engaged is in the channel and the tactical group; the team in the notifications group.
  for (const email of ['ic@example.com', 'sam@example.com', 'dana@example.com']) {
    expect(channelMembers(incident.id)).toContain(slackId(email));
    expect(groupMembers(`${incident.id.toLowerCase()}@example.com`)).toContain(email);
  }
  await eventually(() => groupMembers(`${incident.id.toLowerCase()}-notifications@example.com`).includes('data-platform@example.com'));
  // The ticket names the commander.
  await eventually(() => ticketLabels(incident).includes('muster-commander-ic'));
  expect(ticketLabels(incident).filter((l) => l.startsWith('muster-commander-'))).toEqual(['muster-commander-ic']);

  // One page, on the commander service, linking to the channel and the document.
  const [page, ...more] = pagesFor(incident.id);
  expect(more).toEqual([]);
  expect(page).toMatchObject({ dedupKey: pageDedupKey(incident.id, 'PSVCIC1', 'declare'), serviceId: 'PSVCIC1', alerts: 1 });
  expect(page!.links.map((l) => l.href).sort()).toEqual([incident.resources.channel!.url, incident.resources.document!.url].sort());
});

test('an update that makes a new rule match adds the new people and keeps everyone else', async () => {
  const { incident: declared } = await h.client.declare({
    title: 'Slow reports',
    priority: 'Low',
    severity: 'Low',
    reporter: { email: 'rita@example.com' },
    commander: { email: 'ic@example.com' },
  });
  await until(declared.id, (i) => i.assembledAt !== undefined);
  // Someone added by hand, whom no rule names.
  await h.client.changeRole(declared.id, { action: 'assign', role: 'Scribe', person: { email: 'sec@example.com' } }, 'ic@example.com');

  await h.client.update(declared.id, { severity: 'High' }, 'ic@example.com');
  const incident = await until(declared.id, (i) => i.participants.some((p) => p.email === 'liam@example.com'));
  expect(roles(incident)).toEqual({
    'rita@example.com': ['Reporter'],
    'ic@example.com': ['Commander'], // named in the declaration: the role policy leaves it
    'sec@example.com': ['Scribe'],
    'liam@example.com': ['Observer'], // severity High, Open
  });
  await eventually(() => channelMembers(incident.id).includes(slackId('liam@example.com')));
  // Low priority pages nobody.
  expect(pagesFor(incident.id)).toEqual([]);
  expect(paged(incident)).toBe(false);
});

test('engageOncall adds the current on-call with a role, pages only when asked, and refuses unknown services', async () => {
  const { incident: declared } = await h.client.declare({ title: 'Login errors', priority: 'Medium', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  await until(declared.id, (i) => i.assembledAt !== undefined);

  const quiet = await h.client.engageOncall(declared.id, { service: 'Security on-call', actor: 'ic@example.com' });
  expect(roles(quiet)['sec@example.com']).toEqual(['Participant']);
  expect(pagesFor(declared.id)).toEqual([]);

  // Through the API, by PagerDuty id, as Observer, with a page.
  const response = await fetch(`${base}/incidents/${declared.id}/oncall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-muster-actor': 'ic@example.com' },
    body: JSON.stringify({ service: 'PSVCDB1', role: 'Observer', page: true }),
  });
  expect(response.status).toBe(200);
  const loud = (await response.json()) as IncidentState;
  expect(roles(loud)['dana@example.com']).toEqual(['Observer']);
  expect(loud.timeline.at(-1)).toMatchObject({ kind: 'engagement', field: 'page', to: 'dana@example.com' });
  const [page, ...more] = pagesFor(declared.id);
  expect(more).toEqual([]);
  expect(page).toMatchObject({ serviceId: 'PSVCDB1', alerts: 1 });
  expect(page!.links.map((l) => l.href)).toContain(loud.resources.channel!.url);

  await expect(h.client.engageOncall(declared.id, { service: 'Payroll on-call', actor: 'ic@example.com' })).rejects.toMatchObject({
    name: 'IncidentRejectedError',
    code: 'invalid_field',
    field: 'service',
    message: expect.stringContaining('Payroll on-call is not an on-call service; known services: Database on-call (PSVCDB1)'),
  });
  const bad = await fetch(`${base}/incidents/${declared.id}/oncall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-muster-actor': 'ic@example.com' },
    body: JSON.stringify({ service: 'nope' }),
  });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: 'invalid_field', field: 'service' });
  const badRole = await fetch(`${base}/incidents/${declared.id}/oncall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-muster-actor': 'ic@example.com' },
    body: JSON.stringify({ service: 'PSVCDB1', role: 'Boss' }),
  });
  expect(badRole.status).toBe(400);
  expect(await badRole.json()).toMatchObject({ error: 'invalid_field', field: 'role' });
  const missing = await fetch(`${base}/incidents/${h.prefix}-9999/oncall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-muster-actor': 'ic@example.com' },
    body: JSON.stringify({ service: 'PSVCDB1' }),
  });
  expect(missing.status).toBe(404);

  await h.client.update(declared.id, { status: 'Closed' }, 'ic@example.com');
  const closed = await fetch(`${base}/incidents/${declared.id}/oncall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-muster-actor': 'ic@example.com' },
    body: JSON.stringify({ service: 'PSVCDB1' }),
  });
  expect(closed.status).toBe(409);
  expect(await closed.json()).toMatchObject({ error: 'invalid_transition', message: `${declared.id} is Closed; reopen it before engaging on-call` });
});

test('role changes: every rejection says why; leaving every role leaves the tactical group', async () => {
  const { incident: declared } = await h.client.declare({ title: 'Cert expiry', priority: 'Medium', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  const id = declared.id;
  await until(id, (i) => i.resources.tacticalGroup?.status === 'ready' && i.assembledAt !== undefined);
  const reject = (change: Parameters<Harness['client']['changeRole']>[1]) => h.client.changeRole(id, change, 'ic@example.com').then(
    () => {
      throw new Error('accepted');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(IncidentRejectedError);
      const { code, field, message } = err as IncidentRejectedError;
      return { code, field, message };
    },
  );

  expect(await reject({ action: 'assign', role: 'Scribe', person: { email: 'nobody@example.com' } })).toEqual({
    code: 'invalid_field',
    field: 'person',
    message: 'nobody@example.com has no chat account; check the address (people must be in the workspace to take a role)',
  });
  expect(await reject({ action: 'assign', role: 'Boss' as never, person: { email: 'sam@example.com' } })).toMatchObject({ code: 'invalid_field', field: 'role', message: expect.stringContaining('role must be one of Commander, Liaison') });
  expect(await reject({ action: 'assign', role: 'Commander', person: { email: 'ic@example.com' } })).toEqual({ code: 'invalid_transition', field: 'role', message: `ic@example.com is already Commander of ${id}` });
  expect(await reject({ action: 'renounce', role: 'Commander', person: { email: 'ic@example.com' } })).toEqual({ code: 'invalid_transition', field: 'role', message: `${id} needs a commander: assign someone else as Commander first` });
  expect(await reject({ action: 'assign', role: 'Reporter', person: { email: 'sam@example.com' } })).toMatchObject({ code: 'invalid_transition', field: 'role' });
  expect(await reject({ action: 'renounce', role: 'Scribe', person: { email: 'sam@example.com' } })).toEqual({ code: 'invalid_transition', field: 'role', message: `sam@example.com is not Scribe of ${id}` });
  expect(await reject({ action: 'assign', role: 'Scribe', person: { email: 'not-an-email' } })).toMatchObject({ code: 'invalid_field', field: 'person.email' });

  // Leading roles show on the ticket, and leave it when renounced.
  const scribe = await h.client.changeRole(id, { action: 'assign', role: 'Scribe', person: { email: 'liam@example.com' } }, 'ic@example.com');
  await eventually(() => ticketLabels(scribe).includes('muster-scribe-liam'));
  await h.client.changeRole(id, { action: 'renounce', role: 'Scribe', person: { email: 'liam@example.com' } }, 'ic@example.com');
  await eventually(() => !ticketLabels(scribe).includes('muster-scribe-liam'));
  expect(ticketLabels(scribe)).toContain('muster-commander-ic');

  const tactical = `${id.toLowerCase()}@example.com`;
  await h.client.changeRole(id, { action: 'assign', role: 'Observer', person: { email: 'sam@example.com' } }, 'ic@example.com');
  await eventually(() => groupMembers(tactical).includes('sam@example.com'));
  const after = await h.client.changeRole(id, { action: 'renounce', role: 'Observer', person: { email: 'sam@example.com' } }, 'ic@example.com');
  expect(after.participants.some((p) => p.email === 'sam@example.com')).toBe(false);
  expect(groupMembers(tactical)).not.toContain('sam@example.com');
});

test('muster engage-oncall: the CLI engages and pages, and refuses an unknown service with exit code 2', async () => {
  const { incident: declared } = await h.client.declare({ title: 'Disk full', priority: 'Medium', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } });
  await until(declared.id, (i) => i.assembledAt !== undefined);
  // Not spawnSync: the worker runs in this process and must keep serving while the CLI waits.
  const cli = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--require', 'tsx/cjs', 'client/cli.ts', '--as', 'ic@example.com', ...args],
        { cwd: join(__dirname, '../..'), env: { ...process.env, TEMPORAL_ADDRESS: h.temporal.address, MUSTER_TASK_QUEUE: h.temporal.taskQueue, MUSTER_INCIDENT_PREFIX: h.prefix } },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const engaged = await cli('engage-oncall', declared.id.toLowerCase(), 'Database on-call', '--role', 'scribe', '--page');
  expect(engaged.status).toBe(0);
  expect(engaged.stdout).toContain('ic@example.com engaged Dana DBA, on call for Database on-call, as Scribe');
  expect(engaged.stdout).toContain('Paged Dana DBA through Database on-call');
  expect(roles(await h.client.get(declared.id))['dana@example.com']).toEqual(['Scribe']);
  expect(pagesFor(declared.id)).toHaveLength(1);

  const refused = await cli('engage-oncall', declared.id, 'Payroll');
  expect(refused.status).toBe(2);
  expect(refused.stderr).toContain('Refused: Payroll is not an on-call service');
});
