import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMusterConfig } from '../../config/muster-config';
import {
  applyEngagement,
  engagedTeams,
  findService,
  matchRules,
  pageDedupKey,
  ruleFingerprint,
  validateEngageOncall,
  type EngagementResolution,
} from '../../domain/engagement';
import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import { IncidentRuleError, newIncident, normalizeDeclaration } from '../../domain/rules';

const AT = '2026-12-03T10:00:00.000Z';
const config = parseMusterConfig(readFileSync(join(__dirname, '../../config/muster.example.yaml'), 'utf8'), 'muster.example.yaml');
const SERVICES = [
  { name: 'Database on-call', serviceId: 'PSVCDB1' },
  { name: 'Security on-call', serviceId: 'PSVCSEC' },
];

function incident(extra: Partial<Parameters<typeof normalizeDeclaration>[0]> = {}): IncidentState {
  const declaration = normalizeDeclaration({ title: 'DB latency', reporter: { email: 'rita@example.com' }, ...extra }, DEFAULT_SETTINGS);
  return newIncident('INC-7', 7, declaration, AT);
}

function refusal(fn: () => unknown): IncidentRuleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IncidentRuleError) return err;
    throw err;
  }
  throw new Error('not refused');
}

const none: EngagementResolution = { individuals: [], teams: [], oncall: [] };

describe('matchRules over the example configuration', () => {
  test('tags, priority and type pick individuals, teams and on-call services', () => {
    const matched = matchRules(config, incident({ priority: 'High', tags: ['database'] }));
    expect(matched.individuals.map((i) => i.email)).toEqual(['dana@example.com', 'sam@example.com']);
    expect(matched.teams.map((t) => t.email)).toEqual(['data-platform@example.com']);
    expect(matched.services).toEqual([{ name: 'Database on-call', serviceId: 'PSVCDB1' }]);
  });

  test('nothing matches a quiet incident; a Security one brings the security team and on-call', () => {
    expect(matchRules(config, incident({ priority: 'Low' }))).toEqual({ individuals: [], teams: [], services: [] });
    const security = matchRules(config, incident({ type: 'Security', severity: 'High', visibility: 'Restricted' }));
    expect(security.teams.map((t) => t.name)).toEqual(['Security team']);
    expect(security.services.map((s) => s.serviceId)).toEqual(['PSVCSEC']);
    // Liam's rule wants Open incidents only.
    expect(security.individuals).toEqual([]);
  });
});

describe('applyEngagement only adds', () => {
  const resolution: EngagementResolution = {
    individuals: [{ email: 'sam@example.com', name: 'Sam SRE' }],
    teams: [{ name: 'Data platform', email: 'data-platform@example.com' }],
    oncall: [{ service: SERVICES[0]!, people: [{ email: 'dana@example.com', name: 'Dana DBA' }] }],
  };

  test('individuals become Observers, on-call Participants, teams are recorded once', () => {
    const state = incident();
    expect(applyEngagement(state, resolution, AT)).toEqual({ people: ['sam@example.com', 'dana@example.com'], teams: ['data-platform@example.com'] });
    expect(state.participants.map((p) => [p.email, p.roles])).toEqual([
      ['rita@example.com', ['Reporter', 'Commander']],
      ['sam@example.com', ['Observer']],
      ['dana@example.com', ['Participant']],
    ]);
    expect(engagedTeams(state)).toEqual(['data-platform@example.com']);
    expect(state.version).toBe(2);
    // The same resolution again changes nothing.
    expect(applyEngagement(state, resolution, AT)).toEqual({ people: [], teams: [] });
    expect(state.version).toBe(2);
  });

  test('nobody present is demoted, and someone who left is not pulled back', () => {
    const state = incident({ commander: { email: 'sam@example.com' } });
    applyEngagement(state, resolution, AT);
    expect(state.participants.find((p) => p.email === 'sam@example.com')!.roles).toEqual(['Commander']);
    state.participants = state.participants.filter((p) => p.email !== 'dana@example.com');
    expect(applyEngagement(state, resolution, AT).people).toEqual([]);
    expect(applyEngagement(state, none, AT)).toEqual({ people: [], teams: [] });
  });
});

describe('engageOncall validation', () => {
  test('a service by name (any case) or id; unknown names the known ones', () => {
    expect(findService(SERVICES, 'database ON-CALL')).toEqual(SERVICES[0]);
    expect(findService(SERVICES, 'PSVCSEC')).toEqual(SERVICES[1]);
    const unknown = refusal(() => findService(SERVICES, 'Payroll'));
    expect([unknown.code, unknown.field, unknown.message]).toEqual([
      'invalid_field',
      'service',
      'Payroll is not an on-call service; known services: Database on-call (PSVCDB1), Security on-call (PSVCSEC)',
    ]);
    expect(refusal(() => findService([], 'x')).message).toBe('x is not an on-call service; known services: none are configured');
    expect(refusal(() => findService(SERVICES, '  ')).field).toBe('service');
  });

  test('role defaults to Participant; Reporter, unknown roles, a non-boolean page and a Closed incident are refused', () => {
    const state = incident();
    expect(validateEngageOncall(state, SERVICES, { service: 'PSVCDB1', actor: 'ic@example.com' })).toEqual({ service: SERVICES[0], role: 'Participant', page: false });
    expect(refusal(() => validateEngageOncall(state, SERVICES, { service: 'PSVCDB1', role: 'Reporter', actor: 'a' })).field).toBe('role');
    expect(refusal(() => validateEngageOncall(state, SERVICES, { service: 'PSVCDB1', role: 'Boss' as never, actor: 'a' })).message).toMatch(/^role must be one of Commander, Liaison, Scribe, Participant, Observer/);
    expect(refusal(() => validateEngageOncall(state, SERVICES, { service: 'PSVCDB1', page: 'yes' as never, actor: 'a' })).field).toBe('page');
    const closed = refusal(() => validateEngageOncall({ ...state, status: 'Closed' }, SERVICES, { service: 'PSVCDB1', actor: 'a' }));
    expect([closed.code, closed.message]).toEqual(['invalid_transition', 'INC-7 is Closed; reopen it before engaging on-call']);
  });
});

test('dedup keys depend on incident, target and request only; fingerprints on rule-visible fields only', () => {
  expect(pageDedupKey('INC-7', 'PSVCIC1', 'declare')).toBe('muster/INC-7/PSVCIC1/declare');
  expect(pageDedupKey('INC-7', 'PSVCIC1', 'engage-12')).not.toBe(pageDedupKey('INC-7', 'PSVCIC1', 'engage-13'));
  const state = incident();
  const before = ruleFingerprint(state);
  state.version += 5;
  state.resources.channel = { status: 'ready' };
  expect(ruleFingerprint(state)).toBe(before);
  state.severity = 'High';
  expect(ruleFingerprint(state)).not.toBe(before);
});
