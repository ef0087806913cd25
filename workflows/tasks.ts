/** Task updates and the task list, registered on the incident workflow. */
import { condition, setHandler } from '@temporalio/workflow';
import type { IncidentState } from '../domain/incident';
import { applyAddTask, applyTaskStatus, validateAddTask, validateTaskAction } from '../domain/tasks';
import { addTaskUpdate, listTasksQuery, reopenTaskUpdate, resolveTaskUpdate } from './definitions';
import { checkedRule } from './reminders';

const now = () => new Date().toISOString();

export function registerTaskHandlers(current: () => IncidentState | undefined): void {
  const loaded = async () => {
    await condition(() => current() !== undefined);
    return current()!;
  };

  setHandler(listTasksQuery, () => current()?.tasks ?? []);

  setHandler(
    addTaskUpdate,
    async (request) => {
      const incident = await loaded();
      const at = now();
      return applyAddTask(incident, checkedRule(() => validateAddTask(incident, request, at)), at);
    },
    {
      validator: (request) => {
        const incident = current();
        if (incident) checkedRule(() => validateAddTask(incident, request, now()));
      },
    },
  );

  for (const [update, to] of [
    [resolveTaskUpdate, 'Resolved'],
    [reopenTaskUpdate, 'Open'],
  ] as const) {
    setHandler(
      update,
      async (request) => {
        const incident = await loaded();
        const task = checkedRule(() => validateTaskAction(incident, request, to));
        return applyTaskStatus(incident, task.id, to, request.actor.trim(), now());
      },
      {
        validator: (request) => {
          const incident = current();
          if (incident) checkedRule(() => validateTaskAction(incident, request, to));
        },
      },
    );
  }
}
