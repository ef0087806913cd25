/** Participation rules the Slack app's channel events drive (domain/participation.ts). */
import { newIncident, normalizeDeclaration, IncidentRuleError } from '../../domain/rules';
import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import {
  applyAddParticipant,
  applyChannelActivity,
  applyRemoveParticipant,
  PROMOTION_MESSAGES,
  validateAddParticipant,
  validateRemoveParticipant,
} from '../../domain/participation';
import { mentionedUser } from '../../api/slack/context';
import { tokenize } from '../../api/slack/commands';
import { parseSlackBody } from '../../api/slack/receiver';
import { blockFor } from '../../api/slack/blocks';

const AT = '2026-12-03T10:00:00.000Z';
const incident = (): IncidentState =>
  newIncident('INC-1', 1, normalizeDeclaration({ title: 'x', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com' } }, DEFAULT_SETTINGS), AT);
const roles = (state: IncidentState, email: string) => state.participants.find((p) => p.email === email)?.roles;

describe('participation', () => {
  it('joining adds an Observer once; joining again changes nothing', () => {
    const state = incident();
    const request = validateAddParticipant(state, { person: { email: 'Dana@Example.com' }, role: 'Observer', actor: 'dana@example.com' });
    expect(applyAddParticipant(state, request, AT)).toBe(true);
    expect(roles(state, 'dana@example.com')).toEqual(['Observer']);
    const version = state.version;
    expect(applyAddParticipant(state, request, AT)).toBe(false);
    expect(state.version).toBe(version);
  });

  it(`an Observer becomes a Participant after ${PROMOTION_MESSAGES} messages; a message from a stranger adds an Observer`, () => {
    const state = incident();
    const dana = { person: { email: 'dana@example.com' } };
    expect(applyChannelActivity(state, dana, AT)).toBe(true);
    expect(roles(state, 'dana@example.com')).toEqual(['Observer']);
    expect(applyChannelActivity(state, dana, AT)).toBe(false);
    expect(applyChannelActivity(state, dana, AT)).toBe(true);
    expect(roles(state, 'dana@example.com')).toEqual(['Participant']);
    expect(state.timeline.at(-1)?.text).toContain('is now a Participant (3 messages');
    // The commander talking changes nothing about their roles.
    applyChannelActivity(state, { person: { email: 'ic@example.com' } }, AT);
    expect(roles(state, 'ic@example.com')).toEqual(['Commander']);
  });

  it('Join as Participant promotes an Observer', () => {
    const state = incident();
    applyAddParticipant(state, { person: { email: 'sam@example.com' }, role: 'Observer', actor: 'sam@example.com' }, AT);
    expect(applyAddParticipant(state, { person: { email: 'sam@example.com' }, role: 'Participant', actor: 'sam@example.com' }, AT)).toBe(true);
    expect(roles(state, 'sam@example.com')).toEqual(['Participant']);
  });

  it('leaving drops Observer/Participant, keeps duties, and never removes the commander', () => {
    const state = incident();
    applyAddParticipant(state, { person: { email: 'sam@example.com' }, role: 'Participant', actor: 'x' }, AT);
    state.participants.find((p) => p.email === 'sam@example.com')!.roles.push('Scribe');
    applyRemoveParticipant(state, validateRemoveParticipant(state, { person: { email: 'sam@example.com' }, actor: 'sam@example.com' }), AT);
    expect(roles(state, 'sam@example.com')).toEqual(['Scribe']);
    expect(applyRemoveParticipant(state, { person: { email: 'nobody@example.com' }, actor: 'x' }, AT)).toBe(false);
    expect(() => validateRemoveParticipant(state, { person: { email: 'ic@example.com' }, actor: 'ic@example.com' })).toThrow(IncidentRuleError);
  });

  it('refuses bad input and closed incidents', () => {
    const state = incident();
    expect(() => validateAddParticipant(state, { person: { email: 'nope' }, role: 'Observer', actor: 'x' })).toThrow(/person.email/);
    expect(() => validateAddParticipant(state, { person: { email: 'a@b.c' }, role: 'Commander' as never, actor: 'x' })).toThrow(/role must be Observer or Participant/);
    state.status = 'Closed';
    expect(() => validateAddParticipant(state, { person: { email: 'a@b.c' }, role: 'Observer', actor: 'x' })).toThrow(/Closed/);
  });
});

describe('Slack parsing', () => {
  it('reads mentions, tokens, bodies and error blocks', () => {
    expect(mentionedUser('<@U00000SAM|sam>')).toBe('U00000SAM');
    expect(mentionedUser('<@U00000SAM>')).toBe('U00000SAM');
    expect(mentionedUser('sam')).toBeUndefined();
    expect(tokenize('  status   INC-7 stable ')).toEqual(['status', 'INC-7', 'stable']);
    expect(parseSlackBody('payload=%7B%22type%22%3A%22block_actions%22%7D', 'application/x-www-form-urlencoded')).toEqual({ type: 'block_actions' });
    expect(parseSlackBody('command=%2Fmuster&text=help', 'application/x-www-form-urlencoded; charset=utf-8')).toEqual({ command: '/muster', text: 'help' });
    expect(blockFor('tags[3]', ['title', 'tags'])).toBe('tags');
    expect(blockFor('reporter.email', ['title', 'tags'])).toBe('title');
  });
});
