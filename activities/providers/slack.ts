/**
 * ChatProvider on Slack through the official WebClient. The client neither retries nor waits
 * out rate limits: Temporal retries activities, and a 429 becomes a rate_limited VendorError
 * carrying Retry-After. Every method finds what an earlier attempt did before acting.
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type KnownBlock,
  type Logger,
  type WebAPICallResult,
} from '@slack/web-api';
import { classifyStatus, retryAfterMs, VendorError, type VendorErrorKind } from '../errors';
import type { ChannelRef, ChatProvider } from './types';

export interface SlackConfig {
  /** Bot token (xoxb-...). */
  token: string;
  /** Default https://slack.com/api/ (the sandbox: http://127.0.0.1:PORT/api/). */
  apiUrl?: string;
  /** Base of channel links; default https://app.slack.com/client/<teamId>, the team resolved once via auth.test. */
  workspaceUrl?: string;
  /** Where the SDK's own warnings go (default: its console logger). */
  logger?: Logger;
}

/** Where the dedupe key of a posted message lives (message metadata). */
const DEDUPE_EVENT_TYPE = 'muster';
/** How far back postMessage looks for an earlier attempt's message. */
const DEDUPE_LOOKBACK = 200;
const PAGE_SIZE = 200;

/** Slack platform errors that mean "try again later" rather than "this request is wrong". */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Maps any error from the Slack SDK to a VendorError; anything else is returned as is (Temporal retries it). */
export function slackError(operation: string, err: unknown): unknown {
  if (err instanceof VendorError) return err;
  if (err instanceof WebAPIRateLimitedError) {
    return new VendorError('slack', operation, 'rate_limited', `rate limited; retry after ${err.retryAfter}s`, {
      status: 429,
      retryAfterMs: err.retryAfter * 1000,
    });
  }
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    const kind: VendorErrorKind = code === 'ratelimited' ? 'rate_limited' : TRANSIENT_ERRORS.has(code) ? 'transient' : 'permanent';
    const details = err.data.response_metadata?.messages?.join('; ');
    return new VendorError('slack', operation, kind, details ? `${code} (${details})` : code, { code });
  }
  if (err instanceof WebAPIHTTPError) {
    return new VendorError('slack', operation, classifyStatus(err.statusCode), `HTTP ${err.statusCode} ${err.statusMessage}`, {
      status: err.statusCode,
      retryAfterMs: retryAfterMs(err.headers['retry-after']),
    });
  }
  if (err instanceof WebAPIRequestError) return new VendorError('slack', operation, 'transient', err.original.message);
  return err;
}

interface SlackChannel {
  id: string;
  name: string;
}

