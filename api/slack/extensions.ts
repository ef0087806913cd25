/**
 * What the Slack app asks of the incident (tasks, reports, on-call, subscriptions, reminders,
 * feedback) through the MusterClient, each returning the line to show the person. Kept apart
 * from the listeners so the wording of a reply lives in one place.
 */
import type { Person } from '../../domain/incident';
import type { Task } from '../../domain/incident';
import type { MusterClient } from '../../client';
import type { IncidentStore } from '../../store';
import type { ModalActions } from './modals';

export interface SlackExtensions extends ModalActions {
  subscribe(incidentId: string, request: { person: Person; actor: string }): Promise<string>;
  addTask(incidentId: string, request: { description: string; actor: string; requireDirector?: boolean }): Promise<string>;
  listTasks(incidentId: string): Promise<string>;
  tasksFor(email: string): Promise<string>;
  resolveTask(incidentId: string, taskId: string, actor: string): Promise<string>;
  snooze(incidentId: string, request: { kind: 'tactical' | 'executive'; minutes: number; actor: string }): Promise<string>;
}

/** Slack's date token: the reader sees it in their own time zone. */
const when = (iso: string) => `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;

export function formatTask(task: Task & { incidentId?: string }): string {
  const who = [task.owner, ...task.assignees.filter((a) => a !== task.owner)].join(', ');
  const state = task.status === 'Resolved' ? '~resolved~' : `due ${when(task.resolveBy)}`;
  return `• ${task.incidentId ? `*${task.incidentId}* ` : ''}*${task.id}* ${task.description} (${who}; ${state})`;
}

/** Changes go to the workflow through the client; a person's tasks across incidents come from the store. */
export function extensionsFrom(client: MusterClient, store: IncidentStore): SlackExtensions {
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
    async postTactical(incidentId, report) {
      await client.postReport(incidentId, { kind: 'tactical', ...report });
      return `Posted the tactical report of *${incidentId}* to its channel.`;
    },
    async postExecutive(incidentId, report) {
      const posted = await client.postReport(incidentId, { kind: 'executive', ...report });
      const document = posted.kind === 'executive' ? posted.documentUrl : undefined;
      return `Posted the executive report of *${incidentId}*${document ? ` (<${document}|document>)` : ''}.`;
    },
    async addTask(incidentId, request) {
      const task = await client.addTask(incidentId, request);
      return `Added to *${incidentId}*:\n${formatTask(task)}`;
    },
    async listTasks(incidentId) {
      const tasks = await client.listTasks(incidentId);
      return tasks.length === 0 ? `*${incidentId}* has no tasks.` : [`*Tasks of ${incidentId}*`, ...tasks.map((t) => formatTask(t))].join('\n');
    },
    async tasksFor(email) {
      const tasks = await store.listTasksFor(email, { status: 'Open' });
      return tasks.length === 0 ? 'You have no open tasks.' : ['*Your open tasks*', ...tasks.map((t) => formatTask(t))].join('\n');
    },
    async resolveTask(incidentId, taskId, actor) {
      const task = await client.resolveTask(incidentId, taskId, actor);
      return `Resolved *${task.id}* of *${incidentId}*: ${task.description}`;
    },
    async snooze(incidentId, { kind, minutes, actor }) {
      await client.snoozeReminder(incidentId, { kind, minutes, actor });
      return `The ${kind} report reminder of *${incidentId}* is snoozed for ${minutes < 60 ? `${minutes} minutes` : `${minutes / 60} hour${minutes === 60 ? '' : 's'}`}.`;
    },
  };
}
