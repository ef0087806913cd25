/**
 * Participants' feedback after an incident: a 1-5 rating, optional text, optionally anonymous.
 * One per person: a second submission replaces the first. Anonymous feedback keeps the person
 * in the workflow (to replace it later) but never shows it (`publicFeedback`).
 */
import type { FeedbackEntry, IncidentState, Person } from './incident';
import { checkPerson, checkText, invalidField, recordEvent } from './rules';

export const FEEDBACK_LIMITS = { text: 4_000, minRating: 1, maxRating: 5 } as const;

export interface SubmitFeedbackRequest {
  person: Person;
  rating: number;
  text?: string;
  anonymous?: boolean;
}

/** What the API and digests show: anonymous entries without the person. */
export type PublicFeedback = Omit<FeedbackEntry, 'person'> & { person?: Person };

export function validateFeedback(request: SubmitFeedbackRequest): Omit<FeedbackEntry, 'submittedAt'> {
  if (typeof request !== 'object' || request === null) throw invalidField('body', 'feedback needs person and rating');
  const person = checkPerson('person', request.person);
  const { rating } = request;
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < FEEDBACK_LIMITS.minRating || rating > FEEDBACK_LIMITS.maxRating) {
    throw invalidField('rating', `rating must be a whole number from ${FEEDBACK_LIMITS.minRating} to ${FEEDBACK_LIMITS.maxRating} (got ${JSON.stringify(rating)})`);
  }
  if (request.anonymous !== undefined && typeof request.anonymous !== 'boolean') throw invalidField('anonymous', 'anonymous must be true or false');
  const entry: Omit<FeedbackEntry, 'submittedAt'> = { person, rating, anonymous: request.anonymous ?? false };
  if (request.text !== undefined) {
    const text = checkText('text', request.text, FEEDBACK_LIMITS.text, { required: false });
    if (text) entry.text = text;
  }
  return entry;
}

/** Stores the entry (replacing the person's earlier one) with a timeline event that never names an anonymous giver. */
export function applyFeedback(state: IncidentState, entry: Omit<FeedbackEntry, 'submittedAt'>, at: string): FeedbackEntry {
  const stored: FeedbackEntry = { ...entry, submittedAt: at };
  const others = (state.feedback ?? []).filter((f) => f.person.email !== entry.person.email);
  const replaced = others.length !== (state.feedback ?? []).length;
  state.feedback = [...others, stored];
  const who = entry.anonymous ? 'Someone (anonymous)' : entry.person.email;
  recordEvent(state, { actor: entry.anonymous ? 'anonymous' : entry.person.email, kind: 'feedback', text: `${who} ${replaced ? 'changed their' : 'gave'} feedback: ${entry.rating}/5` }, at);
  return stored;
}

export function publicFeedback(entries: readonly FeedbackEntry[] | undefined): PublicFeedback[] {
  return (entries ?? []).map(({ person, ...rest }) => (rest.anonymous ? rest : { ...rest, person }));
}

export function averageRating(entries: readonly { rating: number }[]): number | undefined {
  if (entries.length === 0) return undefined;
  return Math.round((entries.reduce((sum, e) => sum + e.rating, 0) / entries.length) * 10) / 10;
}

/** Closing asked these people for feedback (the timeline says how many, not who: feedback may be anonymous). */
export function applyFeedbackRequested(state: IncidentState, asked: readonly string[], at: string): void {
  recordEvent(state, { actor: 'muster', kind: 'feedback', text: `Asked ${asked.length} participant${asked.length === 1 ? '' : 's'} for feedback` }, at);
}
