/**
 * Slack Web API emulator: the methods Muster calls, answered the way Slack answers them. Slack
 * reports errors as HTTP 200 `{ok:false,error}`, takes arguments as form fields (structured ones
 * as JSON text, lists as comma lists) or JSON, and the token as a bearer header or a `token`
 * field. State (channels, messages, bookmarks, views) lives until reset().
 */
import type { Handler, Ids, Router, SandboxRequest, VendorModule, ViewSection } from './core';
import type { SandboxFixture } from './fixture';

/** A Slack error answer; methods throw it and `answer` turns it into `{ok:false,...}`. */
class SlackFailure extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

/** Slack's answer to a missing or malformed argument. */
const invalidArguments = (message: string) => new SlackFailure('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message}`] } });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One call's arguments: query and body merged, read the way Slack reads them. */
class Args {
  constructor(private readonly values: Record<string, unknown>) {}

  /** Slack treats an empty value as absent. */
  optional(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw invalidArguments(`missing required field: ${name}`);
    return value;
  }

  bool(name: string, fallback = false): boolean {
    const value = this.optional(name);
    return value === undefined ? fallback : value === 'true' || value === '1';
  }

  /** A page size: Slack uses its default for missing or non-positive limits and caps large ones. */
  limit(name: string, fallback: number, max: number): number {
    const value = Number(this.optional(name));
    return Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), max) : fallback;
  }

  /** Lists arrive as comma-separated text, JSON array text, or (JSON bodies) arrays. */
  list(name: string): string[] {
    const raw = this.values[name];
    if (Array.isArray(raw)) return raw.map(String);
    const text = this.optional(name);
    if (text === undefined) return [];
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed.map(String);
      } catch {
        // Not JSON after all: read it as a comma list like Slack does.
      }
    }
    return text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }

  /** Structured fields (blocks, metadata, view) are JSON text in forms and plain values in JSON bodies. */
  json(name: string, onBadJson: () => SlackFailure): unknown {
    const raw = this.values[name];
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string') return raw;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw onBadJson();
    }
  }
}

interface TopicOrPurpose {
  value: string;
  creator: string;
  last_set: number;
}

interface Channel {
  id: string;
  name: string;
  isPrivate: boolean;
  created: number;
  creator: string;
  archived: boolean;
  topic: TopicOrPurpose;
  purpose: TopicOrPurpose;
  /** User ids in the order they joined. */
  members: string[];
  /** A direct-message conversation between the bot and one person (conversations.open). */
  isIm?: boolean;
}

interface Message {
  channel: string;
  ts: string;
  user: string;
  text: string;
  subtype?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: unknown };
  threadTs?: string;
  edited?: { user: string; ts: string };
  reactions: Array<{ name: string; users: string[] }>;
  /** Set for chat.postEphemeral: only this user saw it, and history never shows it. */
  ephemeralTo?: string;
}

interface Bookmark {
  id: string;
  channel_id: string;
  title: string;
  link: string;
  emoji: string;
  type: 'link';
  date_created: number;
  date_updated: number;
  rank: string;
  last_updated_by_user_id: string;
}

interface View {
  id: string;
  type: string;
  /** The user a home tab is published for, or who opened the modal (unknown here). */
  userId?: string;
  externalId?: string;
  hash: string;
  body: Record<string, unknown>;
}

interface State {
  channels: Map<string, Channel>;
  messages: Message[];
  /** The same messages by channel, oldest first: history and look-ups need not scan every channel's. */
  byChannel: Map<string, Message[]>;
  bookmarks: Bookmark[];
  views: Map<string, View>;
  /** Message timestamps count up from a fixed instant so runs are repeatable. */
  tick: number;
  /** What apps posted to response_urls (/_sandbox/response/<id>), oldest first. */
  responses?: Array<{ id: string; body: unknown }>;
}

const freshState = (): State => ({ channels: new Map(), messages: [], byChannel: new Map(), bookmarks: [], views: new Map(), tick: 0 });

