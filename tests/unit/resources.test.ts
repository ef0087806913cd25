import { DEFAULT_SETTINGS, type IncidentState } from '../../domain/incident';
import { applyAssembled, applyResource, newIncident, normalizeDeclaration, validateRetry } from '../../domain/rules';
import { briefOf, channelName, channelTopic, essentialsText, groupEmail, RESOURCE_NEEDS, readyLinks, RESOURCE_KINDS } from '../../domain/resources';

const AT = '2026-12-03T10:00:00.000Z';

function incident(): IncidentState {
  const declaration = normalizeDeclaration(
    { title: 'DB latency', priority: 'High', severity: 'High', reporter: { email: 'rita@example.com' }, commander: { email: 'ic@example.com', name: 'Ida' } },
    DEFAULT_SETTINGS,
  );
  return newIncident('INC-7', 7, declaration, AT);
}

test('the dependency graph only points at known resources and has no cycles', () => {
  const seen = new Set<string>();
  const visit = (kind: (typeof RESOURCE_KINDS)[number], path: string[]): void => {
    expect(path).not.toContain(kind);
    for (const need of RESOURCE_NEEDS[kind]) visit(need, [...path, kind]);
    seen.add(kind);
  };
  for (const kind of RESOURCE_KINDS) visit(kind, []);
  expect([...seen].sort()).toEqual([...RESOURCE_KINDS].sort());
});

test('names are deterministic, so a retry finds what the first attempt made', () => {
  expect(channelName('INC-7')).toBe('inc-7');
  expect(groupEmail('INC-7', 'example.com', 'tactical')).toBe('inc-7@example.com');
  expect(groupEmail('INC-7', 'example.com', 'notifications')).toBe('inc-7-notifications@example.com');
});

test("the topic is Dispatch's: commander | status | type | severity | priority", () => {
  expect(channelTopic(briefOf(incident()))).toBe(':man-firefighter: Ida | :hourglass: Active | :fire: Operational | :warning: High | :rotating_light: High');
});

test('resources move through the timeline; ready links list only ready ones', () => {
  const state = incident();
  applyResource(state, 'ticket', { status: 'pending', attempts: 1 }, 'Ticket', AT);
  expect(state.timeline).toHaveLength(1); // starting is not news
  applyResource(state, 'ticket', { status: 'ready', url: 'https://jira/OPS-1', externalId: 'OPS-1', attempts: 1 }, 'Ticket', AT);
  applyResource(state, 'folder', { status: 'failed', error: 'HTTP 403', attempts: 1 }, 'Drive folder', AT);
  expect(state.timeline.slice(1).map((e) => e.text)).toEqual(['Ticket is ready: https://jira/OPS-1', 'Drive folder could not be made: HTTP 403']);
  expect(readyLinks(state.resources)).toEqual([{ kind: 'ticket', title: 'Ticket', url: 'https://jira/OPS-1' }]);
  expect(essentialsText(briefOf(state), state.resources)).toContain('• Ticket: https://jira/OPS-1');
  expect(essentialsText(briefOf(state), state.resources)).not.toContain('Drive folder');

  applyAssembled(state, 1, 2, '2026-12-03T10:00:01.500Z');
  expect(state.assembledAt).toBe('2026-12-03T10:00:01.500Z');
  expect(state.timeline.at(-1)!.text).toBe('Assembled in 1.5 s: 1 of 2 resources ready');
  applyAssembled(state, 2, 2, '2026-12-03T10:09:00.000Z');
  expect(state.assembledAt).toBe('2026-12-03T10:00:01.500Z');
});

test('only failed resources can be retried, with a reason otherwise', () => {
  const state = incident();
  applyResource(state, 'channel', { status: 'ready', attempts: 1 }, 'Slack channel', AT);
  applyResource(state, 'folder', { status: 'failed', error: 'HTTP 403', attempts: 1 }, 'Drive folder', AT);
  expect(validateRetry(state, 'folder')).toBe('folder');
  expect(() => validateRetry(state, 'channel')).toThrow('Slack channel cannot be retried: it is ready; only failed resources can');
  expect(() => validateRetry(state, 'ticket')).toThrow('Ticket cannot be retried: INC-7 has none; only failed resources can');
  expect(() => validateRetry(state, 'fax')).toThrow('fax is not a resource; resources are ticket, tacticalGroup');
});
