/**
 * Notifications, welcomes and subscriptions. Each activity is idempotent per (incident, event,
 * target) or (incident, person): Slack messages carry their key in metadata and a retry looks
 * for it first; mail goes out under a Message-ID derived from the same key (Gmail is searched
 * for it first; SMTP receivers de-duplicate by it).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MusterFileConfig } from '../config/muster-config';
import type { Participant, Resource } from '../domain/incident';
import {
  matchingTargets,
  NOTIFICATION_EVENT_TYPE,
  notificationKey,
  renderNotification,
  slackChannelName,
  type NotifiableEvent,
  type NotificationSubject,
  type NotificationTarget,
} from '../domain/notifications';
import type { IncidentBrief } from '../domain/resources';
import { welcomeMessage } from '../domain/welcome';
import { toActivityFailure, VendorError } from './errors';
import type { Providers } from './providers/types';

export interface NotificationDeps {
  providers: Partial<Providers>;
  config: Pick<MusterFileConfig, 'notificationTargets'>;
}

export interface TargetOutcome {
  target: string;
  kind: NotificationTarget['kind'] | 'incident-channel';
  status: 'sent' | 'failed' | 'skipped';
  /** Why it failed or was skipped, for the timeline. */
  reason?: string;
}

type Resources = Record<string, Resource>;

const readyId = (resources: Resources, kind: string) => (resources[kind]?.status === 'ready' ? resources[kind].externalId : undefined);

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A failure Temporal should retry (transient, rate limit) rather than report as final. */
function isRetryable(err: unknown): boolean {
  return !(err instanceof VendorError && err.kind === 'permanent');
}

export function createNotificationActivities({ providers, config }: NotificationDeps) {
  // Finding a channel by name pages through the workspace's channel list: do it once per name.
  const channelIds = new Map<string, string>();
  async function targetChannel(name: string): Promise<string> {
    const known = channelIds.get(name);
    if (known) return known;
    const found = await providers.chat!.findChannel(name);
    if (!found) throw new VendorError('slack', 'notify', 'permanent', `channel #${name} not found (or the bot cannot see it)`);
    channelIds.set(name, found.id);
    return found.id;
  }

  /**
   * One send per target. Targets are independent: a permanent failure of one is reported and
   * the others still go; a transient failure of any retries the activity, and targets already
   * done are found (not sent again) on the next attempt.
   */
  async function sendAll(work: Array<{ outcome: TargetOutcome; send: () => Promise<unknown> }>): Promise<TargetOutcome[]> {
    const settled = await Promise.allSettled(work.map((w) => w.send()));
    const retry = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && isRetryable(s.reason));
    if (retry) throw toActivityFailure(retry.reason);
    return work.map((w, i) => {
      const result = settled[i]!;
      return result.status === 'fulfilled' ? w.outcome : { ...w.outcome, status: 'failed', reason: message(result.reason) };
    });
  }

  return {
    /**
     * Announces one timeline event to every notification target whose filter matches the
     * incident. Restricted incidents reach no outside target: the event goes to their own
     * channel only.
     */
    async notifyEvent(incident: NotificationSubject, event: NotifiableEvent, resources: Resources): Promise<TargetOutcome[]> {
      const rendered = renderNotification(incident, resources, event);
      const chatMessage = (key: string) => ({ text: rendered.text, blocks: rendered.blocks, dedupeKey: key, eventType: NOTIFICATION_EVENT_TYPE });
      const work: Array<{ outcome: TargetOutcome; send: () => Promise<unknown> }> = [];

      if (incident.visibility === 'Restricted') {
        const channelId = readyId(resources, 'channel');
        if (channelId && providers.chat) {
          const chat = providers.chat;
          const key = notificationKey(incident.id, event.seq, 'incident-channel');
          work.push({ outcome: { target: 'incident channel', kind: 'incident-channel', status: 'sent' }, send: () => chat.postMessage(channelId, chatMessage(key)) });
        }
        return sendAll(work);
      }

      for (const target of matchingTargets(config.notificationTargets, incident)) {
        const key = notificationKey(incident.id, event.seq, target.name);
        const outcome: TargetOutcome = { target: target.name, kind: target.kind, status: 'sent' };
        if (target.kind === 'slack-channel') {
          const chat = providers.chat;
          if (!chat) {
            work.push({ outcome: { ...outcome, status: 'skipped', reason: 'Slack is not configured' }, send: async () => undefined });
            continue;
          }
          work.push({
            outcome,
            send: async () => {
              const name = slackChannelName(target.target);
              try {
                await chat.postMessage(await targetChannel(name), chatMessage(key));
              } catch (err) {
                // Renamed, deleted or archived since: look it up afresh next time.
                channelIds.delete(name);
                throw err;
              }
            },
          });
        } else {
          const email = providers.email;
          if (!email) {
            work.push({ outcome: { ...outcome, status: 'skipped', reason: 'email is not configured' }, send: async () => undefined });
            continue;
          }
          work.push({ outcome, send: () => email.send({ to: [target.target], subject: rendered.subject, text: rendered.text.replace(/\*/g, ''), html: rendered.html, dedupeKey: key }) });
        }
      }
      return sendAll(work);
    },

    /**
     * Welcomes someone new to the incident: an email (once, by its Message-ID) and an ephemeral
     * note in the channel. Ephemeral notes leave no trace to look for, so it goes last: only a
     * failure of the note itself can show it twice.
     */
    async welcomeParticipant(incident: IncidentBrief, person: Pick<Participant, 'email' | 'name' | 'roles'>, resources: Resources): Promise<TargetOutcome[]> {
      const channel = resources.channel?.status === 'ready' ? resources.channel : undefined;
      const welcome = welcomeMessage(incident, person.roles, channel?.url);
      const outcomes: TargetOutcome[] = [];
      // A permanent failure of one way is reported; the other way is still tried.
      const attempt = async (kind: TargetOutcome['kind'], send: () => Promise<TargetOutcome['status']>) => {
        try {
          outcomes.push({ target: person.email, kind, status: await send() });
        } catch (err) {
          if (isRetryable(err)) throw toActivityFailure(err);
          outcomes.push({ target: person.email, kind, status: 'failed', reason: message(err) });
        }
      };
      const { email, chat } = providers;
      if (email) {
        await attempt('email', async () => {
          await email.send({ to: [person.email], subject: welcome.subject, text: welcome.text.replace(/`/g, ''), dedupeKey: `${incident.id}:welcome:${person.email}` });
          return 'sent';
        });
      }
      const channelId = channel?.externalId;
      if (chat && channelId) {
        await attempt('slack-channel', async () => {
          // They may have joined a moment ago: make sure they are in the channel to see it.
          const { unknown } = await chat.inviteByEmail(channelId, [person.email]);
          if (unknown.length > 0) return 'skipped';
          await chat.postEphemeral(channelId, person.email, welcome.text);
          return 'sent';
        });
      }
      return outcomes;
    },

    /** Adds someone to the incident's notifications group; adding a member twice is fine. */
    async subscribeToNotifications(groupEmail: string, email: string): Promise<void> {
      if (!providers.group) throw ApplicationFailure.nonRetryable('no group provider is configured', 'NotConfigured');
      try {
        await providers.group.addMembers(groupEmail, [email]);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
