/**
 * The Slack chat provider against the sandbox's Slack emulator, through the real WebClient:
 * idempotency of every method, and how vendor failures become VendorErrors.
 */
import { LogLevel, WebAPIPlatformError, WebClient, type Logger } from '@slack/web-api';
import { slackChatProvider, slackError } from '../../activities/providers/slack';
import type { ChatProvider } from '../../activities/providers/types';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { vendorError } from '../support/vendor';

interface SlackState {
  channels: Array<{ id: string; name: string; is_archived: boolean; topic: { value: string }; purpose: { value: string }; members: string[] }>;
  messages: Array<{ channel: string; ts: string; text: string; subtype?: string; metadata?: { event_type: string; event_payload: Record<string, unknown> } }>;
  bookmarks: Array<{ channel_id: string; title: string; link: string }>;
}

let sandbox: Sandbox;
let chat: ChatProvider;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => {
  sandbox.reset();
  chat = provider();
});

/** The SDK logs failed requests and Slack's [ERROR] messages; the tests assert on them instead. */
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
const provider = (token = sandbox.fixture.credentials.slackBotToken) => slackChatProvider({ token, apiUrl: `${sandbox.url}/api/`, logger: quiet });
const slack = () => sandbox.state().slack as SlackState;
/** The Slack methods called, in order, with the error each answered (if any). */
const calls = () => sandbox.log.find({ vendor: 'slack' }).map((e) => {
  const error = (e.response as { error?: string } | undefined)?.error;
  return error ? `${e.route} -> ${error}` : e.route;
});
const userId = (email: string) => sandbox.fixture.users.find((u) => u.email === email)!.slackId;
const bot = () => sandbox.fixture.slack.botUserId;


describe('ensureChannel', () => {
  test('twice gives one channel: the second create hits name_taken and finds it', async () => {
    const first = await chat.ensureChannel({ name: 'inc-101-db-down', private: false });
    const second = await chat.ensureChannel({ name: 'inc-101-db-down', private: false });

    expect(second).toEqual(first);
    expect(first).toEqual({ id: expect.stringMatching(/^C[0-9A-Z]{8}$/), name: 'inc-101-db-down', url: `https://app.slack.com/client/T0SANDBOX/${first.id}` });
    expect(slack().channels).toHaveLength(1);
    expect(slack().channels[0]!.members).toEqual([bot()]);
    expect(calls()).toEqual(['conversations.create', 'auth.test', 'conversations.create -> name_taken', 'conversations.list']);
    expect(sandbox.log.find({ route: 'conversations.list' })[0]!.body).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'false' });
  });

  test('finds its archived channel and leaves it archived', async () => {
    const made = await chat.ensureChannel({ name: 'inc-102', private: true });
    await chat.archive(made.id);
    const found = await chat.ensureChannel({ name: 'inc-102', private: true });
    expect(found.id).toBe(made.id);
    expect(slack().channels[0]!.is_archived).toBe(true);
  });

  test('uses the configured workspace url without asking auth.test', async () => {
    const configured = slackChatProvider({ token: sandbox.fixture.credentials.slackBotToken, apiUrl: `${sandbox.url}/api/`, workspaceUrl: 'https://acme.slack.com/archives/' });
    const ref = await configured.ensureChannel({ name: 'inc-103', private: false });
    expect(ref.url).toBe(`https://acme.slack.com/archives/${ref.id}`);
    expect(calls()).toEqual(['conversations.create']);
  });

  test('an invalid name is a permanent error', async () => {
    const err = await vendorError(chat.ensureChannel({ name: 'Incident 104!', private: false }));
    expect(err).toMatchObject({ kind: 'permanent', details: { code: 'invalid_name_specials' } });
  });
});

test('setTopic and setPurpose set them', async () => {
  const { id } = await chat.ensureChannel({ name: 'inc-110', private: false });
  await chat.setTopic(id, 'P1 · Database down · IC Ida');
  await chat.setPurpose(id, 'Coordinating INC-110');
  expect(slack().channels[0]).toMatchObject({ topic: { value: 'P1 · Database down · IC Ida' }, purpose: { value: 'Coordinating INC-110' } });
});

