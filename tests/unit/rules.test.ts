import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import { parseDuration } from '../../domain/duration';
import {
  applyChanges,
  applyRoleChange,
  applyNote,
  canTransition,
  formatIncidentId,
  IncidentRuleError,
  isIncidentId,
  newIncident,
  normalizeDeclaration,
  validateChanges,
  validateNote,
  validateRoleChange,
} from '../../domain/rules';

const AT = '2026-12-03T10:00:00.000Z';
const LATER = '2026-12-03T10:05:00.000Z';

function incident(overrides: Partial<IncidentState> = {}): IncidentState {
  const declaration = normalizeDeclaration({ title: 'DB latency', priority: 'High', reporter: { email: 'Rita@Example.com' } }, DEFAULT_SETTINGS);
  return { ...newIncident('INC-7', 7, declaration, AT), ...overrides };
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

describe('declaration', () => {
  test('fills defaults: Active, Medium, Undetermined, Open, reporter commands', () => {
    const d = normalizeDeclaration({ title: '  Checkout errors  ', reporter: { email: 'rita@example.com' } }, DEFAULT_SETTINGS);
    expect(d).toEqual({
      title: 'Checkout errors',
      description: '',
      type: 'Operational',
      severity: 'Undetermined',
      priority: 'Medium',
      visibility: 'Open',
      tags: [],
      reporter: { email: 'rita@example.com' },
      commander: { email: 'rita@example.com' },
    });
  });

  test.each([
    [{ title: '' }, 'title', 'title must not be empty'],
    [{ title: 'x'.repeat(201) }, 'title', 'at most 200'],
    [{ priority: 'Urgent' }, 'priority', 'priority must be one of Low, Medium, High'],
    [{ severity: 'Sev1' }, 'severity', 'severity must be one of Undetermined, Low, Medium, High, Critical'],
    [{ type: 'Weird' }, 'type', 'type must be one of Operational, Security, Data, Other'],
    [{ visibility: 'Secret' }, 'visibility', 'visibility must be one of Open, Restricted'],
    [{ reporter: { email: 'nobody' } }, 'reporter.email', 'reporter.email must be an email address'],
    [{ commander: {} }, 'commander.email', 'commander.email must be an email address'],
    [{ tags: ['ok', ''] }, 'tags[1]', 'tags[1] must not be empty'],
  ])('%j is refused on %s', (bad, field, message) => {
    const err = refusal(() => normalizeDeclaration({ title: 'T', reporter: { email: 'a@b.c' }, ...bad } as never, DEFAULT_SETTINGS));
    expect(err.code).toBe('invalid_field');
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });

  test('a new incident has reporter and commander as participants and a declared event', () => {
    const state = incident();
    expect(state.status).toBe('Active');
    expect(state.participants).toEqual([{ email: 'rita@example.com', roles: ['Reporter', 'Commander'], joinedAt: AT }]);
    expect(state.timeline).toHaveLength(1);
    expect(state.timeline[0]).toMatchObject({ seq: 1, kind: 'declared', actor: 'rita@example.com' });
    expect(state.version).toBe(1);
  });
});

describe('transitions', () => {
  test.each([
    ['Active', 'Stable', true],
    ['Active', 'Closed', true],
    ['Stable', 'Active', true],
    ['Stable', 'Closed', true],
    ['Closed', 'Active', true],
    ['Closed', 'Stable', true],
    ['Active', 'Active', false],
    ['Closed', 'Closed', false],
  ] as const)('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  test('moving to the same status is refused with the reason', () => {
    const err = refusal(() => validateChanges(incident(), { status: 'Active' }, DEFAULT_SETTINGS));
    expect(err).toMatchObject({ code: 'invalid_transition', field: 'status', message: 'INC-7 is already Active' });
  });

  test('a closed incident must be reopened before other fields change', () => {
    const closed = incident({ status: 'Closed', closedAt: AT });
    const err = refusal(() => validateChanges(closed, { severity: 'High' }, DEFAULT_SETTINGS));
    expect(err).toMatchObject({ code: 'invalid_transition', field: 'severity' });
    expect(err.message).toBe('INC-7 is Closed; reopen it (status Active or Stable) before changing its severity');
    expect(() => validateChanges(closed, { status: 'Active', severity: 'High' }, DEFAULT_SETTINGS)).not.toThrow();
  });

  test('stable and closed times are recorded; reopening clears the close', () => {
    const state = incident();
    const toStable = validateChanges(state, { status: 'Stable' }, DEFAULT_SETTINGS);
    applyChanges(state, toStable.normalized, toStable.diff, 'ic@example.com', LATER);
    expect(state).toMatchObject({ status: 'Stable', stableAt: LATER, version: 2 });

    const toClosed = validateChanges(state, { status: 'Closed' }, DEFAULT_SETTINGS);
    applyChanges(state, toClosed.normalized, toClosed.diff, 'ic@example.com', LATER);
    expect(state.closedAt).toBe(LATER);

    const reopen = validateChanges(state, { status: 'Active' }, DEFAULT_SETTINGS);
    applyChanges(state, reopen.normalized, reopen.diff, 'ic@example.com', LATER);
    expect(state.closedAt).toBeUndefined();
    expect(state.stableAt).toBe(LATER);
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'status', text: 'ic@example.com reopened the incident as Active' });
  });
});

