/**
 * The Slack emulator answers like Slack: raw form posts (as the WebClient sends them) and the
 * errors Slack gives. Loopback only; needs no Temporal.
 */
import { startSandbox, type Sandbox } from '../../sandbox/server';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => sandbox.reset());

type Answer = Record<string, unknown> & { ok: boolean; error?: string };

/** A Web API call the way the WebClient makes it: form-encoded, objects as JSON text. */
async function api(method: string, args: Record<string, unknown> = {}, token: string | null = sandbox.fixture.credentials.slackBotToken): Promise<Answer> {
  const form = new URLSearchParams(Object.entries(args).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  const response = await fetch(`${sandbox.url}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: form.toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

async function channel(name: string, isPrivate = false): Promise<string> {
  const answer = await api('conversations.create', { name, is_private: String(isPrivate) });
  expect(answer.ok).toBe(true);
  return (answer.channel as { id: string }).id;
}

const RITA = 'U0000RITA';
const SAM = 'U00000SAM';

test('auth: bearer or token field; none is not_authed, a wrong one invalid_auth', async () => {
  expect(await api('auth.test', {}, null)).toEqual({ ok: false, error: 'not_authed' });
  expect(await api('auth.test', {}, 'xoxb-nope')).toEqual({ ok: false, error: 'invalid_auth' });
  expect(await api('auth.test', { token: sandbox.fixture.credentials.slackBotToken }, null)).toMatchObject({ ok: true, team_id: 'T0SANDBOX', user_id: 'U0MUSTERBOT' });
  const viaGet = await fetch(`${sandbox.url}/api/auth.test?token=${sandbox.fixture.credentials.slackBotToken}`).then((r) => r.json());
  expect(viaGet).toMatchObject({ ok: true });
  expect(await api('files.upload')).toEqual({ ok: false, error: 'unknown_method' });
});

test('channel names follow Slack rules, and archived channels keep theirs', async () => {
  expect(await api('conversations.create', { name: 'Inc-1' })).toEqual({ ok: false, error: 'invalid_name_specials' });
  expect(await api('conversations.create', { name: 'a'.repeat(81) })).toEqual({ ok: false, error: 'invalid_name_maxlength' });
  expect(await api('conversations.create', { name: '--' })).toEqual({ ok: false, error: 'invalid_name_punctuation' });
  expect(await api('conversations.create', {})).toEqual({ ok: false, error: 'invalid_name_required' });
  const id = await channel('inc-1');
  expect(id).toMatch(/^C\d{8}$/);
  expect(await api('conversations.archive', { channel: id })).toEqual({ ok: true });
  expect(await api('conversations.archive', { channel: id })).toEqual({ ok: false, error: 'already_archived' });
  expect(await api('conversations.create', { name: 'inc-1' })).toEqual({ ok: false, error: 'name_taken' });
  expect(await api('chat.postMessage', { channel: id, text: 'hi' })).toEqual({ ok: false, error: 'is_archived' });
  expect(await api('conversations.invite', { channel: id, users: RITA })).toEqual({ ok: false, error: 'is_archived' });
  expect(await api('conversations.unarchive', { channel: id })).toEqual({ ok: true });
  expect(await api('conversations.unarchive', { channel: id })).toEqual({ ok: false, error: 'not_archived' });
  expect(await api('conversations.info', { channel: 'C404' })).toEqual({ ok: false, error: 'channel_not_found' });
});

test('a missing required argument is invalid_arguments with Slack messages', async () => {
  expect(await api('conversations.setTopic', { topic: 'x' })).toEqual({
    ok: false,
    error: 'invalid_arguments',
    response_metadata: { messages: ['[ERROR] missing required field: channel'] },
  });
});

test('conversations.list filters by type and archive state and pages with cursors', async () => {
  await channel('inc-a');
  await channel('inc-b', true);
  const c = await channel('inc-c');
  await api('conversations.archive', { channel: c });
  const names = (answer: Answer) => (answer.channels as Array<{ name: string }>).map((ch) => ch.name);

  expect(names(await api('conversations.list'))).toEqual(['inc-a', 'inc-c']);
  expect(names(await api('conversations.list', { types: 'public_channel,private_channel', exclude_archived: 'true' }))).toEqual(['inc-a', 'inc-b']);

  const first = await api('conversations.list', { types: 'public_channel,private_channel', limit: '2' });
  expect(names(first)).toEqual(['inc-a', 'inc-b']);
  const cursor = (first.response_metadata as { next_cursor: string }).next_cursor;
  const second = await api('conversations.list', { types: 'public_channel,private_channel', limit: '2', cursor });
  expect(names(second)).toEqual(['inc-c']);
  expect(second.response_metadata).toEqual({ next_cursor: '' });
  expect(await api('conversations.list', { cursor: 'bogus' })).toEqual({ ok: false, error: 'invalid_cursor' });
});

test('invites take comma lists or JSON arrays and answer like Slack', async () => {
  const id = await channel('inc-2');
  expect(await api('conversations.invite', { channel: id, users: `${RITA},${SAM}` })).toMatchObject({ ok: true });
  expect(await api('conversations.invite', { channel: id, users: [RITA] })).toMatchObject({ ok: false, error: 'already_in_channel' });
  expect(await api('conversations.invite', { channel: id, users: 'U0NOBODY' })).toMatchObject({ ok: false, error: 'user_not_found' });
  expect(await api('conversations.invite', { channel: id, users: 'U0MUSTERBOT' })).toMatchObject({ ok: false, error: 'cant_invite_self' });
  expect(await api('conversations.members', { channel: id })).toEqual({ ok: true, members: ['U0MUSTERBOT', RITA, SAM], response_metadata: { next_cursor: '' } });
  expect(await api('conversations.kick', { channel: id, user: SAM })).toEqual({ ok: true });
  expect(await api('conversations.kick', { channel: id, user: SAM })).toEqual({ ok: false, error: 'not_in_channel' });
  expect(await api('users.lookupByEmail', { email: 'nobody@example.com' })).toEqual({ ok: false, error: 'users_not_found' });
  expect(await api('users.info', { user: RITA })).toMatchObject({ ok: true, user: { id: RITA, profile: { email: 'rita@example.com' }, real_name: 'Rita Reporter' } });
});

test('history is newest first, shows metadata only when asked, and never ephemeral messages', async () => {
  const id = await channel('inc-3');
  await api('conversations.invite', { channel: id, users: RITA });
  const posted = await api('chat.postMessage', {
    channel: id,
    text: 'hello',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
    metadata: { event_type: 'muster', event_payload: { dedupe_key: 'k1' } },
  });
  expect(posted).toMatchObject({ ok: true, channel: id, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
  expect(await api('chat.postEphemeral', { channel: id, user: RITA, text: 'psst' })).toMatchObject({ ok: true, message_ts: expect.any(String) });
  expect(await api('chat.postEphemeral', { channel: id, user: SAM, text: 'psst' })).toEqual({ ok: false, error: 'user_not_in_channel' });

  const plain = await api('conversations.history', { channel: id });
  const messages = plain.messages as Array<{ text: string; ts: string; subtype?: string; metadata?: unknown }>;
  expect(messages.map((m) => m.subtype ?? m.text)).toEqual(['hello', 'channel_join', 'channel_join']);
  expect(messages[0]!.metadata).toBeUndefined();
  expect(Number(messages[0]!.ts)).toBeGreaterThan(Number(messages[1]!.ts));

  const withMetadata = await api('conversations.history', { channel: id, include_all_metadata: 'true', limit: '1' });
  expect(withMetadata).toMatchObject({ has_more: true, messages: [{ metadata: { event_type: 'muster', event_payload: { dedupe_key: 'k1' } } }] });

  expect(await api('chat.postMessage', { channel: id, blocks: 'not json' })).toEqual({ ok: false, error: 'invalid_blocks_format' });
  expect(await api('chat.postMessage', { channel: id })).toEqual({ ok: false, error: 'no_text' });
  expect(await api('chat.postMessage', { channel: id, text: 'x', metadata: '{' })).toEqual({ ok: false, error: 'invalid_metadata_format' });

  const ts = posted.ts as string;
  expect(await api('chat.update', { channel: id, ts, text: 'hello again' })).toMatchObject({ ok: true, text: 'hello again' });
  expect(await api('reactions.add', { channel: id, timestamp: ts, name: 'eyes' })).toEqual({ ok: true });
  expect(await api('reactions.get', { channel: id, timestamp: ts })).toMatchObject({
    ok: true,
    message: { text: 'hello again', edited: { user: 'U0MUSTERBOT' }, reactions: [{ name: 'eyes', count: 1 }] },
  });
});

test('bookmarks and views', async () => {
  const id = await channel('inc-4');
  expect(await api('bookmarks.add', { channel_id: id, title: 'Doc', type: 'link', link: 'https://example.com/doc' })).toMatchObject({
    ok: true,
    bookmark: { channel_id: id, title: 'Doc', link: 'https://example.com/doc' },
  });
  expect(await api('bookmarks.list', { channel_id: id })).toMatchObject({ ok: true, bookmarks: [{ title: 'Doc' }] });

  const modal = { type: 'modal', title: { type: 'plain_text', text: 'Declare' }, blocks: [], callback_id: 'declare' };
  expect(await api('views.open', { view: modal })).toMatchObject({ ok: false, error: 'invalid_arguments' });
  const opened = await api('views.open', { trigger_id: '123.456.abc', view: modal });
  const view = opened.view as { id: string; hash: string };
  expect(opened).toMatchObject({ ok: true, view: { type: 'modal', callback_id: 'declare' } });
  expect(await api('views.update', { view_id: view.id, hash: 'stale', view: modal })).toEqual({ ok: false, error: 'hash_conflict' });
  expect(await api('views.update', { view_id: view.id, hash: view.hash, view: { ...modal, title: { type: 'plain_text', text: 'Declared' } } })).toMatchObject({ ok: true });
  expect(await api('views.publish', { user_id: RITA, view: { type: 'home', blocks: [] } })).toMatchObject({ ok: true, view: { type: 'home' } });

  const sections = sandbox.modules.find((m) => m.vendor === 'slack')!.view();
  expect(sections.map((s) => [s.heading, s.rows.length])).toEqual([
    ['Channels', 1],
    ['Messages', 1],
    ['Bookmarks', 1],
    ['Views', 2],
  ]);
  expect(sections[0]!.rows[0]).toEqual([id, '#inc-4', 'no', '', '', 'muster (bot)', 'no']);

  sandbox.reset();
  expect(sandbox.state().slack).toEqual({ channels: [], messages: [], bookmarks: [], views: [] });
});
