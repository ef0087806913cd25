/**
 * The vendor side of status transitions: the post-incident review on the way to Stable
 * (document from the type's template in the incident folder, announced, bookmarked, linked on
 * the ticket; a meeting with the participants) and the closing messages (the commander asked to
 * check the details, every participant asked for feedback). Each activity is idempotent: the
 * document and meeting are found again by incident and kind, messages carry dedupe keys.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Resource } from '../domain/incident';
import type { IncidentBrief } from '../domain/resources';
import {
  checkDetailsText,
  feedbackRequestMessage,
  REVIEW_RESOURCE_LABELS,
  reviewDocumentName,
  reviewMeetingSlot,
  reviewMeetingText,
  reviewPostedText,
  type ReviewResourceKind,
} from '../domain/transitions';
import type { MusterFileConfig } from '../config/muster-config';
import { step } from './assembly';
import { VendorError } from './errors';
import type { Providers } from './providers/types';

export interface TransitionDeps {
  providers: Partial<Providers>;
  /** Incident types (excludeFromReview, templates.reviewDocument); built-in defaults without it. */
  config?: MusterFileConfig;
  /** The review template for types that name none. */
  defaultReviewTemplate: string;
}

type Resources = Record<string, Resource>;

/**
 * A closing can archive the channel while a review step runs (Stable, then Closed at once):
 * the announcement then has nowhere to go, which must not fail the document or meeting.
 */
async function unlessArchived(post: Promise<unknown>): Promise<void> {
  try {
    await post;
  } catch (err) {
    if (!(err instanceof VendorError && err.details.code === 'is_archived')) throw err;
  }
}

const readyId = (resources: Resources, kind: string) => (resources[kind]?.status === 'ready' ? resources[kind].externalId : undefined);
const readyUrl = (resources: Resources, kind: string) => (resources[kind]?.status === 'ready' ? resources[kind].url : undefined);

export function createTransitionActivities({ providers, config, defaultReviewTemplate }: TransitionDeps) {
  const use = <K extends keyof Providers>(capability: K): Providers[K] => {
    const provider = providers[capability];
    if (!provider) throw ApplicationFailure.nonRetryable(`no ${capability} provider is configured`, 'NotConfigured');
    return provider as Providers[K];
  };
  const typeOf = (name: string) => config?.incidentTypes.find((t) => t.name === name);

  return {
    /**
     * Which review resources this incident gets on the way to Stable: none for types with
     * excludeFromReview, and only those whose vendors are configured and whose inputs exist.
     */
    async planReview(incident: IncidentBrief, resources: Resources): Promise<ReviewResourceKind[]> {
      if (typeOf(incident.type)?.excludeFromReview) return [];
      const kinds: ReviewResourceKind[] = [];
      if (providers.document && providers.storage && readyId(resources, 'folder')) kinds.push('reviewDocument');
      if (providers.conference) kinds.push('reviewMeeting');
      return kinds;
    },

    /** Copies the review template into the incident folder, fills it in, and announces it: channel, bookmark, ticket. */
    async createReviewDocument(incident: IncidentBrief, resources: Resources): Promise<Resource> {
      return step(async () => {
        const folderId = readyId(resources, 'folder');
        if (!folderId) throw ApplicationFailure.nonRetryable('the incident has no folder to put the review document in', 'NoFolder');
        const templateId = typeOf(incident.type)?.templates.reviewDocument ?? defaultReviewTemplate;
        const made = await use('document').ensureFromTemplate({ incidentId: incident.id, kind: 'review', templateId, name: reviewDocumentName(incident), folderId });
        const title = REVIEW_RESOURCE_LABELS.reviewDocument;
        const work: Array<Promise<unknown>> = [
          use('document').fillIn(made.id, { id: incident.id, title: incident.title, description: incident.description, commander: incident.commander.name ?? incident.commander.email }),
        ];
        const channelId = readyId(resources, 'channel');
        if (channelId && providers.chat && incident.status !== 'Closed') {
          work.push(unlessArchived(use('chat').postMessage(channelId, { text: reviewPostedText(incident, made.url), dedupeKey: 'review-document' })));
          work.push(unlessArchived(use('chat').ensureBookmark(channelId, { title, link: made.url })));
        }
        const ticketKey = readyId(resources, 'ticket');
        if (ticketKey && providers.ticket) work.push(use('ticket').updateTicket(ticketKey, { links: [{ title, url: made.url }] }));
        await Promise.all(work);
        return { status: 'ready', url: made.url, externalId: made.id };
      });
    },

    /** Schedules the review meeting (three days after Stable) inviting everyone who took part, and says so in the channel. */
    async scheduleReviewMeeting(incident: IncidentBrief, resources: Resources, attendees: string[], stableAt: string): Promise<Resource> {
      return step(async () => {
        const slot = reviewMeetingSlot(stableAt);
        const made = await use('conference').scheduleMeeting({
          incidentId: incident.id,
          kind: 'review',
          title: `Post-incident review: ${incident.id}: ${incident.title}`.slice(0, 250),
          description: `Review of ${incident.id}.${readyUrl(resources, 'reviewDocument') ? ` Document: ${readyUrl(resources, 'reviewDocument')}` : ''}`,
          attendees: [...new Set(attendees)],
          ...slot,
        });
        const channelId = readyId(resources, 'channel');
        if (channelId && providers.chat && incident.status !== 'Closed') {
          await unlessArchived(use('chat').postMessage(channelId, { text: reviewMeetingText(incident, made.url, slot.start), dedupeKey: 'review-meeting' }));
        }
        return { status: 'ready', url: made.url, externalId: made.id };
      });
    },

    /**
     * On closing: the commander is asked to check the incident's details, every participant is
     * asked for feedback with a button (the Slack app opens the feedback modal). Direct messages,
     * because the channel is being archived. People without a Slack account are skipped.
     */
    async requestClosingInput(incident: IncidentBrief, resources: Resources, participants: string[], closedAt: string): Promise<{ asked: string[] }> {
      if (!providers.chat) return { asked: [] };
      return step(async () => {
        // One key per closing: a reopened and closed-again incident asks again.
        const round = closedAt;
        const chat = use('chat');
        const check = chat.postDirectMessage(incident.commander.email, {
          text: checkDetailsText(incident, { ticket: readyUrl(resources, 'ticket'), document: readyUrl(resources, 'document') }),
          dedupeKey: `check-details-${incident.id}-${round}`,
        });
        const request = feedbackRequestMessage(incident);
        const people = [...new Set(participants)];
        const asked = await Promise.all(people.map((email) => chat.postDirectMessage(email, { ...request, dedupeKey: `feedback-${incident.id}-${round}` })));
        await check;
        return { asked: people.filter((_, i) => asked[i] !== undefined) };
      });
    },
  };
}

export type TransitionActivities = ReturnType<typeof createTransitionActivities>;