interface SlackMessage {
  ts: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export function slackChatProvider(config: SlackConfig): ChatProvider {
  const client = new WebClient(config.token, {
    slackApiUrl: config.apiUrl ?? 'https://slack.com/api/',
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    ...(config.logger ? { logger: config.logger } : {}),
  });

  /** One Web API call; Slack errors named in `tolerated` resolve to undefined instead of throwing. */
  async function call<T extends WebAPICallResult>(operation: string, run: () => Promise<T>, tolerated: string[] = []): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      const mapped = slackError(operation, err);
      if (mapped instanceof VendorError && mapped.details.code !== undefined && tolerated.includes(mapped.details.code)) return undefined;
      throw mapped;
    }
  }
  const must = async <T extends WebAPICallResult>(operation: string, run: () => Promise<T>): Promise<T> => (await call(operation, run))!;

  let workspaceUrl: Promise<string> | undefined;
  function channelUrl(channelId: string): Promise<string> {
    if (config.workspaceUrl) return Promise.resolve(`${config.workspaceUrl.replace(/\/+$/, '')}/${channelId}`);
    if (!workspaceUrl) {
      const lookup = must('auth.test', () => client.auth.test()).then((auth) => `https://app.slack.com/client/${auth.team_id}`);
      workspaceUrl = lookup;
      // A failed lookup is not remembered: the next attempt asks again.
      void lookup.catch(() => {
        if (workspaceUrl === lookup) workspaceUrl = undefined;
      });
    }
    return workspaceUrl.then((base) => `${base}/${channelId}`);
  }

  const ref = async (channel: SlackChannel): Promise<ChannelRef> => ({ id: channel.id, name: channel.name, url: await channelUrl(channel.id) });

  /** The channel with this name, archived ones included; private ones only if the bot is in them. */
  async function findChannel(name: string): Promise<SlackChannel | undefined> {
    let cursor: string | undefined;
    do {
      const page = await must('conversations.list', () =>
        client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: false, limit: 1000, cursor }),
      );
      const found = page.channels?.find((c) => c.name === name);
      if (found?.id && found.name) return { id: found.id, name: found.name };
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  async function members(channelId: string): Promise<Set<string>> {
    const all = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await must('conversations.members', () => client.conversations.members({ channel: channelId, limit: PAGE_SIZE, cursor }));
      for (const id of page.members ?? []) all.add(id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  /** The Slack user id for an email, or undefined when no account has it. */
  async function userIdByEmail(email: string): Promise<string | undefined> {
    const found = await call('users.lookupByEmail', () => client.users.lookupByEmail({ email }), ['users_not_found', 'user_not_found']);
    return found?.user?.id;
  }

  return {
    async ensureChannel({ name, private: isPrivate }) {
      const created = await call('conversations.create', () => client.conversations.create({ name, is_private: isPrivate }), ['name_taken']);
      if (created?.channel?.id && created.channel.name) return ref({ id: created.channel.id, name: created.channel.name });
      // Taken: most likely by an earlier attempt of ours. Return it as found (even archived);
      // unarchiving is the caller's decision.
      const existing = await findChannel(name);
      if (!existing) {
        throw new VendorError('slack', 'conversations.create', 'permanent', `the name #${name} is taken by a channel the bot cannot see`, { code: 'name_taken' });
      }
      return ref(existing);
    },

    async setTopic(channelId, topic) {
      await must('conversations.setTopic', () => client.conversations.setTopic({ channel: channelId, topic }));
    },

    async setPurpose(channelId, purpose) {
      await must('conversations.setPurpose', () => client.conversations.setPurpose({ channel: channelId, purpose }));
    },

    /** `invited` lists everyone now in the channel, including those an earlier attempt invited. */
    async inviteByEmail(channelId, emails) {
      const invited: string[] = [];
      const unknown: string[] = [];
      const userIds: string[] = [];
      const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
      // Look-ups and the member list do not depend on each other: ask for them together.
      const [ids, present] = await Promise.all([Promise.all(unique.map((email) => userIdByEmail(email))), members(channelId)]);
      unique.forEach((email, i) => {
        const id = ids[i];
        if (id) {
          invited.push(email);
          userIds.push(id);
        } else unknown.push(email);
      });
      if (userIds.length === 0) return { invited, unknown };
      const missing = userIds.filter((id) => !present.has(id));
      // already_in_channel: someone joined between our look and the invite; that is the goal anyway.
      if (missing.length) await call('conversations.invite', () => client.conversations.invite({ channel: channelId, users: missing.join(',') }), ['already_in_channel']);
      return { invited, unknown };
    },

    async ensureBookmark(channelId, { title, link }) {
      const listed = await must('bookmarks.list', () => client.bookmarks.list({ channel_id: channelId }));
      if (listed.bookmarks?.some((b) => b.link === link)) return;
      await must('bookmarks.add', () => client.bookmarks.add({ channel_id: channelId, title, type: 'link', link }));
    },

    async postMessage(channelId, { text, blocks, dedupeKey, eventType = DEDUPE_EVENT_TYPE }) {
      const history = await must('conversations.history', () =>
        client.conversations.history({ channel: channelId, limit: DEDUPE_LOOKBACK, include_all_metadata: true }),
      );
      const earlier = (history.messages as SlackMessage[] | undefined)?.find(
        (m) => m.metadata?.event_type === eventType && m.metadata.event_payload?.dedupe_key === dedupeKey,
      );
      if (earlier) return { ts: earlier.ts };
      const posted = await must('chat.postMessage', () =>
        client.chat.postMessage({
          channel: channelId,
          text,
          ...(blocks ? { blocks: blocks as KnownBlock[] } : {}),
          metadata: { event_type: eventType, event_payload: { dedupe_key: dedupeKey } },
        }),
      );
      return { ts: posted.ts! };
    },

    /** Ephemeral messages leave no trace to find, so a retry may show the person the note twice. */
    async postEphemeral(channelId, email, text) {
      const user = await userIdByEmail(email);
      if (!user) throw new VendorError('slack', 'chat.postEphemeral', 'permanent', `no Slack account for ${email}`, { code: 'users_not_found' });
      await must('chat.postEphemeral', () => client.chat.postEphemeral({ channel: channelId, user, text }));
    },

    async archive(channelId) {
      await call('conversations.archive', () => client.conversations.archive({ channel: channelId }), ['already_archived']);
    },

    async unarchive(channelId) {
      await call('conversations.unarchive', () => client.conversations.unarchive({ channel: channelId }), ['not_archived']);
    },

    /** The bot's direct-message conversation with the person, deduplicated like any channel post. */
    async postDirectMessage(email, message) {
      const user = await userIdByEmail(email);
      if (!user) return undefined;
      const opened = await must('conversations.open', () => client.conversations.open({ users: user }));
      return this.postMessage(opened.channel!.id!, message);
    },

    async findUser(email) {
      const id = await userIdByEmail(email);
      return id ? { id } : undefined;
    },

    async findChannel(name) {
      const found = await findChannel(name);
      return found ? ref(found) : undefined;
    },
  };
}
