/** Tasks over the REST API (and the client's live per-person list) on the dev server. */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { IncidentState, Task } from '../../domain/incident';
import { eventually, recorded, startHarness, type Harness } from '../support/harness';

let h: Harness;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  app = await buildApi({ client: h.client, store: h.store });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function call(method: string, path: string, body?: unknown, actor = 'ic@example.com') {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-muster-actor': actor },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const declare = async (title: string): Promise<IncidentState> => (await call('POST', '/incidents', { title })).body;

test('add, list, resolve and reopen a task; every change is in the timeline', async () => {
  const incident = await declare('Flaky deploys');
  const added = await call('POST', `/incidents/${incident.id}/tasks`, { description: 'Pin the base image', assignees: ['sam@example.com'] });
  expect(added.status).toBe(201);
  const task = added.body as Task;
  expect(task).toMatchObject({ id: 'T1', owner: 'ic@example.com', assignees: ['sam@example.com'], status: 'Open', createdBy: 'ic@example.com' });
  const day = Date.parse(task.resolveBy) - Date.parse(task.createdAt);
  expect(day).toBe(24 * 60 * 60 * 1000);

  const review = await call('POST', `/incidents/${incident.id}/tasks`, { description: 'Write the review', review: true, owner: 'rita@example.com' });
  expect(review.body).toMatchObject({ id: 'T2', owner: 'rita@example.com', review: true });
  expect(Date.parse(review.body.resolveBy) - Date.parse(review.body.createdAt)).toBe(7 * 24 * 60 * 60 * 1000);

  expect((await call('GET', `/incidents/${incident.id}/tasks`)).body.items.map((t: Task) => t.id)).toEqual(['T1', 'T2']);

  const resolved = await call('POST', `/incidents/${incident.id}/tasks/T1/resolve`, undefined, 'sam@example.com');
  expect(resolved).toMatchObject({ status: 200, body: { id: 'T1', status: 'Resolved' } });
  const again = await call('POST', `/incidents/${incident.id}/tasks/t1/resolve`);
  expect(again).toMatchObject({ status: 409, body: { error: 'invalid_transition', field: 'taskId' } });
  const reopened = await call('POST', `/incidents/${incident.id}/tasks/T1/reopen`);
  expect(reopened).toMatchObject({ status: 200, body: { status: 'Open' } });
  expect(reopened.body.resolvedAt).toBeUndefined();

  const stored = await recorded(h, await h.client.get(incident.id));
  expect(stored.timeline.filter((e) => e.kind === 'task').map((e) => `${e.field} ${e.to}`)).toEqual(['T1 Open', 'T2 Open', 'T1 Resolved', 'T1 Open']);
  expect(stored.tasks?.map((t) => t.status)).toEqual(['Open', 'Open']);
});

test("GET /tasks?person= lists a person's tasks across incidents from the store; the client asks open incidents live", async () => {
  const first = await declare('Disk full');
  const second = await declare('Cert expiry');
  await call('POST', `/incidents/${first.id}/tasks`, { description: 'Grow the volume', owner: 'dana@example.com' });
  await call('POST', `/incidents/${second.id}/tasks`, { description: 'Renew it', assignees: ['dana@example.com'] });
  await call('POST', `/incidents/${second.id}/tasks`, { description: 'Someone else', owner: 'sam@example.com' });
  const items = await eventually(async () => {
    const { body } = await call('GET', '/tasks?person=dana@example.com');
    return body.items.length === 2 ? body.items : undefined;
  });
  expect(items.map((t: Task & { incidentId: string }) => `${t.incidentId} ${t.description}`).sort()).toEqual([`${first.id} Grow the volume`, `${second.id} Renew it`].sort());
  const live = await eventually(async () => {
    const tasks = await h.client.tasksFor('DANA@example.com');
    return tasks.length === 2 ? tasks : undefined;
  });
  expect(live.map((t) => t.incidentId).sort()).toEqual([first.id, second.id].sort());
});

test('bad input is a 400 naming the field; unknown tasks and Closed incidents are refused', async () => {
  const incident = await declare('Bad inputs');
  expect(await call('POST', `/incidents/${incident.id}/tasks`, {})).toMatchObject({ status: 400, body: { field: 'description' } });
  expect(await call('POST', `/incidents/${incident.id}/tasks`, { description: 'x', owner: 'nobody' })).toMatchObject({ status: 400, body: { field: 'owner' } });
  expect(await call('POST', `/incidents/${incident.id}/tasks`, { description: 'x', resolveBy: 'tomorrow' })).toMatchObject({ status: 400, body: { field: 'resolveBy' } });
  expect(await call('POST', `/incidents/${incident.id}/tasks/T9/resolve`)).toMatchObject({ status: 400, body: { field: 'taskId' } });
  expect(await call('GET', '/tasks')).toMatchObject({ status: 400, body: { field: 'person' } });
  await call('PATCH', `/incidents/${incident.id}`, { status: 'Closed' });
  expect(await call('POST', `/incidents/${incident.id}/tasks`, { description: 'Too late' })).toMatchObject({ status: 409, body: { error: 'invalid_transition' } });
});
