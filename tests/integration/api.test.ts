/** Every route of the REST API over real HTTP, with the real workflow and store behind it. */
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { IncidentState } from '../../domain/incident';
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

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-muster-actor': 'ic@example.com', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function declare(extra: object = {}): Promise<IncidentState> {
  const { status, body } = await call('POST', '/incidents', { title: 'Payments failing', priority: 'High', ...extra });
  expect(status).toBe(201);
  return body;
}

describe('declare', () => {
  test('201 with the incident; the caller is the reporter by default', async () => {
    const response = await call('POST', '/incidents', { title: 'Payments failing', priority: 'High', tags: ['payments'] });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/incidents/${response.body.id}`);
    expect(response.body).toMatchObject({ title: 'Payments failing', status: 'Active', priority: 'High', tags: ['payments'], reporter: { email: 'ic@example.com' } });
  });

  test('Idempotency-Key: the retry gets 200 and the same incident', async () => {
    const headers = { 'idempotency-key': `api-${Date.now()}` };
    const first = await call('POST', '/incidents', { title: 'Retry me' }, headers);
    const second = await call('POST', '/incidents', { title: 'Retry me' }, headers);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
  });

  test.each([
    [{ priority: 'High' }, 'title', 'title is required'],
    [{ title: 'x', priority: 'Urgent' }, 'priority', 'priority must be one of Low, Medium, High'],
    [{ title: 'x', colour: 'red' }, 'colour', 'colour is not a field of this request'],
    [{ title: 'x', commander: { email: 'not-an-email' } }, 'commander.email', 'commander.email must match format "email"'],
    [{ title: 'x', type: 'Nonsense' }, 'type', 'type must be one of Operational, Security, Data, Other'],
    [{ title: '   ' }, 'title', 'title must not be empty'],
  ])('400 for %j names %s', async (body, field, message) => {
    const response = await call('POST', '/incidents', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_field', field, message: expect.stringContaining(message) });
  });

  test('400 for a body that is not JSON', async () => {
    const response = await call('POST', '/incidents', '{"title":', {});
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('bad_request');
  });
});

describe('get, update, timeline', () => {
  test('GET returns the live state; unknown ids are 404', async () => {
    const incident = await declare();
    const got = await call('GET', `/incidents/${incident.id.toLowerCase()}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(incident);
    expect((await call('GET', `/incidents/${h.prefix}-99999`)).status).toBe(404);
    expect((await call('GET', '/incidents/nonsense')).body).toEqual({ error: 'not_found', message: 'No incident nonsense' });
  });

  test('PATCH applies changes as the caller', async () => {
    const incident = await declare();
    const response = await call('PATCH', `/incidents/${incident.id}`, { status: 'Stable', severity: 'High' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'Stable', severity: 'High' });
    expect(response.body.timeline.slice(-2)).toEqual([
      expect.objectContaining({ actor: 'ic@example.com', field: 'status', from: 'Active', to: 'Stable' }),
      expect.objectContaining({ actor: 'ic@example.com', field: 'severity', from: 'Undetermined', to: 'High' }),
    ]);
  });

  test('PATCH: 400 names the field, 404 unknown, 409 with the reason', async () => {
    const incident = await declare();
    expect(await call('PATCH', `/incidents/${incident.id}`, { status: 'Done' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_field', field: 'status', message: 'status must be one of Active, Stable, Closed' },
    });
    expect(await call('PATCH', `/incidents/${incident.id}`, {})).toMatchObject({ status: 400, body: { field: 'body' } });
    expect(await call('PATCH', `/incidents/${incident.id}`, { id: 'INC-1' })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect((await call('PATCH', `/incidents/${h.prefix}-99999`, { status: 'Stable' })).status).toBe(404);
    expect(await call('PATCH', `/incidents/${incident.id}`, { status: 'Active' })).toMatchObject({
      status: 409,
      body: { error: 'invalid_transition', field: 'status', message: `${incident.id} is already Active` },
    });
    expect(await call('PATCH', `/incidents/${incident.id}`, { priority: 'High' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_field', field: 'changes', message: `nothing to change: ${incident.id} already has these values` },
    });
  });

  test('POST timeline is accepted and lands in state and store', async () => {
    const incident = await declare();
    expect(await call('POST', `/incidents/${incident.id}/timeline`, { text: 'Paged the DBA' })).toEqual(expect.objectContaining({ status: 202, body: { accepted: true } }));
    const items = await eventually(async () => {
      const { body } = await call('GET', `/incidents/${incident.id}/timeline`);
      return body.items.length === 2 ? body.items : undefined;
    });
    expect(items[1]).toMatchObject({ seq: 2, kind: 'note', text: 'Paged the DBA', actor: 'ic@example.com' });
    expect((await call('GET', `/incidents/${incident.id}/timeline?afterSeq=1`)).body.items).toHaveLength(1);
    expect(await call('POST', `/incidents/${incident.id}/timeline`, { text: '' })).toMatchObject({ status: 400, body: { field: 'text' } });
    expect(await call('POST', `/incidents/${incident.id}/timeline`, { text: 'x', at: 'yesterday' })).toMatchObject({ status: 400, body: { field: 'at' } });
    expect((await call('POST', `/incidents/${h.prefix}-99999/timeline`, { text: 'x' })).status).toBe(404);
    expect((await call('GET', `/incidents/${h.prefix}-99999/timeline`)).status).toBe(404);
  });
});

describe('roles', () => {
  test('assign and renounce; refusals are 400 or 409 with the reason', async () => {
    const incident = await declare();
    const assigned = await call('POST', `/incidents/${incident.id}/roles`, { action: 'assign', role: 'Scribe', email: 'sam@example.com', name: 'Sam' });
    expect(assigned.status).toBe(200);
    expect(assigned.body.participants).toContainEqual(expect.objectContaining({ email: 'sam@example.com', name: 'Sam', roles: ['Scribe'] }));
    expect(await call('POST', `/incidents/${incident.id}/roles`, { action: 'renounce', role: 'Commander', email: 'ic@example.com' })).toMatchObject({
      status: 409,
      body: { error: 'invalid_transition', message: `${incident.id} needs a commander: assign someone else as Commander first` },
    });
    expect(await call('POST', `/incidents/${incident.id}/roles`, { action: 'assign', role: 'Reporter', email: 'sam@example.com' })).toMatchObject({
      status: 400,
      body: { field: 'role' },
    });
    expect((await call('POST', `/incidents/${h.prefix}-99999/roles`, { action: 'assign', role: 'Scribe', email: 'sam@example.com' })).status).toBe(404);
    const handed = await call('POST', `/incidents/${incident.id}/roles`, { action: 'assign', role: 'Commander', email: 'sam@example.com' });
    expect(handed.body.commander).toEqual({ email: 'sam@example.com' });
  });
});

describe('subscribers', () => {
  test('a bad email is a 400 naming the field; an unknown incident a 404', async () => {
    const incident = await declare();
    expect(await call('POST', `/incidents/${incident.id}/subscribers`, { email: 'not-an-email' })).toMatchObject({ status: 400 });
    expect((await call('POST', `/incidents/${incident.id}/subscribers`, { email: 'not-an-email' })).body.message).toMatch(/email/);
    expect((await call('POST', `/incidents/${h.prefix}-99999/subscribers`, { email: 'sam@example.com' })).status).toBe(404);
  });
});

describe('list', () => {
  test('filters and pages through the store, newest first', async () => {
    const tag = `list-${Date.now()}`;
    const made: IncidentState[] = [];
    for (const severity of ['Low', 'High', 'High', 'Critical', 'High'] as const) made.push(await declare({ severity, tags: [tag] }));
    made[1] = await h.client.update(made[1]!.id, { status: 'Stable' }, 'ic@example.com');
    for (const incident of made) await recorded(h, incident);
    const { body } = await call('GET', `/incidents?tag=${tag}&severity=High&status=Active`);
    expect(body.items.map((i: IncidentState) => i.id)).toEqual([made[4]!.id, made[2]!.id]);
    expect(body.items[0].timeline).toBeUndefined();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/incidents?tag=${tag}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: IncidentState) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((i) => i.id).reverse());
  });

  test('400 for bad filters and limits', async () => {
    expect(await call('GET', '/incidents?status=Open')).toMatchObject({ status: 400, body: { field: 'status', message: 'status must be one of Active, Stable, Closed (got "Open")' } });
    expect(await call('GET', '/incidents?limit=0')).toMatchObject({ status: 400, body: { field: 'limit' } });
    expect(await call('GET', '/incidents?limit=lots')).toMatchObject({ status: 400, body: { field: 'limit' } });
    expect(await call('GET', '/incidents?colour=red')).toMatchObject({ status: 400, body: { field: 'colour' } });
    expect(await call('GET', '/incidents?cursor=garbage')).toMatchObject({ status: 400, body: { field: 'cursor' } });
  });
});

describe('service routes', () => {
  test('health reports Temporal and the store', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', temporal: 'ok', store: 'ok' } });
  });

  test('the OpenAPI document lists every route and the docs page serves', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.0.3');
    expect(Object.keys(body.paths).sort()).toEqual(['/health', '/incidents', '/incidents/{id}', '/incidents/{id}/feedback', '/incidents/{id}/oncall', '/incidents/{id}/resources/{resource}/retry', '/incidents/{id}/roles', '/incidents/{id}/subscribers', '/incidents/{id}/timeline']);
    expect(Object.keys(body.paths['/incidents/{id}']).sort()).toEqual(['get', 'patch']);
    const docs = await fetch(`${base}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  test('unknown routes are a JSON 404', async () => {
    expect(await call('GET', '/nope')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('with tokens', () => {
  let secured: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    secured = await buildApi({ client: h.client, store: h.store, tokens: { 's3cret-token': 'oncall-bot@example.com' } });
    url = await secured.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await secured?.close();
  });

  test('401 without or with a wrong token; the token names the actor', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ title: 'Secured' }) });
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${url}/incidents`)).status).toBe(401);
    const ok = await post({ authorization: 'Bearer s3cret-token', 'x-muster-actor': 'someone-else@example.com' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ reporter: { email: 'oncall-bot@example.com' } });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