describe('inviteByEmail', () => {
  test('invites the people it finds, reports unknown emails, and invites nobody twice', async () => {
    const { id } = await chat.ensureChannel({ name: 'inc-120', private: false });
    sandbox.log.clear();

    const result = await chat.inviteByEmail(id, ['rita@example.com', 'Sam@Example.com', 'nobody@example.com']);
    expect(result).toEqual({ invited: ['rita@example.com', 'sam@example.com'], unknown: ['nobody@example.com'] });
    expect(slack().channels[0]!.members).toEqual([bot(), userId('rita@example.com'), userId('sam@example.com')]);
    expect(calls()).toEqual([
      'users.lookupByEmail',
      'users.lookupByEmail',
      'users.lookupByEmail -> users_not_found',
      'conversations.members',
      'conversations.invite',
    ]);
    expect(sandbox.log.find({ route: 'conversations.invite' })[0]!.body).toMatchObject({ channel: id, users: `${userId('rita@example.com')},${userId('sam@example.com')}` });

    sandbox.log.clear();
    const again = await chat.inviteByEmail(id, ['rita@example.com', 'sam@example.com', 'dana@example.com']);
    expect(again.invited).toEqual(['rita@example.com', 'sam@example.com', 'dana@example.com']);
    expect(sandbox.log.find({ route: 'conversations.invite' }).map((e) => e.body)).toEqual([expect.objectContaining({ users: userId('dana@example.com') })]);
  });

  test('already_in_channel (someone joined meanwhile) counts as success', async () => {
    const { id } = await chat.ensureChannel({ name: 'inc-121', private: false });
    sandbox.faults.add({ vendor: 'slack', route: 'conversations.invite', mode: 'permanent', times: 1, body: { ok: false, error: 'already_in_channel' } });
    await expect(chat.inviteByEmail(id, ['rita@example.com'])).resolves.toEqual({ invited: ['rita@example.com'], unknown: [] });
  });

  test('a channel that does not exist is a permanent error', async () => {
    const err = await vendorError(chat.inviteByEmail('C99999999', ['rita@example.com']));
    expect(err).toMatchObject({ kind: 'permanent', details: { code: 'channel_not_found' } });
  });
});

test('ensureBookmark twice adds one bookmark', async () => {
  const { id } = await chat.ensureChannel({ name: 'inc-130', private: false });
  sandbox.log.clear();
  const bookmark = { title: 'Incident document', link: 'https://docs.google.com/document/d/abc' };
  await chat.ensureBookmark(id, bookmark);
  await chat.ensureBookmark(id, bookmark);
  expect(slack().bookmarks).toEqual([expect.objectContaining({ channel_id: id, ...bookmark })]);
  expect(calls()).toEqual(['bookmarks.list', 'bookmarks.add', 'bookmarks.list']);
});