describe('changes', () => {
  test('unknown fields are named in the refusal', () => {
    const err = refusal(() => validateChanges(incident(), { colour: 'red' } as never, DEFAULT_SETTINGS));
    expect(err).toMatchObject({ code: 'invalid_field', field: 'colour' });
    expect(err.message).toContain('changeable fields are status, title, description');
  });

  test('values equal to the current ones are dropped; nothing left is refused', () => {
    const state = incident();
    const { diff } = validateChanges(state, { priority: 'High', severity: 'Low' }, DEFAULT_SETTINGS);
    expect(diff).toEqual([{ field: 'severity', from: 'Undetermined', to: 'Low' }]);
    const err = refusal(() => validateChanges(state, { priority: 'High' }, DEFAULT_SETTINGS));
    expect(err).toMatchObject({ code: 'invalid_field', field: 'changes', message: 'nothing to change: INC-7 already has these values' });
  });

  test('one timeline event per changed field, with who, when and what', () => {
    const state = incident();
    const { normalized, diff } = validateChanges(state, { severity: 'High', title: 'DB down' }, DEFAULT_SETTINGS);
    applyChanges(state, normalized, diff, 'ic@example.com', LATER);
    expect(state.timeline.slice(1)).toEqual([
      { seq: 2, at: LATER, actor: 'ic@example.com', kind: 'changed', field: 'title', from: 'DB latency', to: 'DB down', text: 'ic@example.com changed title from DB latency to DB down' },
      { seq: 3, at: LATER, actor: 'ic@example.com', kind: 'changed', field: 'severity', from: 'Undetermined', to: 'High', text: 'ic@example.com changed severity from Undetermined to High' },
    ]);
    expect(state.updatedAt).toBe(LATER);
  });

  test('a new commander takes the role; the previous one stays a participant', () => {
    const state = incident();
    const { normalized, diff } = validateChanges(state, { commander: { email: 'IC@example.com', name: 'Ida' } }, DEFAULT_SETTINGS);
    applyChanges(state, normalized, diff, 'rita@example.com', LATER);
    expect(state.commander).toEqual({ email: 'ic@example.com', name: 'Ida' });
    expect(state.participants).toEqual([
      { email: 'rita@example.com', roles: ['Reporter'], joinedAt: AT },
      { email: 'ic@example.com', name: 'Ida', roles: ['Commander'], joinedAt: LATER },
    ]);
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'role', field: 'commander', from: 'rita@example.com', to: 'ic@example.com' });
  });

  test('notes are validated and timestamped', () => {
    const state = incident();
    applyNote(state, validateNote({ text: ' rolled back ', actor: 'ic@example.com', at: '2026-12-03T09:59:00Z' }), LATER);
    expect(state.timeline.at(-1)).toEqual({ seq: 2, at: '2026-12-03T09:59:00.000Z', actor: 'ic@example.com', kind: 'note', text: 'rolled back' });
    expect(refusal(() => validateNote({ text: '', actor: 'x' }))).toMatchObject({ field: 'text' });
    expect(refusal(() => validateNote({ text: 'x', actor: 'x', at: 'yesterday' }))).toMatchObject({ field: 'at' });
  });
});