const BOT_ID = 'B0MUSTERAPP';
const APP_ID = 'A0MUSTERAPP';
const FIRST_TS_SECONDS = 1733240000;
const NAME_MAX = 80;
const TOPIC_MAX = 250;
const TEXT_MAX = 40_000;
const BLOCKS_MAX = 50;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Slack cursors are opaque base64; ours carry the offset of the next page. */
const encodeCursor = (offset: number) => Buffer.from(`next:${offset}`).toString('base64');
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^next:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) throw new SlackFailure('invalid_cursor');
  return Number(match[1]);
}

function page<T>(items: T[], args: Args, fallback: number, max: number): { items: T[]; nextCursor: string } {
  const offset = decodeCursor(args.optional('cursor'));
  const limit = args.limit('limit', fallback, max);
  const end = offset + limit;
  return { items: items.slice(offset, end), nextCursor: end < items.length ? encodeCursor(end) : '' };
}

/** Slack's channel-name rules, checked in the order Slack reports them. */
function checkChannelName(name: string): void {
  if (name.length > NAME_MAX) throw new SlackFailure('invalid_name_maxlength');
  if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackFailure('invalid_name_specials');
  if (!/[a-z0-9]/.test(name)) throw new SlackFailure('invalid_name_punctuation');
}

/** Blocks must be a JSON array of objects with a type. */
function checkBlocks(blocks: unknown): unknown[] | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) throw new SlackFailure('invalid_blocks_format');
  if (blocks.length > BLOCKS_MAX || !blocks.every((b) => isRecord(b) && typeof b.type === 'string')) throw new SlackFailure('invalid_blocks');
  return blocks;
}

function checkMetadata(metadata: unknown): Message['metadata'] {
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata) || typeof metadata.event_type !== 'string' || (metadata.event_payload !== undefined && !isRecord(metadata.event_payload))) {
    throw new SlackFailure('invalid_metadata_schema');
  }
  return { event_type: metadata.event_type, event_payload: metadata.event_payload ?? {} };
}

function checkView(view: unknown, allowed: string[]): Record<string, unknown> {
  if (view === undefined) throw invalidArguments('missing required field: view');
  if (!isRecord(view) || typeof view.type !== 'string' || !allowed.includes(view.type)) {
    throw invalidArguments('failed to match all allowed schemas [json-pointer:/view]');
  }
  if (view.type === 'modal' && !isRecord(view.title)) throw invalidArguments('must provide an object [json-pointer:/view/title]');
  if (!Array.isArray(view.blocks)) throw invalidArguments('must provide an array [json-pointer:/view/blocks]');
  return view;
}

