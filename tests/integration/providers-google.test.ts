/**
 * The Google adapters against the sandbox's Google emulator over real HTTP with the real
 * googleapis clients: idempotency of every ensure, the exact calls made, and error mapping.
 */
import { createServer } from 'node:net';
import * as google from '../../activities/providers/google/apis';
import { accessTokenAuth, googleProviders, type GoogleProviders } from '../../activities/providers/google';
import { DEFAULT_FIXTURE } from '../../sandbox/fixture';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { vendorError } from '../support/vendor';

const fixture = DEFAULT_FIXTURE;
const TEMPLATE = 'tmpl-incident-doc';

let sandbox: Sandbox;
let google_: GoogleProviders;

const providers = (token = fixture.credentials.googleAccessToken, rootUrl = `${sandbox.url}/`) =>
  googleProviders({ auth: accessTokenAuth(token), rootUrl, domain: fixture.google.domain, sender: 'muster@example.com' });

/** The routes the adapters called, in order. */
const calls = () => sandbox.log.find({ vendor: 'google' }).map((entry) => entry.route);

interface Snapshot {
  files: Array<{ id: string; name: string; mimeType: string; parents: string[]; appProperties: Record<string, string> }>;
  documents: Record<string, string>;
  permissions: Record<string, Array<{ type: string; role: string; emailAddress?: string }>>;
  events: Record<string, Array<{ id: string; summary: string; attendees?: Array<{ email: string }>; hangoutLink?: string }>>;
  groups: Array<{ email: string; members: Array<{ email: string }> }>;
  messages: Array<{ to: string[]; subject: string; body: string; headers: Record<string, string> }>;
}
const state = () => sandbox.state().google as Snapshot;
const folders = () => state().files.filter((f) => f.mimeType === 'application/vnd.google-apps.folder');


beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.reset();
  google_ = providers();
});

describe('storage', () => {
  test('ensureFolder twice makes one folder, found the second time by its app properties', async () => {
    const first = await google_.storage.ensureFolder({ incidentId: 'INC-1', name: 'INC-1 Payments failing' });
    const second = await google_.storage.ensureFolder({ incidentId: 'INC-1', name: 'INC-1 Payments failing' });

    expect(second).toEqual(first);
    expect(first.url).toBe(`https://drive.google.com/drive/folders/${first.id}`);
    expect(folders()).toEqual([expect.objectContaining({ id: first.id, name: 'INC-1 Payments failing', appProperties: { muster_incident: 'INC-1', muster_kind: 'folder' } })]);
    expect(calls()).toEqual(['GET /drive/v3/files', 'POST /drive/v3/files', 'GET /drive/v3/files']);
    const [list] = sandbox.log.find({ route: 'GET /drive/v3/files' });
    expect(list!.query.q).toBe(
      "appProperties has { key='muster_incident' and value='INC-1' } and appProperties has { key='muster_kind' and value='folder' } and mimeType = 'application/vnd.google-apps.folder' and trashed = false",
    );
  });

  test('folders of different incidents stay apart; a parent folder is used', async () => {
    const parent = await google_.storage.ensureFolder({ incidentId: 'ALL', name: 'Incidents' });
    const a = await google_.storage.ensureFolder({ incidentId: "INC-2 'quoted'", name: 'A', parentId: parent.id });
    const b = await google_.storage.ensureFolder({ incidentId: 'INC-3', name: 'B', parentId: parent.id });
    expect(new Set([parent.id, a.id, b.id]).size).toBe(3);
    expect(folders().find((f) => f.id === a.id)?.parents).toEqual([parent.id]);
    expect(await google_.storage.ensureFolder({ incidentId: "INC-2 'quoted'", name: 'A' })).toEqual(a);
  });

  test('share grants a group; sharing twice keeps one grant', async () => {
    const folder = await google_.storage.ensureFolder({ incidentId: 'INC-4', name: 'INC-4' });
    sandbox.log.clear();
    await google_.storage.share(folder.id, { email: 'inc-4@example.com', type: 'group', role: 'writer' });
    await google_.storage.share(folder.id, { email: 'inc-4@example.com', type: 'group', role: 'writer' });

    expect(state().permissions[folder.id]).toEqual([expect.objectContaining({ type: 'group', role: 'writer', emailAddress: 'inc-4@example.com' })]);
    expect(calls()).toEqual(['POST /drive/v3/files/:fileId/permissions', 'POST /drive/v3/files/:fileId/permissions']);
    expect(sandbox.log.entries[0]!.query).toMatchObject({ sendNotificationEmail: 'false' });
  });
});