test('incident ids are a prefix and a number', () => {
  expect(formatIncidentId('INC', 42)).toBe('INC-42');
  expect(isIncidentId('INC-42')).toBe(true);
  expect(isIncidentId('inc-42')).toBe(false);
  expect(isIncidentId('INC-0')).toBe(false);
  expect(isIncidentId('INC-42/../x')).toBe(false);
});

test('durations', () => {
  expect(parseDuration('7d')).toBe(604_800_000);
  expect(parseDuration('1.5s')).toBe(1_500);
  expect(parseDuration('250')).toBe(250);
  expect(() => parseDuration('soon')).toThrow('"soon" is not a duration');
});

describe('roles', () => {
  const change = (action: 'assign' | 'renounce', role: string, email: string) => ({ action, role, person: { email } }) as never;

  test('assigning and renouncing, with one timeline event each', () => {
    const state = incident();
    applyRoleChange(state, validateRoleChange(state, change('assign', 'Liaison', 'Liam@Example.com')), 'ic@example.com', LATER);
    applyRoleChange(state, validateRoleChange(state, change('assign', 'Scribe', 'liam@example.com')), 'ic@example.com', LATER);
    expect(state.participants.find((p) => p.email === 'liam@example.com')).toEqual({ email: 'liam@example.com', roles: ['Liaison', 'Scribe'], joinedAt: LATER });
    applyRoleChange(state, validateRoleChange(state, change('renounce', 'Liaison', 'liam@example.com')), 'liam@example.com', LATER);
    applyRoleChange(state, validateRoleChange(state, change('renounce', 'Scribe', 'liam@example.com')), 'liam@example.com', LATER);
    // Giving up the last duty keeps you in as a participant; giving that up is leaving.
    expect(state.participants.find((p) => p.email === 'liam@example.com')!.roles).toEqual(['Participant']);
    applyRoleChange(state, validateRoleChange(state, change('renounce', 'Participant', 'liam@example.com')), 'liam@example.com', LATER);
    expect(state.participants.map((p) => p.email)).toEqual(['rita@example.com']);
    expect(state.timeline.slice(1).map((e) => e.text)).toEqual([
      'ic@example.com made liam@example.com Liaison',
      'ic@example.com made liam@example.com Scribe',
      'liam@example.com is no longer Liaison (liam@example.com)',
      'liam@example.com is no longer Scribe (liam@example.com)',
      'liam@example.com is no longer Participant (liam@example.com)',
    ]);
  });

  test('assigning Commander hands over command', () => {
    const state = incident();
    applyRoleChange(state, validateRoleChange(state, change('assign', 'Commander', 'ic@example.com')), 'rita@example.com', LATER);
    expect(state.commander).toEqual({ email: 'ic@example.com' });
    expect(state.participants.map((p) => [p.email, p.roles])).toEqual([
      ['rita@example.com', ['Reporter']],
      ['ic@example.com', ['Commander']],
    ]);
  });

  test.each([
    [change('assign', 'Janitor', 'x@example.com'), 'invalid_field', 'role', 'role must be one of Commander, Liaison, Scribe, Reporter, Participant, Observer'],
    [change('promote' as never, 'Scribe', 'x@example.com'), 'invalid_field', 'action', 'action must be one of assign, renounce'],
    [change('assign', 'Scribe', 'nobody'), 'invalid_field', 'person.email', 'person.email must be an email address'],
    [change('assign', 'Reporter', 'x@example.com'), 'invalid_transition', 'role', 'the Reporter of INC-7 is whoever declared it; that role cannot be assigned'],
    [change('assign', 'Commander', 'rita@example.com'), 'invalid_transition', 'role', 'rita@example.com is already Commander of INC-7'],
    [change('renounce', 'Scribe', 'rita@example.com'), 'invalid_transition', 'role', 'rita@example.com is not Scribe of INC-7'],
    [change('renounce', 'Commander', 'rita@example.com'), 'invalid_transition', 'role', 'INC-7 needs a commander: assign someone else as Commander first'],
  ])('%j is refused', (bad, code, field, message) => {
    const err = refusal(() => validateRoleChange(incident(), bad));
    expect(err).toMatchObject({ code, field });
    expect(err.message).toContain(message);
  });

  test('a closed incident must be reopened first', () => {
    const err = refusal(() => validateRoleChange(incident({ status: 'Closed', closedAt: AT }), change('assign', 'Scribe', 'sam@example.com')));
    expect(err.message).toBe('INC-7 is Closed; reopen it before changing roles');
  });
});
