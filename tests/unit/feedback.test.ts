import { DEFAULT_SETTINGS } from '../../domain/incident';
import { formatIncident } from '../../client/format';
import { applyFeedback, averageRating, publicFeedback, validateFeedback } from '../../domain/feedback';
import { IncidentRuleError, newIncident, normalizeDeclaration } from '../../domain/rules';

const AT = '2026-12-03T10:00:00.000Z';

function refusal(fn: () => unknown): IncidentRuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IncidentRuleError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

test.each([
  [{ rating: 0 }, 'rating'],
  [{ rating: 6 }, 'rating'],
  [{ rating: 3.5 }, 'rating'],
  [{ rating: '3' }, 'rating'],
  [{ rating: 3, text: 'x'.repeat(4001) }, 'text'],
  [{ rating: 3, text: 7 }, 'text'],
  [{ rating: 3, anonymous: 'no' }, 'anonymous'],
  [{ rating: 3, person: { email: 'nobody' } }, 'person.email'],
])('refuses %j naming %s', (request, field) => {
  const error = refusal(() => validateFeedback({ person: { email: 'rita@example.com' }, ...request } as never));
  expect([error.code, error.field]).toEqual(['invalid_field', field]);
});

test('normalizes: trimmed text, lower-case email, anonymous false by default; empty text dropped', () => {
  expect(validateFeedback({ person: { email: 'Rita@Example.com' }, rating: 5, text: '  Great  ' })).toEqual({ person: { email: 'rita@example.com' }, rating: 5, text: 'Great', anonymous: false });
  expect(validateFeedback({ person: { email: 'rita@example.com' }, rating: 1, text: '   ', anonymous: true })).toEqual({ person: { email: 'rita@example.com' }, rating: 1, anonymous: true });
  expect(validateFeedback({ person: { email: 'rita@example.com' }, rating: 3, text: 'x'.repeat(4000) }).text).toHaveLength(4000);
});

test('one per person: a second replaces the first; anonymous ones never show who', () => {
  const state = newIncident('INC-7', 7, normalizeDeclaration({ title: 'DB latency', reporter: { email: 'rita@example.com' } }, DEFAULT_SETTINGS), AT);
  applyFeedback(state, { person: { email: 'rita@example.com' }, rating: 2, anonymous: false }, AT);
  applyFeedback(state, { person: { email: 'sam@example.com' }, rating: 4, text: 'Calm', anonymous: true }, AT);
  applyFeedback(state, { person: { email: 'rita@example.com' }, rating: 5, anonymous: false }, AT);
  expect(state.feedback!.map((f) => [f.person.email, f.rating])).toEqual([['sam@example.com', 4], ['rita@example.com', 5]]);
  expect(publicFeedback(state.feedback)).toEqual([
    { rating: 4, text: 'Calm', anonymous: true, submittedAt: AT },
    { person: { email: 'rita@example.com' }, rating: 5, anonymous: false, submittedAt: AT },
  ]);
  expect(state.timeline.filter((e) => e.kind === 'feedback').map((e) => [e.actor, e.text])).toEqual([
    ['rita@example.com', 'rita@example.com gave feedback: 2/5'],
    ['anonymous', 'Someone (anonymous) gave feedback: 4/5'],
    ['rita@example.com', 'rita@example.com changed their feedback: 5/5'],
  ]);
  expect(averageRating(state.feedback!)).toBe(4.5);
});

test('muster show lists feedback, anonymous without the person, and the roles closing renounced', () => {
  const state = newIncident('INC-7', 7, normalizeDeclaration({ title: 'DB latency', reporter: { email: 'rita@example.com' } }, DEFAULT_SETTINGS), AT);
  state.participants[0]!.previousRoles = ['Reporter', 'Commander'];
  state.participants[0]!.roles = [];
  applyFeedback(state, { person: { email: 'sam@example.com' }, rating: 2, text: 'Slow start', anonymous: true }, AT);
  applyFeedback(state, { person: { email: 'rita@example.com' }, rating: 5, anonymous: false }, AT);
  const text = formatIncident(state);
  expect(text).toContain('  rita@example.com  (renounced on closing: Reporter, Commander)');
  expect(text).toContain('Feedback:\n  2/5  (anonymous): Slow start\n  5/5  rita@example.com\n');
  expect(text).not.toContain('sam@example.com');
});