describe('documents', () => {
  test('ensureFromTemplate twice makes one copy in the folder; fillIn replaces the placeholders', async () => {
    const folder = await google_.storage.ensureFolder({ incidentId: 'INC-5', name: 'INC-5' });
    sandbox.log.clear();
    const input = { incidentId: 'INC-5', kind: 'incident-doc', templateId: TEMPLATE, name: 'INC-5 document', folderId: folder.id };
    const doc = await google_.document.ensureFromTemplate(input);
    expect(await google_.document.ensureFromTemplate(input)).toEqual(doc);
    expect(doc.url).toBe(`https://docs.google.com/document/d/${doc.id}/edit`);

    const copies = state().files.filter((f) => f.appProperties.muster_incident === 'INC-5' && f.appProperties.muster_kind === 'incident-doc');
    expect(copies).toEqual([expect.objectContaining({ id: doc.id, name: 'INC-5 document', parents: [folder.id] })]);
    expect(calls()).toEqual(['GET /drive/v3/files', 'POST /drive/v3/files/:fileId/copy', 'GET /drive/v3/files']);

    await google_.document.fillIn(doc.id, { title: 'Payments failing', id: 'INC-5', commander: 'Ida Commander' });
    expect(calls().at(-1)).toBe('POST /v1/documents/:documentId:batchUpdate');

    // Read back through the Docs API, as a person's client would.
    const docs = google.docs({ version: 'v1', auth: accessTokenAuth(fixture.credentials.googleAccessToken), rootUrl: `${sandbox.url}/`, fetchImplementation: fetch });
    const { data } = await docs.documents.get({ documentId: doc.id });
    const text = (data.body?.content ?? []).flatMap((c) => c.paragraph?.elements ?? []).map((e) => e.textRun?.content ?? '').join('');
    expect(text).toContain('Payments failing\nIncident INC-5 · {{priority}} priority');
    expect(text).toContain('Commander: Ida Commander');
    expect(text).not.toContain('{{title}}');
    // The template itself is untouched.
    expect(state().documents[TEMPLATE]).toContain('{{title}}');
  });

  test('a missing template is permanent and names the template', async () => {
    const folder = await google_.storage.ensureFolder({ incidentId: 'INC-6', name: 'INC-6' });
    const err = await vendorError(google_.document.ensureFromTemplate({ incidentId: 'INC-6', kind: 'review', templateId: 'tmpl-nope', name: 'x', folderId: folder.id }));
    expect(err.kind).toBe('permanent');
    expect(err.details.status).toBe(404);
    expect(err.message).toContain('template tmpl-nope not found');
  });
});

describe('conference', () => {
  test('ensureConference twice makes one event with a Meet link and the attendees', async () => {
    const input = { incidentId: 'INC-7', title: 'INC-7 Payments failing', description: 'War room', attendees: ['ic@example.com', 'sam@example.com'] };
    const first = await google_.conference.ensureConference(input);
    const second = await google_.conference.ensureConference(input);

    expect(second).toEqual(first);
    expect(first.id).toMatch(/^muster[a-v0-9]+$/);
    expect(first.url).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    const events = state().events.primary ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: first.id, summary: 'INC-7 Payments failing', hangoutLink: first.url, attendees: [{ email: 'ic@example.com' }, { email: 'sam@example.com' }] });
    expect(calls()).toEqual([
      'POST /calendar/v3/calendars/:calendarId/events',
      'POST /calendar/v3/calendars/:calendarId/events',
      'GET /calendar/v3/calendars/:calendarId/events/:eventId',
    ]);
    expect(sandbox.log.entries[1]!.status).toBe(409);
    expect(sandbox.log.entries[0]!.query).toMatchObject({ conferenceDataVersion: '1' });
  });

  test('updateConference renames and replaces the invite list', async () => {
    const { id } = await google_.conference.ensureConference({ incidentId: 'INC-8', title: 'old', description: '', attendees: ['ic@example.com'] });
    await google_.conference.updateConference(id, { title: 'new', attendees: ['ic@example.com', 'dana@example.com'] });
    expect(state().events.primary?.[0]).toMatchObject({ summary: 'new', attendees: [{ email: 'ic@example.com' }, { email: 'dana@example.com' }] });
  });
});

describe('groups', () => {
  test('ensureGroup twice and addMembers twice: one group, each member once', async () => {
    const input = { email: 'inc-9@example.com', name: 'INC-9 responders', description: 'Everyone on INC-9' };
    const first = await google_.group.ensureGroup(input);
    expect(await google_.group.ensureGroup(input)).toEqual(first);
    await google_.group.addMembers(first.email, ['ic@example.com', 'sam@example.com']);
    await google_.group.addMembers(first.email, ['ic@example.com', 'sam@example.com']);

    expect(state().groups).toEqual([expect.objectContaining({ email: 'inc-9@example.com', members: [expect.objectContaining({ email: 'ic@example.com' }), expect.objectContaining({ email: 'sam@example.com' })] })]);
    expect(calls()).toEqual([
      'POST /admin/directory/v1/groups',
      'POST /admin/directory/v1/groups',
      'GET /admin/directory/v1/groups/:groupKey',
      ...Array(4).fill('POST /admin/directory/v1/groups/:groupKey/members'),
    ]);
    expect(sandbox.log.entries.map((e) => e.status)).toEqual([200, 409, 200, 200, 200, 409, 409]);

    await google_.group.removeMembers(first.email, ['sam@example.com']);
    await google_.group.removeMembers(first.email, ['sam@example.com']);
    expect(state().groups[0]!.members.map((m) => m.email)).toEqual(['ic@example.com']);
  });

  test('a group outside the domain is refused before any call', async () => {
    const err = await vendorError(google_.group.ensureGroup({ email: 'x@elsewhere.org', name: 'x', description: '' }));
    expect(err.kind).toBe('permanent');
    expect(calls()).toEqual([]);
  });
});