export function slackModule(fixture: SandboxFixture, ids: Ids): VendorModule {
  const { teamId, teamName, botUserId: bot } = fixture.slack;
  let state = freshState();

  const people = new Map(
    fixture.users.map((u) => [
      u.slackId,
      {
        id: u.slackId,
        team_id: teamId,
        name: u.email.split('@')[0]!,
        real_name: u.name,
        deleted: false,
        is_bot: false,
        profile: { email: u.email, real_name: u.name, display_name: u.name.split(' ')[0]! },
      },
    ]),
  );
  const botUser = { id: bot, team_id: teamId, name: 'muster', real_name: 'Muster', deleted: false, is_bot: true, profile: { real_name: 'Muster', display_name: 'Muster', bot_id: BOT_ID } };
  const userById = (id: string) => (id === bot ? botUser : people.get(id));
  const emailOf = (id: string) => (id === bot ? 'muster (bot)' : (people.get(id)?.profile.email ?? id));

  const nextTs = () => {
    const n = ++state.tick;
    return `${FIRST_TS_SECONDS + Math.floor(n / 10_000)}.${String((n % 10_000) * 100).padStart(6, '0')}`;
  };

  /** A channel the bot can see: public ones, and private ones it belongs to. */
  function channelOf(id: string): Channel {
    const channel = state.channels.get(id);
    if (!channel || (channel.isPrivate && !channel.members.includes(bot))) throw new SlackFailure('channel_not_found');
    return channel;
  }
  function openChannel(id: string): Channel {
    const channel = channelOf(id);
    if (channel.archived) throw new SlackFailure('is_archived');
    return channel;
  }

  function channelJson(c: Channel, withCount = false) {
    return {
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      is_channel: true,
      is_group: false,
      is_im: c.isIm ?? false,
      is_mpim: false,
      is_private: c.isPrivate,
      created: c.created,
      creator: c.creator,
      is_archived: c.archived,
      is_general: false,
      is_shared: false,
      is_ext_shared: false,
      is_org_shared: false,
      is_member: c.members.includes(bot),
      topic: c.topic,
      purpose: c.purpose,
      previous_names: [],
      ...(withCount ? { num_members: c.members.length } : {}),
    };
  }

  function messageJson(m: Message, withMetadata: boolean) {
    return {
      type: 'message',
      ...(m.subtype ? { subtype: m.subtype } : {}),
      user: m.user,
      text: m.text,
      ts: m.ts,
      team: teamId,
      ...(m.user === bot ? { bot_id: BOT_ID, app_id: APP_ID } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      ...(m.reactions.length ? { reactions: m.reactions.map((r) => ({ name: r.name, users: r.users, count: r.users.length })) } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  function addMessage(message: Message): void {
    state.messages.push(message);
    const inChannel = state.byChannel.get(message.channel);
    if (inChannel) inChannel.push(message);
    else state.byChannel.set(message.channel, [message]);
  }
  const messagesIn = (channelId: string): Message[] => state.byChannel.get(channelId) ?? [];

  /** Slack records joins, topic changes and archiving as messages in the channel. */
  function systemMessage(channel: Channel, user: string, subtype: string, text: string): void {
    addMessage({ channel: channel.id, ts: nextTs(), user, text, subtype, reactions: [] });
  }

  function findMessage(channelId: string, ts: string): Message {
    const message = messagesIn(channelId).find((m) => m.ts === ts && !m.ephemeralTo);
    if (!message) throw new SlackFailure('message_not_found');
    return message;
  }

  /** chat.postMessage takes a channel id or a name (#incidents). */
  function channelByIdOrName(ref: string): Channel {
    if (state.channels.has(ref)) return openChannel(ref);
    const byName = [...state.channels.values()].find((c) => c.name === ref.replace(/^#/, ''));
    return openChannel(byName?.id ?? ref);
  }

  const topicOrPurpose = (value: string): TopicOrPurpose => ({ value, creator: value ? bot : '', last_set: value ? nowSeconds() : 0 });

  function storeView(body: Record<string, unknown>, id: string, userId?: string): Record<string, unknown> {
    const externalId = typeof body.external_id === 'string' ? body.external_id : undefined;
    const view: View = { id, type: String(body.type), userId, externalId, hash: `${nowSeconds()}.${ids.next('h', 8)}`, body };
    state.views.set(id, view);
    return viewJson(view);
  }

  function viewJson(v: View) {
    return {
      id: v.id,
      team_id: teamId,
      type: v.type,
      title: v.body.title,
      blocks: v.body.blocks,
      close: v.body.close ?? null,
      submit: v.body.submit ?? null,
      private_metadata: v.body.private_metadata ?? '',
      callback_id: v.body.callback_id ?? '',
      external_id: v.externalId ?? '',
      state: { values: {} },
      hash: v.hash,
      clear_on_close: v.body.clear_on_close ?? false,
      notify_on_close: v.body.notify_on_close ?? false,
      root_view_id: v.id,
      previous_view_id: null,
      app_id: APP_ID,
      bot_id: BOT_ID,
      app_installed_team_id: teamId,
    };
  }

  const methods: Record<string, (args: Args) => Record<string, unknown>> = {
    'auth.test': () => ({
      url: `https://${teamName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.slack.com/`,
      team: teamName,
      user: botUser.name,
      team_id: teamId,
      user_id: bot,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    }),

    'conversations.create': (args) => {
      const name = args.optional('name');
      if (name === undefined) throw new SlackFailure('invalid_name_required');
      checkChannelName(name);
      // Archived channels keep their names, so they still count.
      if ([...state.channels.values()].some((c) => c.name === name)) throw new SlackFailure('name_taken');
      const channel: Channel = {
        id: ids.next('C', 8),
        name,
        isPrivate: args.bool('is_private'),
        created: nowSeconds(),
        creator: bot,
        archived: false,
        topic: topicOrPurpose(''),
        purpose: topicOrPurpose(''),
        members: [bot],
      };
      state.channels.set(channel.id, channel);
      systemMessage(channel, bot, 'channel_join', `<@${bot}> has joined the channel`);
      return { channel: channelJson(channel) };
    },

    'conversations.open': (args) => {
      const users = args.list('users');
      if (users.length !== 1) throw invalidArguments('users must name exactly one user (group DMs are not emulated)');
      const user = users[0]!;
      if (!people.has(user)) throw new SlackFailure('user_not_found');
      const existing = [...state.channels.values()].find((c) => c.isIm && c.members.includes(user));
      if (existing) return { no_op: true, already_open: true, channel: { id: existing.id } };
      const channel: Channel = {
        id: ids.next('D', 8),
        name: user,
        isPrivate: true,
        created: nowSeconds(),
        creator: bot,
        archived: false,
        topic: topicOrPurpose(''),
        purpose: topicOrPurpose(''),
        members: [bot, user],
        isIm: true,
      };
      state.channels.set(channel.id, channel);
      return { channel: { id: channel.id } };
    },

    'conversations.info': (args) => ({ channel: channelJson(channelOf(args.required('channel')), args.bool('include_num_members')) }),

    'conversations.list': (args) => {
      const types = args.list('types');
      const wanted = new Set(types.length ? types : ['public_channel']);
      const excludeArchived = args.bool('exclude_archived');
      const visible = [...state.channels.values()].filter(
        (c) =>
          !c.isIm &&
          (c.isPrivate ? wanted.has('private_channel') && c.members.includes(bot) : wanted.has('public_channel')) && !(excludeArchived && c.archived),
      );
      const { items, nextCursor } = page(visible, args, 100, 1000);
      return { channels: items.map((c) => channelJson(c, true)), response_metadata: { next_cursor: nextCursor } };
    },

    'conversations.members': (args) => {
      const channel = channelOf(args.required('channel'));
      const { items, nextCursor } = page(channel.members, args, 100, 1000);
      return { members: items, response_metadata: { next_cursor: nextCursor } };
    },

    'conversations.invite': (args) => {
      const channel = openChannel(args.required('channel'));
      const users = args.list('users');
      if (users.length === 0) throw invalidArguments('missing required field: users');
      if (users.includes(bot)) throw new SlackFailure('cant_invite_self');
      const unknown = users.filter((id) => !people.has(id));
      if (unknown.length) throw new SlackFailure('user_not_found', { errors: unknown.map((user) => ({ user, ok: false, error: 'user_not_found' })) });
      const fresh = [...new Set(users)].filter((id) => !channel.members.includes(id));
      if (fresh.length === 0) throw new SlackFailure('already_in_channel', { errors: users.map((user) => ({ user, ok: false, error: 'already_in_channel' })) });
      for (const id of fresh) {
        channel.members.push(id);
        systemMessage(channel, id, 'channel_join', `<@${id}> has joined the channel`);
      }
      return { channel: channelJson(channel) };
    },

    'conversations.kick': (args) => {
      const channel = openChannel(args.required('channel'));
      const user = args.required('user');
      if (user === bot) throw new SlackFailure('cant_kick_self');
      if (!people.has(user)) throw new SlackFailure('user_not_found');
      if (!channel.members.includes(user)) throw new SlackFailure('not_in_channel');
      channel.members = channel.members.filter((id) => id !== user);
      systemMessage(channel, user, 'channel_leave', `<@${user}> has left the channel`);
      return {};
    },

    'conversations.setTopic': (args) => {
      const channel = openChannel(args.required('channel'));
      const topic = args.optional('topic') ?? '';
      if (topic.length > TOPIC_MAX) throw new SlackFailure('too_long');
      channel.topic = topicOrPurpose(topic);
      systemMessage(channel, bot, 'channel_topic', `set the channel topic: ${topic}`);
      return { channel: channelJson(channel) };
    },

    'conversations.setPurpose': (args) => {
      const channel = openChannel(args.required('channel'));
      const purpose = args.optional('purpose') ?? '';
      if (purpose.length > TOPIC_MAX) throw new SlackFailure('too_long');
      channel.purpose = topicOrPurpose(purpose);
      systemMessage(channel, bot, 'channel_purpose', `set the channel description: ${purpose}`);
      return { channel: channelJson(channel) };
    },

    'conversations.archive': (args) => {
      const channel = channelOf(args.required('channel'));
      if (channel.archived) throw new SlackFailure('already_archived');
      systemMessage(channel, bot, 'channel_archive', 'archived the channel');
      channel.archived = true;
      return {};
    },

    'conversations.unarchive': (args) => {
      const channel = channelOf(args.required('channel'));
      if (!channel.archived) throw new SlackFailure('not_archived');
      channel.archived = false;
      systemMessage(channel, bot, 'channel_unarchive', 'un-archived the channel');
      return {};
    },

    'conversations.history': (args) => {
      const channel = channelOf(args.required('channel'));
      const withMetadata = args.bool('include_all_metadata');
      const inclusive = args.bool('inclusive');
      const oldest = Number(args.optional('oldest') ?? 0);
      const latest = Number(args.optional('latest') ?? Infinity);
      // Newest first, top-level messages only (thread replies live in conversations.replies).
      const messages = messagesIn(channel.id)
        .filter((m) => !m.ephemeralTo && (!m.threadTs || m.threadTs === m.ts))
        .filter((m) => {
          const ts = Number(m.ts);
          return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
        })
        .reverse();
      const { items, nextCursor } = page(messages, args, 100, 999);
      return { messages: items.map((m) => messageJson(m, withMetadata)), has_more: nextCursor !== '', pin_count: 0, response_metadata: { next_cursor: nextCursor } };
    },

    'chat.postMessage': (args) => {
      const channel = channelByIdOrName(args.required('channel'));
      const text = args.optional('text');
      const blocks = checkBlocks(args.json('blocks', () => new SlackFailure('invalid_blocks_format')));
      if (text === undefined && blocks === undefined && args.optional('attachments') === undefined) throw new SlackFailure('no_text');
      if ((text?.length ?? 0) > TEXT_MAX) throw new SlackFailure('msg_too_long');
      const metadata = checkMetadata(args.json('metadata', () => new SlackFailure('invalid_metadata_format')));
      const threadTs = args.optional('thread_ts');
      if (threadTs !== undefined) findMessage(channel.id, threadTs);
      const message: Message = { channel: channel.id, ts: nextTs(), user: bot, text: text ?? '', blocks, metadata, threadTs, reactions: [] };
      addMessage(message);
      return { channel: channel.id, ts: message.ts, message: messageJson(message, true) };
    },

    'chat.postEphemeral': (args) => {
      const channel = channelByIdOrName(args.required('channel'));
      const user = args.required('user');
      const text = args.optional('text');
      const blocks = checkBlocks(args.json('blocks', () => new SlackFailure('invalid_blocks_format')));
      if (text === undefined && blocks === undefined) throw new SlackFailure('no_text');
      if (!people.has(user)) throw new SlackFailure('user_not_found');
      if (!channel.members.includes(user)) throw new SlackFailure('user_not_in_channel');
      const message: Message = { channel: channel.id, ts: nextTs(), user: bot, text: text ?? '', blocks, reactions: [], ephemeralTo: user };
      addMessage(message);
      return { message_ts: message.ts };
    },

    'chat.update': (args) => {
      const channel = openChannel(args.required('channel'));
      const message = findMessage(channel.id, args.required('ts'));
      if (message.user !== bot || message.subtype) throw new SlackFailure('cant_update_message');
      const text = args.optional('text');
      const blocks = checkBlocks(args.json('blocks', () => new SlackFailure('invalid_blocks_format')));
      const metadata = checkMetadata(args.json('metadata', () => new SlackFailure('invalid_metadata_format')));
      if (text === undefined && blocks === undefined) throw new SlackFailure('no_text');
      if ((text?.length ?? 0) > TEXT_MAX) throw new SlackFailure('msg_too_long');
      if (text !== undefined) message.text = text;
      if (blocks !== undefined) message.blocks = blocks;
      if (metadata !== undefined) message.metadata = metadata;
      message.edited = { user: bot, ts: nextTs() };
      return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(message, true) };
    },

    'bookmarks.add': (args) => {
      const channel = openChannel(args.required('channel_id'));
      const title = args.required('title');
      if (args.required('type') !== 'link') throw new SlackFailure('invalid_bookmark_type');
      const link = args.required('link');
      if (!/^https?:\/\/\S+$/.test(link)) throw new SlackFailure('invalid_link');
      const now = nowSeconds();
      const bookmark: Bookmark = {
        id: ids.next('Bk', 9),
        channel_id: channel.id,
        title,
        link,
        emoji: args.optional('emoji') ?? '',
        type: 'link',
        date_created: now,
        date_updated: now,
        rank: String.fromCharCode(97 + (state.bookmarks.filter((b) => b.channel_id === channel.id).length % 26)),
        last_updated_by_user_id: bot,
      };
      state.bookmarks.push(bookmark);
      return { bookmark };
    },

    'bookmarks.list': (args) => {
      const channel = channelOf(args.required('channel_id'));
      return { bookmarks: state.bookmarks.filter((b) => b.channel_id === channel.id) };
    },

    'users.lookupByEmail': (args) => {
      const email = args.required('email').toLowerCase();
      const user = [...people.values()].find((u) => u.profile.email.toLowerCase() === email);
      if (!user) throw new SlackFailure('users_not_found');
      return { user };
    },

    'users.info': (args) => {
      const user = userById(args.required('user'));
      if (!user) throw new SlackFailure('user_not_found');
      return { user };
    },

    'views.open': (args) => {
      if (args.optional('trigger_id') === undefined && args.optional('interactivity_pointer') === undefined) throw invalidArguments('missing required field: trigger_id');
      const body = checkView(args.json('view', () => invalidArguments('invalid json [json-pointer:/view]')), ['modal']);
      return { view: storeView(body, ids.next('V', 10)) };
    },

    'views.update': (args) => {
      const viewId = args.optional('view_id');
      const externalId = args.optional('external_id');
      if (viewId === undefined && externalId === undefined) throw invalidArguments('missing required field: view_id');
      const existing = viewId !== undefined ? state.views.get(viewId) : [...state.views.values()].find((v) => v.externalId === externalId);
      if (!existing) throw new SlackFailure('not_found');
      const hash = args.optional('hash');
      if (hash !== undefined && hash !== existing.hash) throw new SlackFailure('hash_conflict');
      const body = checkView(args.json('view', () => invalidArguments('invalid json [json-pointer:/view]')), [existing.type]);
      return { view: storeView(body, existing.id, existing.userId) };
    },

    'views.publish': (args) => {
      const userId = args.required('user_id');
      if (!people.has(userId)) throw new SlackFailure('user_not_found');
      const body = checkView(args.json('view', () => invalidArguments('invalid json [json-pointer:/view]')), ['home']);
      const existing = [...state.views.values()].find((v) => v.type === 'home' && v.userId === userId);
      const hash = args.optional('hash');
      if (existing && hash !== undefined && hash !== existing.hash) throw new SlackFailure('hash_conflict');
      return { view: storeView(body, existing?.id ?? ids.next('V', 10), userId) };
    },

    // Not called by Muster; it lets a test give a message reactions for reactions.get to find.
    'reactions.add': (args) => {
      const message = findMessage(openChannel(args.required('channel')).id, args.required('timestamp'));
      const name = args.required('name');
      const reaction = message.reactions.find((r) => r.name === name);
      if (reaction?.users.includes(bot)) throw new SlackFailure('already_reacted');
      if (reaction) reaction.users.push(bot);
      else message.reactions.push({ name, users: [bot] });
      return {};
    },

    'reactions.get': (args) => {
      const channel = channelOf(args.required('channel'));
      const message = findMessage(channel.id, args.required('timestamp'));
      return { type: 'message', channel: channel.id, message: messageJson(message, false) };
    },
  };

  function authError(request: SandboxRequest, args: Args): SlackFailure | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ?? args.optional('token');
    if (token === undefined) return new SlackFailure('not_authed');
    return token === fixture.credentials.slackBotToken ? undefined : new SlackFailure('invalid_auth');
  }

  const answer =
    (method: ((args: Args) => Record<string, unknown>) | undefined): Handler =>
    (request) => {
      // Slack reads arguments from the query string too; body fields win.
      const args = new Args({ ...Object.fromEntries(request.query), ...(isRecord(request.body) ? request.body : {}) });
      try {
        const denied = authError(request, args);
        if (denied) throw denied;
        if (!method) throw new SlackFailure('unknown_method');
        return { body: { ok: true, ...method(args) } };
      } catch (err) {
        if (err instanceof SlackFailure) return { body: { ok: false, error: err.error, ...err.extra } };
        throw err;
      }
    };

  const memberNames = (c: Channel) => c.members.map(emailOf).join(', ');
  const channelName = (id: string) => `#${state.channels.get(id)?.name ?? id}`;

  return {
    vendor: 'slack',

    register(router: Router) {
      for (const [name, method] of Object.entries(methods)) {
        // The SDK always POSTs; curl users and some tools send GET with a query string.
        router.add('slack', 'POST', `/api/${name}`, answer(method), name);
        router.add('slack', 'GET', `/api/${name}`, answer(method), name);
      }
      // A response_url: tests hand the app /_sandbox/response/<any id> and read what it posted.
      router.add('slack', 'POST', '/_sandbox/response/:id', (request) => {
        (state.responses ??= []).push({ id: request.params.id!, body: request.body });
        return { body: { ok: true } };
      }, 'response_url');
      // Anything else under /api/ gets Slack's own answer, so a missing emulation is plain in the log.
      router.add('slack', 'POST', '/api/:method', answer(undefined), 'unknown_method');
    },

    reset() {
      state = freshState();
    },

    view(): ViewSection[] {
      const channels = [...state.channels.values()];
      return [
        {
          heading: 'Channels',
          columns: ['Id', 'Name', 'Private', 'Topic', 'Purpose', 'Members', 'Archived'],
          rows: channels.map((c) => [c.id, `#${c.name}`, c.isPrivate ? 'yes' : 'no', c.topic.value, c.purpose.value, memberNames(c), c.archived ? 'yes' : 'no']),
        },
        {
          heading: 'Messages',
          columns: ['Channel', 'Ts', 'From', 'Text', 'Ephemeral to'],
          rows: state.messages.map((m) => [
            channelName(m.channel),
            m.ts,
            emailOf(m.user),
            m.text || (m.blocks ? `(${m.blocks.length} blocks)` : ''),
            m.ephemeralTo ? emailOf(m.ephemeralTo) : '',
          ]),
        },
        {
          heading: 'Bookmarks',
          columns: ['Channel', 'Title', 'Link'],
          rows: state.bookmarks.map((b) => [channelName(b.channel_id), b.title, b.link]),
        },
        {
          heading: 'Views',
          columns: ['Id', 'Type', 'For', 'Title', 'Callback id'],
          rows: [...state.views.values()].map((v) => [
            v.id,
            v.type,
            v.userId ? emailOf(v.userId) : '',
            isRecord(v.body.title) ? String(v.body.title.text ?? '') : '',
            String(v.body.callback_id ?? ''),
          ]),
        },
      ];
    },

    snapshot() {
      return {
        channels: [...state.channels.values()].map((c) => ({ ...channelJson(c, true), members: [...c.members] })),
        messages: state.messages.map((m) => ({ channel: m.channel, ...messageJson(m, true), ...(m.ephemeralTo ? { ephemeral_to: m.ephemeralTo } : {}) })),
        bookmarks: state.bookmarks.map((b) => ({ ...b })),
        views: [...state.views.values()].map(viewJson),
        ...(state.responses?.length ? { responses: [...state.responses] } : {}),
      };
    },
  };
}
