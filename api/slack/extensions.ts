/**
 * Parts of Muster the Slack app drives but that other modules own (tasks, reports, on-call,
 * notifications, reminders, feedback). Each is optional: a Muster without it answers that it is
 * not available yet. Each returns the line to show the person.
 */
import type { Person } from '../../domain/incident';
import type { MusterClient } from '../../client';
import type { ModalActions } from './modals';

export interface SlackExtensions extends ModalActions {
  subscribe?(incidentId: string, request: { person: Person; actor: string }): Promise<string>;
  addTask?(incidentId: string, request: { description: string; actor: string }): Promise<string>;
  listTasks?(incidentId: string): Promise<string>;
  tasksFor?(email: string): Promise<string>;
  resolveTask?(incidentId: string, taskId: string, actor: string): Promise<string>;
  snooze?(incidentId: string, request: { kind: string; minutes: number; actor: string }): Promise<string>;
}

/** The extensions this Muster's client offers. */
export function extensionsFrom(client: MusterClient): SlackExtensions {
  return {
    async subscribe(incidentId, request) {
      await client.subscribe(incidentId, request);
      return `You get every update of *${incidentId}* by email now.`;
    },
    async submitFeedback(incidentId, feedback) {
      await client.submitFeedback(incidentId, feedback);
      return `Thank you: your feedback on *${incidentId}* is recorded${feedback.anonymous ? ' without your name' : ''}.`;
    },
    async engageOncall(incidentId, { service, page, actor }) {
      const incident = await client.engageOncall(incidentId, { service, page, actor });
      const event = [...incident.timeline].reverse().find((e) => e.kind === 'engagement' && e.actor === actor);
      return event ? `${event.text}.` : `Engaged the ${service} on-call in *${incidentId}*${page ? ' and paged them' : ''}.`;
    },
  };
}