describe('email', () => {
  test('sending twice with the same dedupeKey sends one message', async () => {
    const message = { to: ['ic@example.com', 'liam@example.com'], subject: 'INC-10 declared — Payments failing', text: 'Join the channel #inc-10.', dedupeKey: 'INC-10/declared' };
    const first = await google_.email.send(message);
    const second = await google_.email.send(message);

    expect(second).toEqual(first);
    const messages = state().messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: ['ic@example.com', 'liam@example.com'], subject: message.subject, body: message.text });
    expect(messages[0]!.headers).toMatchObject({ 'x-muster-dedupe': 'INC-10/declared', 'message-id': '<INC-10=2Fdeclared@muster>', from: 'muster@example.com' });
    expect(calls()).toEqual(['GET /gmail/v1/users/:userId/messages', 'POST /gmail/v1/users/:userId/messages/send', 'GET /gmail/v1/users/:userId/messages']);

    // A different key is a different message.
    await google_.email.send({ ...message, dedupeKey: 'INC-10/resolved' });
    expect(state().messages).toHaveLength(2);
  });
});

describe('errors', () => {
  test('a bad token is permanent (401)', async () => {
    const err = await vendorError(providers('ya29.wrong').storage.ensureFolder({ incidentId: 'INC-11', name: 'x' }));
    expect(err).toMatchObject({ kind: 'permanent', vendor: 'google', operation: 'ensureFolder', details: { status: 401, code: 'authError' } });
    expect(err.message).toContain('invalid authentication credentials');
  });

  test('5xx on create is transient; retries then make exactly one folder', async () => {
    sandbox.faults.add({ vendor: 'google', route: 'POST /drive/v3/files', mode: 'fail', times: 3 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const err = await vendorError(google_.storage.ensureFolder({ incidentId: 'INC-12', name: 'INC-12' }));
      expect(err).toMatchObject({ kind: 'transient', details: { status: 503 } });
    }
    const folder = await google_.storage.ensureFolder({ incidentId: 'INC-12', name: 'INC-12' });
    expect(folders().map((f) => f.id)).toEqual([folder.id]);
    // gaxios did not retry on its own: one create per attempt.
    expect(sandbox.log.find({ route: 'POST /drive/v3/files' })).toHaveLength(4);
  });

  test('429 is rate_limited with Retry-After in ms, and gaxios does not retry it', async () => {
    sandbox.faults.add({ vendor: 'google', route: 'GET /drive/v3/files', mode: 'rateLimit', retryAfterSeconds: 2, times: 1 });
    const err = await vendorError(google_.storage.ensureFolder({ incidentId: 'INC-13', name: 'INC-13' }));
    expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 2000 } });
    expect(calls()).toEqual(['GET /drive/v3/files']);
  });

  test('no answer at all (connection refused) is transient', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const err = await vendorError(providers(undefined, `http://127.0.0.1:${port}/`).group.ensureGroup({ email: 'inc-14@example.com', name: 'x', description: '' }));
    expect(err.kind).toBe('transient');
    expect(err.details.status).toBeUndefined();
  });
});

describe('emulator', () => {
  test('validates like Google: missing fields 400, unknown ids 404', async () => {
    const drive = google.drive({ version: 'v3', auth: accessTokenAuth(fixture.credentials.googleAccessToken), rootUrl: `${sandbox.url}/`, retry: false, fetchImplementation: fetch });
    await expect(drive.files.get({ fileId: 'nope' })).rejects.toMatchObject({ status: 404, message: 'File not found: nope.' });
    await expect(drive.permissions.create({ fileId: TEMPLATE, requestBody: { role: 'reader' } })).rejects.toMatchObject({ status: 400 });
    await expect(drive.files.list({ q: 'starred = true' })).rejects.toMatchObject({ status: 400, message: 'Invalid Value' });
    const calendar = google.calendar({ version: 'v3', auth: accessTokenAuth(fixture.credentials.googleAccessToken), rootUrl: `${sandbox.url}/`, retry: false, fetchImplementation: fetch });
    await expect(calendar.events.insert({ calendarId: 'primary', requestBody: { id: 'BAD_ID!', start: {}, end: {} } })).rejects.toMatchObject({ status: 400 });
    await expect(calendar.events.insert({ calendarId: 'primary', requestBody: { start: {} } })).rejects.toMatchObject({ status: 400, message: 'Missing end time.' });
  });

  test('the page shows every section', () => {
    expect(sandbox.modules.find((m) => m.vendor === 'google')!.view().map((s) => s.heading)).toEqual(['Drive folders', 'Documents', 'Permissions', 'Meetings', 'Groups', 'Mail sent']);
  });
});
