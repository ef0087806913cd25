/** The timeline-note update, registered on the incident workflow. */
import { condition, setHandler } from '@temporalio/workflow';
import type { IncidentState } from '../domain/incident';
import { applyTimelineNote, checkAddTimelineNote, validateAddTimelineNote } from '../domain/timeline';
import { addTimelineNoteUpdate } from './definitions';
import { checkedRule } from './reminders';

const now = () => new Date().toISOString();

export function registerTimelineHandlers(current: () => IncidentState | undefined): void {
  setHandler(
    addTimelineNoteUpdate,
    async (request) => {
      // A resumed incident is still loading: the validator could not check the actor, so this does.
      await condition(() => current() !== undefined);
      const incident = current()!;
      const note = checkedRule(() => validateAddTimelineNote(incident, request));
      return applyTimelineNote(incident, note, request, now());
    },
    {
      validator: (request) => {
        const incident = current();
        if (incident) checkedRule(() => validateAddTimelineNote(incident, request));
        else checkedRule(() => checkAddTimelineNote(request));
      },
    },
  );
}
