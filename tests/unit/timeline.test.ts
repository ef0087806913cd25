import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import { directs, IncidentRuleError, newIncident, normalizeDeclaration, validateDirector } from '../../domain/rules';
import { applyTimelineNote, checkAddTimelineNote, validateAddTimelineNote } from '../../domain/timeline';

const AT = '2026-12-03T10:00:00.000Z';

function incident(): IncidentState {
  const declaration = normalizeDeclaration({ title: 'DB latency', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } }, DEFAULT_SETTINGS);
  const state = newIncident('INC-7', 7, declaration, AT);
  state.participants.push({ email: 'sam@example.com', roles: ['Scribe'], joinedAt: AT }, { email: 'dana@example.com', roles: ['Participant'], joinedAt: AT });
  return state;
}

function refusal(fn: () => unknown): IncidentRuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IncidentRuleError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

test('the commander and scribes direct an incident; others are refused with not_allowed', () => {
  const state = incident();
  expect(directs(state, 'ic@example.com')).toBe(true);
  expect(directs(state, ' Sam@Example.com ')).toBe(true);
  expect(directs(state, 'dana@example.com')).toBe(false);
  expect(directs(state, 'rita@example.com')).toBe(false);
  const refused = refusal(() => validateDirector(state, 'dana@example.com', 'add tasks'));
  expect(refused).toMatchObject({ code: 'not_allowed', field: 'actor', message: 'only the commander (ic@example.com) or the scribe of INC-7 can add tasks' });
});

test('a note request is checked, and the director check is only when asked for', () => {
  const state = incident();
  expect(validateAddTimelineNote(state, { text: ' Failed over ', actor: 'dana@example.com' })).toEqual({ text: 'Failed over', actor: 'dana@example.com' });
  expect(refusal(() => validateAddTimelineNote(state, { text: 'x', actor: 'dana@example.com', requireDirector: true }))).toMatchObject({
    code: 'not_allowed',
    message: 'only the commander (ic@example.com) or the scribe of INC-7 can add to the timeline',
  });
  expect(validateAddTimelineNote(state, { text: 'x', actor: 'sam@example.com', requireDirector: true })).toEqual({ text: 'x', actor: 'sam@example.com' });
  expect(refusal(() => checkAddTimelineNote({ text: ' ', actor: 'ic@example.com' }))).toMatchObject({ code: 'invalid_field', field: 'text' });
  expect(refusal(() => checkAddTimelineNote({ text: 'x', actor: 'ic@example.com', once: 'yes' as never }))).toMatchObject({ code: 'invalid_field', field: 'once' });
  // The options are not part of the note.
  expect(checkAddTimelineNote({ text: 'x', actor: 'ic@example.com', requireDirector: true, once: false })).toEqual({ text: 'x', actor: 'ic@example.com' });
});

test('applying a note adds it (options stay out of the timeline); `once` with a time adds it only once', () => {
  const state = incident();
  const version = state.version;
  const now = '2026-12-03T10:01:00.000Z';
  const first = applyTimelineNote(state, { text: 'Failed over', actor: 'ic@example.com' }, {}, now);
  expect(first).toEqual({ added: true, event: { seq: 2, at: now, actor: 'ic@example.com', kind: 'note', text: 'Failed over' } });
  expect(state.version).toBe(version + 1);

  const imported = { text: 'sam: lag is back', actor: 'ic@example.com', at: '2026-12-03T09:59:00.000Z' };
  const once = applyTimelineNote(state, imported, { once: true }, now);
  expect(once.added).toBe(true);
  const again = applyTimelineNote(state, { ...imported, actor: 'sam@example.com' }, { once: true }, now);
  expect(again).toEqual({ added: false, event: once.event });
  expect(state.timeline.filter((e) => e.text === 'sam: lag is back')).toHaveLength(1);
  // Without `once` the same note is a second note.
  expect(applyTimelineNote(state, imported, {}, now).added).toBe(true);
  expect(state.timeline.filter((e) => e.text === 'sam: lag is back')).toHaveLength(2);
});
