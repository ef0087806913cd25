/**
 * Reminder messages: to the commander (report and close reminders) and to a task's people
 * (overdue tasks), in the incident channel with buttons the Slack app handles (snooze, done).
 * Idempotent: the message carries a key made of the incident, the reminder and its due time,
 * so a retried activity finds the message it posted before. The same activity then writes the
 * incident, already marked reminded, through to the store: one activity per reminder, not two.
 */
import type { IncidentRecord, Task, TimelineEvent } from '../domain/incident';
import { reminderRecipients, SNOOZE_MINUTES, type DueReminder } from '../domain/reminders';
import type { IncidentBrief } from '../domain/resources';
import { taskPeople } from '../domain/tasks';
import type { IncidentStore } from '../store';
import { toActivityFailure } from './errors';
import type { Providers } from './providers/types';

export interface ReminderInput {
  incident: IncidentBrief;
  /** The incident channel's id, when it exists. */
  channelId?: string;
  reminder: DueReminder;
  /** For task reminders: the task as it is now. */
  task?: Task;
  /** The incident as it is once reminded, and the timeline events the store lacks: written after the post. */
  write?: { incident: IncidentRecord; timeline: TimelineEvent[] };
}

export interface ReminderOutcome {
  recipients: string[];
  /** False when there was nowhere to send it (no chat provider or no channel yet). */
  delivered: boolean;
}

const LABELS = { '30': '30 min', '60': '1 hour', '120': '2 hours' } as const;

/** The message key: also how the benchmark reads when a reminder was due. */
export function reminderKey(incidentId: string, reminder: DueReminder): string {
  const what = reminder.kind === 'task' ? `task-${reminder.taskId}` : reminder.kind;
  return `reminder:${incidentId}:${what}:${new Date(reminder.dueAt).toISOString()}`;
}

export function reminderMessage({ incident, reminder, task }: ReminderInput): { text: string; blocks: unknown[]; recipients: string[] } {
  const commander = incident.commander.email;
  const recipients = reminderRecipients(reminder, commander, task);
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const button = (actionId: string, label: string, value: string, style?: 'primary') => ({
    type: 'actions',
    elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, value, ...(style ? { style } : {}) }],
  });
  switch (reminder.kind) {
    case 'tactical':
    case 'executive': {
      const text = `Reminder for ${incident.commander.name ?? commander}: please post a ${reminder.kind} report for ${incident.id} (${incident.title}), \`muster report ${reminder.kind} ${incident.id}\`.`;
      // One button per block: Slack wants action ids unique within a block.
      const snoozes = SNOOZE_MINUTES.map((m) => button('muster_snooze', `Snooze ${LABELS[String(m) as keyof typeof LABELS]}`, `${incident.id}:${reminder.kind}:${m}`));
      return { text, blocks: [section(text), ...snoozes], recipients };
    }
    case 'close': {
      const text = `Reminder for ${incident.commander.name ?? commander}: ${incident.id} (${incident.title}) has been Stable for a while; close it if the work is done.`;
      return { text, blocks: [section(text)], recipients };
    }
    case 'task': {
      const people = task ? taskPeople(task) : [];
      const text = `Task ${reminder.taskId} of ${incident.id} is overdue (resolve by ${task?.resolveBy ?? '?'}): ${task?.description ?? ''}\nFor ${people.join(', ')}.`;
      return { text, blocks: [section(text), button('muster_task_done', 'Done', `${incident.id}:${reminder.taskId}`, 'primary')], recipients };
    }
  }
}

export function createReminderActivities({ providers, store }: { providers: Partial<Providers>; store: IncidentStore }) {
  return {
    async sendReminder(input: ReminderInput): Promise<ReminderOutcome> {
      const { text, blocks, recipients } = reminderMessage(input);
      const { chat } = providers;
      const { channelId } = input;
      const delivered = Boolean(chat && channelId);
      if (chat && channelId) {
        try {
          await chat.postMessage(channelId, { text, blocks, dedupeKey: reminderKey(input.incident.id, input.reminder) });
        } catch (err) {
          throw toActivityFailure(err);
        }
      }
      // A retry after a failed write finds the post by its key and writes again.
      if (input.write) await store.recordIncident(input.write.incident, input.write.timeline);
      return { recipients, delivered };
    },
  };
}
