/**
 * Timeline notes asked for by people (the Slack app, automations): one update checks who asks
 * and applies the note at once, so a caller needs no query before it. Pure rules, run by the
 * update's validator and handler and by the client.
 */
import type { IncidentState, TimelineEvent, TimelineNote } from './incident';
import { applyNote, invalid, validateDirector, validateNote } from './rules';

export interface AddTimelineNoteRequest extends TimelineNote {
  /** Refuse (not_allowed, field actor) unless the actor is the incident's commander or one of its scribes. */
  requireDirector?: boolean;
  /**
   * With `at`: add nothing if the timeline already has a note with this text at that time (a
   * second reaction to the same Slack message, or Slack retrying the event).
   */
  once?: boolean;
}

export interface AddedTimelineNote {
  /** The note as the timeline has it (seq, time, actor). */
  event: TimelineEvent;
  /** False when `once` found the same note already there. */
  added: boolean;
}

/** What "… can <what>" says when someone who does not direct the incident is refused. */
export const ADD_NOTE_ACTION = 'add to the timeline';

/** The checks that need no incident: the note itself and the options. */
export function checkAddTimelineNote(request: AddTimelineNoteRequest): TimelineNote {
  const note = validateNote(request);
  for (const option of ['requireDirector', 'once'] as const) {
    if (request[option] !== undefined && typeof request[option] !== 'boolean') throw invalid(option, `${option} must be true or false`);
  }
  return note;
}

/** Checks a request against the incident: refuses an actor who does not direct it when asked to. */
export function validateAddTimelineNote(state: IncidentState, request: AddTimelineNoteRequest): TimelineNote {
  const note = checkAddTimelineNote(request);
  if (request.requireDirector) validateDirector(state, note.actor, ADD_NOTE_ACTION);
  return note;
}

/** Applies a checked note (unless `once` finds it there already); `at` is now on the workflow's clock. */
export function applyTimelineNote(state: IncidentState, note: TimelineNote, request: Pick<AddTimelineNoteRequest, 'once'>, at: string): AddedTimelineNote {
  if (request.once && note.at !== undefined) {
    const existing = state.timeline.find((e) => e.kind === 'note' && e.at === note.at && e.text === note.text);
    if (existing) return { event: existing, added: false };
  }
  applyNote(state, note, at);
  return { event: state.timeline.at(-1)!, added: true };
}