describe('postMessage', () => {
  test('the same dedupeKey posts once; the retry finds the first post by its metadata', async () => {
    const { id } = await chat.ensureChannel({ name: 'inc-140', private: false });
    sandbox.log.clear();

    const first = await chat.postMessage(id, { text: 'Incident declared', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Incident declared*' } }], dedupeKey: 'declared' });
    const retry = await chat.postMessage(id, { text: 'Incident declared', dedupeKey: 'declared' });
    const other = await chat.postMessage(id, { text: 'Status: mitigated', dedupeKey: 'status-1' });

    expect(retry.ts).toBe(first.ts);
    expect(other.ts).not.toBe(first.ts);
    const posted = slack().messages.filter((m) => m.metadata?.event_type === 'muster');
    expect(posted.map((m) => [m.text, m.metadata!.event_payload.dedupe_key])).toEqual([
      ['Incident declared', 'declared'],
      ['Status: mitigated', 'status-1'],
    ]);
    expect(calls()).toEqual(['conversations.history', 'chat.postMessage', 'conversations.history', 'conversations.history', 'chat.postMessage']);
    expect(sandbox.log.find({ route: 'conversations.history' })[0]!.body).toMatchObject({ include_all_metadata: 'true', limit: '200' });
  });

  test('posting to an archived channel is a permanent is_archived error', async () => {
    const { id } = await chat.ensureChannel({ name: 'inc-141', private: false });
    await chat.archive(id);
    const err = await vendorError(chat.postMessage(id, { text: 'late', dedupeKey: 'late' }));
    expect(err).toMatchObject({ kind: 'permanent', details: { code: 'is_archived' } });
  });
});

test('postEphemeral reaches a member by email and stays out of history', async () => {
  const { id } = await chat.ensureChannel({ name: 'inc-150', private: false });
  await chat.inviteByEmail(id, ['ic@example.com']);
  await chat.postEphemeral(id, 'ic@example.com', 'You are the incident commander');
  const ephemeral = sandbox.log.find({ route: 'chat.postEphemeral' })[0]!;
  expect(ephemeral.body).toMatchObject({ channel: id, user: userId('ic@example.com'), text: 'You are the incident commander' });
  expect(ephemeral.response).toMatchObject({ ok: true });
  const err = await vendorError(chat.postEphemeral(id, 'nobody@example.com', 'hi'));
  expect(err).toMatchObject({ kind: 'permanent', details: { code: 'users_not_found' } });
});

test('archive and unarchive are idempotent', async () => {
  const { id } = await chat.ensureChannel({ name: 'inc-160', private: false });
  sandbox.log.clear();
  await chat.archive(id);
  await chat.archive(id);
  expect(slack().channels[0]!.is_archived).toBe(true);
  await chat.unarchive(id);
  await chat.unarchive(id);
  expect(slack().channels[0]!.is_archived).toBe(false);
  expect(calls()).toEqual(['conversations.archive', 'conversations.archive -> already_archived', 'conversations.unarchive', 'conversations.unarchive -> not_archived']);
});

describe('failures', () => {
  test('a bad token is a permanent error', async () => {
    const err = await vendorError(provider('xoxb-wrong').ensureChannel({ name: 'inc-170', private: false }));
    expect(err).toMatchObject({ vendor: 'slack', operation: 'conversations.create', kind: 'permanent', details: { code: 'invalid_auth' } });
    expect(slack().channels).toHaveLength(0);
  });

  test('server errors are transient until they stop; one channel results', async () => {
    sandbox.faults.add({ vendor: 'slack', route: 'conversations.create', mode: 'fail', times: 3 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const err = await vendorError(chat.ensureChannel({ name: 'inc-171', private: false }));
      expect(err).toMatchObject({ kind: 'transient', details: { status: 503 } });
    }
    const ref = await chat.ensureChannel({ name: 'inc-171', private: false });
    expect(slack().channels.map((c) => c.id)).toEqual([ref.id]);
    expect(sandbox.log.find({ route: 'conversations.create' }).map((e) => e.fault ?? 'ok')).toEqual(['fail', 'fail', 'fail', 'ok']);
  });

  test('a rate limit is rate_limited with Retry-After in milliseconds, and is not retried by the client', async () => {
    sandbox.faults.add({ vendor: 'slack', route: 'conversations.create', mode: 'rateLimit', retryAfterSeconds: 2, times: 1 });
    const started = Date.now();
    const err = await vendorError(chat.ensureChannel({ name: 'inc-172', private: false }));
    expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 2000 } });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(sandbox.log.find({ route: 'conversations.create' })).toHaveLength(1);
  });

  test('a network failure is transient', async () => {
    const gone = slackChatProvider({ token: 'xoxb-any', apiUrl: 'http://127.0.0.1:1/api/', logger: quiet });
    const err = await vendorError(gone.setTopic('C00000001', 'x'));
    expect(err).toMatchObject({ kind: 'transient' });
  });

  test('a missing required argument is invalid_arguments, as Slack answers it', async () => {
    const client = new WebClient(sandbox.fixture.credentials.slackBotToken, { slackApiUrl: `${sandbox.url}/api/`, retryConfig: { retries: 0 }, logger: quiet });
    const err: unknown = await client.apiCall('conversations.setTopic', { topic: 'no channel' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebAPIPlatformError);
    expect((err as WebAPIPlatformError).data).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: channel'] },
    });
    expect(slackError('conversations.setTopic', err)).toMatchObject({ kind: 'permanent', details: { code: 'invalid_arguments' } });
  });
});
