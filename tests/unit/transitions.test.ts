import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import { applyRoleChange, newIncident, normalizeDeclaration } from '../../domain/rules';
import { feedbackRequestMessage, reactivateParticipants, renounceAllRoles, reviewMeetingSlot, stepsFor } from '../../domain/transitions';

const AT = '2026-12-03T10:17:00.000Z';

function incident(): IncidentState {
  const declaration = normalizeDeclaration(
    { title: 'DB latency', priority: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } },
    DEFAULT_SETTINGS,
  );
  const state = newIncident('INC-7', 7, declaration, AT);
  applyRoleChange(state, { action: 'assign', role: 'Scribe', person: { email: 'ic@example.com' } }, 'ic@example.com', AT);
  return state;
}

test('steps: the review on reaching Stable (also when reopening as Stable), the closing messages on Closed', () => {
  expect(stepsFor('Active', 'Stable')).toEqual(['stable']);
  expect(stepsFor('Closed', 'Stable')).toEqual(['stable']);
  expect(stepsFor('Stable', 'Closed')).toEqual(['closed']);
  expect(stepsFor('Active', 'Closed')).toEqual(['closed']);
  expect(stepsFor('Stable', 'Active')).toEqual([]);
  expect(stepsFor('Closed', 'Active')).toEqual([]);
});

test('closing renounces every role and remembers it; reopening restores exactly those roles', () => {
  const state = incident();
  const version = state.version;
  renounceAllRoles(state, 'ic@example.com', AT);
  expect(state.participants.map((p) => [p.email, p.roles, p.previousRoles, p.renouncedAt])).toEqual([
    ['rita@example.com', [], ['Reporter'], AT],
    ['ic@example.com', [], ['Commander', 'Scribe'], AT],
  ]);
  // Part of the status change, which counts the version.
  expect(state.version).toBe(version);
  expect(state.timeline.at(-1)).toMatchObject({ kind: 'role', text: 'Closing renounced the roles of 2 participants: rita@example.com (Reporter), ic@example.com (Commander, Scribe)' });

  // Renouncing again (a repeated close) changes nothing.
  const events = state.timeline.length;
  renounceAllRoles(state, 'ic@example.com', AT);
  expect(state.timeline).toHaveLength(events);

  reactivateParticipants(state, 'ic@example.com', AT);
  expect(state.participants.map((p) => [p.email, p.roles, 'previousRoles' in p, 'renouncedAt' in p])).toEqual([
    ['rita@example.com', ['Reporter'], false, false],
    ['ic@example.com', ['Commander', 'Scribe'], false, false],
  ]);
  expect(state.timeline.at(-1)!.text).toBe('Reopening reactivated 2 participants: rita@example.com (Reporter), ic@example.com (Commander, Scribe)');
});

test('the review meeting is three days after Stable, on the hour, for an hour', () => {
  expect(reviewMeetingSlot(AT)).toEqual({ start: '2026-12-06T11:00:00.000Z', end: '2026-12-06T12:00:00.000Z' });
  expect(reviewMeetingSlot('2026-12-03T10:00:00.000Z').start).toBe('2026-12-06T10:00:00.000Z');
});

test('the feedback request carries the muster_feedback button with the incident id', () => {
  const { blocks } = feedbackRequestMessage({ id: 'INC-7', title: 'DB latency' });
  expect(blocks[1]).toMatchObject({ type: 'actions', elements: [{ type: 'button', action_id: 'muster_feedback', value: 'INC-7' }] });
});
