/**
 * Who takes part, as seen from the incident channel: people who join watch (Observer), people
 * who talk take part (an Observer becomes a Participant after PROMOTION_MESSAGES messages, as in
 * Dispatch), people who leave are no longer involved (duties they hold stay; the commander can
 * never leave). Pure functions, run by the workflow's handlers (workflows/participation.ts).
 */
import type { AddParticipantRequest, IncidentState, Participant, Person, RemoveParticipantRequest } from './incident';
import { addEvent, IncidentRuleError, invalid, person, touch, validateActor } from './rules';

/** Messages in the channel that make an Observer a Participant. */
export const PROMOTION_MESSAGES = 3;

const find = (state: IncidentState, email: string): Participant | undefined => state.participants.find((p) => p.email === email);

export function validateAddParticipant(state: IncidentState, request: AddParticipantRequest): AddParticipantRequest {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'adding a participant needs person, role and actor');
  const who = person('person', request.person);
  if (request.role !== 'Observer' && request.role !== 'Participant') throw invalid('role', `role must be Observer or Participant (got ${JSON.stringify(request.role)})`);
  if (state.status === 'Closed') throw new IncidentRuleError('invalid_transition', `${state.id} is Closed; reopen it before joining`, 'status');
  return { person: who, role: request.role, actor: validateActor(request.actor) };
}

/**
 * Adds the person, or promotes an Observer who asked to take part. Returns false when nothing
 * changed (already involved): joining twice is not an error.
 */
export function applyAddParticipant(state: IncidentState, request: AddParticipantRequest, at: string): boolean {
  const { person: who, role, actor } = request;
  const existing = find(state, who.email);
  if (existing) {
    if (role === 'Participant' && existing.roles.length === 1 && existing.roles[0] === 'Observer') {
      promote(state, existing, `${who.email} joined as Participant`, actor, at);
      return true;
    }
    return false;
  }
  state.participants.push({ ...who, roles: [role], joinedAt: at, activity: 0 });
  addEvent(state, { at, actor, kind: 'role', field: role.toLowerCase(), to: who.email, text: `${who.email} joined the incident as ${role}` });
  touch(state, at);
  return true;
}

function promote(state: IncidentState, participant: Participant, text: string, actor: string, at: string): void {
  participant.roles = participant.roles.filter((r) => r !== 'Observer');
  if (!participant.roles.includes('Participant')) participant.roles.push('Participant');
  addEvent(state, { at, actor, kind: 'role', field: 'participant', from: 'Observer', to: participant.email, text });
  touch(state, at);
}

export function validateRemoveParticipant(state: IncidentState, request: RemoveParticipantRequest): RemoveParticipantRequest {
  if (typeof request !== 'object' || request === null) throw invalid('body', 'removing a participant needs person and actor');
  const who = person('person', request.person);
  if (state.commander.email === who.email) {
    throw new IncidentRuleError('invalid_transition', `${who.email} is the Commander of ${state.id}; assign another Commander before they leave`, 'person');
  }
  return { person: who, actor: validateActor(request.actor) };
}

/** Drops the Observer/Participant roles; someone with a duty keeps it. Returns false if they were not involved. */
export function applyRemoveParticipant(state: IncidentState, request: RemoveParticipantRequest, at: string): boolean {
  const { person: who, actor } = request;
  const existing = find(state, who.email);
  if (!existing) return false;
  const duties = existing.roles.filter((r) => r !== 'Observer' && r !== 'Participant');
  if (duties.length === 0) state.participants = state.participants.filter((p) => p !== existing);
  else existing.roles = duties;
  const kept = duties.length ? ` (still ${duties.join(', ')})` : '';
  addEvent(state, { at, actor, kind: 'role', field: 'participant', from: who.email, text: `${who.email} left the incident${kept}` });
  touch(state, at);
  return true;
}

export function validateChannelActivity(activity: { person: Person }): { person: Person } {
  if (typeof activity !== 'object' || activity === null) throw invalid('body', 'channel activity needs a person');
  return { person: person('person', activity.person) };
}

/**
 * Counts a message. Someone not yet involved becomes an Observer with one message; an Observer
 * reaching PROMOTION_MESSAGES becomes a Participant. Returns true when the incident changed in a
 * way worth recording (the count alone is not: it would write the store on every message).
 */
export function applyChannelActivity(state: IncidentState, activity: { person: Person }, at: string): boolean {
  const who = activity.person;
  let participant = find(state, who.email);
  let changed = false;
  if (!participant) {
    applyAddParticipant(state, { person: who, role: 'Observer', actor: who.email }, at);
    participant = find(state, who.email)!;
    changed = true;
  }
  participant.activity = (participant.activity ?? 0) + 1;
  if (participant.roles.length === 1 && participant.roles[0] === 'Observer' && participant.activity >= PROMOTION_MESSAGES) {
    promote(state, participant, `${who.email} is now a Participant (${participant.activity} messages in the channel)`, 'muster', at);
    changed = true;
  }
  return changed;
}
