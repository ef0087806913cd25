/**
 * The scheduled digests' one activity: reads the store and sends. Daily active and weekly
 * closed digests go to the configured notification targets (each target sees the incidents its
 * filter matches); the daily feedback digest goes to each commander by direct message, or email
 * without Slack. Idempotent: every send carries a key made of the digest kind, the run's day and
 * the recipient, so a retried run sends nothing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { IncidentRecord, IncidentStatus } from '../domain/incident';
import { matches } from '../domain/filters';
import { activeDigestText, closedDigestText, DIGEST_WINDOW_MS, feedbackDigestText, type DigestInput, type DigestResult } from '../domain/digests';
import type { MusterFileConfig } from '../config/muster-config';
import type { IncidentStore } from '../store';
import { step } from './assembly';
import type { Providers } from './providers/types';

export interface DigestDeps {
  store: IncidentStore;
  providers: Partial<Providers>;
  config: MusterFileConfig;
}

/** Enough for a digest; a deployment with more open incidents than this has other problems. */
const MAX_LISTED = 200;

export function createDigestActivities({ store, providers, config }: DigestDeps) {
  const incidents = async (status: IncidentStatus[]): Promise<IncidentRecord[]> => (await store.listIncidents({ status }, { limit: MAX_LISTED })).items;

  async function toTargets(kind: string, day: string, select: (i: IncidentRecord) => boolean, listed: IncidentRecord[], render: (l: IncidentRecord[]) => string) {
    const sentTo: string[] = [];
    for (const target of config.notificationTargets) {
      // Restricted incidents are never announced, in digests neither.
      const mine = listed.filter((i) => i.visibility !== 'Restricted' && select(i) && (!target.filter || matches(target.filter, i)));
      const text = render(mine);
      const dedupeKey = `digest-${kind}-${day}-${target.name}`;
      if (target.kind === 'slack-channel' && providers.chat) {
        // Finds the channel by name (making it if the workspace has none yet).
        const channel = await providers.chat.ensureChannel({ name: target.target.replace(/^#/, ''), private: false });
        await providers.chat.postMessage(channel.id, { text, dedupeKey });
        sentTo.push(`#${channel.name}`);
      } else if (target.kind === 'email' && providers.email) {
        await providers.email.send({ to: [target.target], subject: text.split('\n')[0]!, text, dedupeKey });
        sentTo.push(target.target);
      }
    }
    return sentTo;
  }

  return {
    async sendDigest({ kind, at }: DigestInput): Promise<DigestResult> {
      const now = at ? new Date(at) : new Date();
      if (Number.isNaN(now.getTime())) throw ApplicationFailure.nonRetryable(`at must be an ISO timestamp (got ${at})`, 'invalid_field');
      const day = now.toISOString().slice(0, 10);
      const since = new Date(now.getTime() - DIGEST_WINDOW_MS[kind]).toISOString();
      return step(async () => {
        switch (kind) {
          case 'active': {
            const listed = await incidents(['Active', 'Stable']);
            const sentTo = await toTargets(kind, day, () => true, listed, (l) => activeDigestText(l, day));
            return { kind, incidents: listed.length, sentTo };
          }
          case 'closed': {
            const listed = (await incidents(['Closed'])).filter((i) => (i.closedAt ?? '') >= since);
            const sentTo = await toTargets(kind, day, () => true, listed, (l) => closedDigestText(l, day));
            return { kind, incidents: listed.length, sentTo };
          }
          case 'feedback': {
            const feedback = await store.listFeedback({ since });
            const ids = [...new Set(feedback.map((f) => f.incidentId))];
            const records = new Map((await Promise.all(ids.map((id) => store.getIncident(id)))).flatMap((r) => (r ? [[r.id, r] as const] : [])));
            const byCommander = new Map<string, Array<(typeof feedback)[number] & { incidentTitle: string }>>();
            for (const entry of feedback) {
              const incident = records.get(entry.incidentId);
              if (!incident) continue;
              const list = byCommander.get(incident.commander.email) ?? [];
              list.push({ ...entry, incidentTitle: incident.title });
              byCommander.set(incident.commander.email, list);
            }
            const sentTo: string[] = [];
            for (const [commander, entries] of byCommander) {
              const text = feedbackDigestText(entries, day);
              const dedupeKey = `digest-feedback-${day}-${commander}`;
              const direct = providers.chat ? await providers.chat.postDirectMessage(commander, { text, dedupeKey }) : undefined;
              if (!direct && providers.email) await providers.email.send({ to: [commander], subject: text.split('\n')[0]!, text, dedupeKey });
              if (direct || providers.email) sentTo.push(commander);
            }
            return { kind, incidents: records.size, sentTo };
          }
        }
      });
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
