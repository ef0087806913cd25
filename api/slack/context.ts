/**
 * What every Slack listener needs: the Muster client, the store (lists, channel lookup), the
 * Slack Web API, who a Slack user is (email, cached), which incident a channel belongs to
 * (cached), and how to answer the person (response_url posts, ephemeral messages).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { MusterClient } from '../../client';
import { IncidentNotFoundError, IncidentRejectedError } from '../../client';
import type { IncidentState, Person } from '../../domain/incident';
import { IncidentRuleError, isIncidentId, validateDirector } from '../../domain/rules';
import type { IncidentStore } from '../../store';

export interface SlackAppSettings {
  /** The slash command, e.g. /muster. */
  command: string;
  /** Emoji name whose reaction puts a message in the timeline. */
  timelineReaction: string;
}

/** A channel not found among incidents is not looked up again for this long (a new incident's may appear). */
const MISS_TTL_MS = 3_000;

/** A mistake the person can fix; shown to them as is. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export class SlackContext {
  private readonly people = new Map<string, Promise<Person>>();
  private readonly channels = new Map<string, string>();
  private readonly misses = new Map<string, number>();

  constructor(
    readonly client: MusterClient,
    readonly store: IncidentStore,
    readonly web: WebClient,
    readonly settings: SlackAppSettings,
    readonly logger?: Logger,
  ) {}

  /** The person behind a Slack user id, by their profile email (cached for the process). */
  person(userId: string): Promise<Person> {
    let found = this.people.get(userId);
    if (!found) {
      found = this.web.users.info({ user: userId }).then(({ user }) => {
        const email = user?.profile?.email;
        if (!email) throw new UserError('Muster knows people by email, and your Slack profile has none it can read (scope users:read.email).');
        return { email: email.toLowerCase(), ...(user?.real_name ? { name: user.real_name } : {}) };
      });
      found.catch(() => this.people.delete(userId));
      this.people.set(userId, found);
    }
    return found;
  }

  /** The Slack user id of an email (for mentions and App Home), or undefined. */
  async userIdOf(email: string): Promise<string | undefined> {
    try {
      const { user } = await this.web.users.lookupByEmail({ email });
      return user?.id;
    } catch {
      return undefined;
    }
  }

  /** The incident whose channel this is, from the store's record of its resources. */
  async incidentOfChannel(channelId: string | undefined): Promise<string | undefined> {
    if (!channelId) return undefined;
    const known = this.channels.get(channelId);
    if (known) return known;
    // Busy ordinary channels send many events: look them up in the store at most every few seconds.
    const missedAt = this.misses.get(channelId);
    if (missedAt !== undefined && Date.now() - missedAt < MISS_TTL_MS) return undefined;
    let cursor: string | undefined;
    // Incident channels are few next to incidents' lifetime; one pass over the store fills the map.
    for (let pages = 0; pages < 20; pages++) {
      const page = await this.store.listIncidents({}, { limit: 200, cursor });
      for (const incident of page.items) {
        const channel = incident.resources.channel?.externalId;
        if (channel) this.channels.set(channel, incident.id);
      }
      if (this.channels.has(channelId) || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const found = this.channels.get(channelId);
    if (found) this.misses.delete(channelId);
    else this.misses.set(channelId, Date.now());
    return found;
  }

  /** Remembers a channel Muster just learnt about (e.g. the one a declaration made). */
  rememberChannel(channelId: string, incidentId: string): void {
    this.channels.set(channelId, incidentId);
  }

  /**
   * The incident a command is about: an id given as its first argument (removed from `args`),
   * else the incident of the channel it was typed in.
   */
  async incidentFor(args: string[], channelId: string | undefined, usage: string): Promise<string> {
    const first = args[0]?.toUpperCase();
    if (first && isIncidentId(first)) {
      args.shift();
      return first;
    }
    const fromChannel = await this.incidentOfChannel(channelId);
    if (fromChannel) return fromChannel;
    throw new UserError(`This is not an incident channel. Run it in the incident's channel, or name the incident: \`${this.settings.command} ${usage}\``);
  }

  /** Commander and Scribe direct the incident; others are told who can (as the workflow refuses them). */
  assertDirects(incident: IncidentState, who: Person, what: string): void {
    try {
      validateDirector(incident, who.email, what);
    } catch (err) {
      if (err instanceof IncidentRuleError) throw new UserError(sentence(err.message));
      throw err;
    }
  }

  /** Posts to a response_url: an ephemeral reply to the person who ran the command or clicked. */
  async respond(responseUrl: string | undefined, text: string, extra: Record<string, unknown> = {}): Promise<void> {
    if (!responseUrl) return;
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, ...extra }),
    });
    if (!response.ok) this.logger?.warn({ status: response.status }, 'Slack did not take a response_url post');
  }

  /** Tells the person, ephemerally in the channel, when there is no response_url (events). */
  async tell(channel: string, user: string, text: string): Promise<void> {
    try {
      await this.web.chat.postEphemeral({ channel, user, text });
    } catch (err) {
      this.logger?.warn({ err }, 'could not post an ephemeral message');
    }
  }

  /** What to tell the person when something they asked for failed. */
  explain(err: unknown): string {
    if (err instanceof UserError) return err.message;
    // Only the commander or a scribe may: said as a sentence, as assertDirects says it.
    if (err instanceof IncidentRejectedError && err.code === 'not_allowed') return sentence(err.message);
    if (err instanceof IncidentRejectedError) return `Not done: ${err.message}.`;
    if (err instanceof IncidentNotFoundError) return `There is no incident ${err.incidentId}. \`${this.settings.command} list\` shows the active ones.`;
    this.logger?.error({ err }, 'a Slack request failed');
    return 'Muster could not do that just now (an internal error); please try again in a moment.';
  }
}

/** A rule's message ("only the commander … can …") as a sentence to show. */
const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;

/** `<@U123|name>` or `<@U123>` -> U123. */
export function mentionedUser(token: string | undefined): string | undefined {
  return token ? /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token)?.[1] : undefined;
}

export const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
