import { loadConfig } from '../../config/env';
import { musterConfigSchema } from '../../config/muster-config';
import type { IncidentState } from '../../domain/incident';
import {
  headline,
  isNotifiable,
  matchingTargets,
  notificationKey,
  renderNotification,
  subjectOf,
  validateSubscription,
  type NotifiableEvent,
} from '../../domain/notifications';
import { welcomeMessage } from '../../domain/welcome';
import { providersFromConfig } from '../../worker/providers';

const incident = (extra: Partial<IncidentState> = {}): IncidentState => ({
  id: 'INC-7',
  number: 7,
  title: 'Checkout <errors> & timeouts',
  description: 'Customers see 502s',
  type: 'Operational',
  severity: 'High',
  priority: 'High',
  status: 'Active',
  visibility: 'Open',
  tags: ['payments'],
  reporter: { email: 'rita@example.com' },
  commander: { email: 'ic@example.com', name: 'Ida Commander' },
  participants: [],
  timeline: [],
  resources: {},
  declaredAt: '2026-12-03T10:00:00.000Z',
  updatedAt: '2026-12-03T10:00:00.000Z',
  version: 1,
  ...extra,
});

const { notificationTargets: targets } = musterConfigSchema.parse({
  notificationTargets: [
    { name: 'All', kind: 'slack-channel', target: '#incidents' },
    { name: 'Leadership', kind: 'email', target: 'leadership@example.com', filter: { field: 'priority', op: 'eq', value: 'High' } },
    { name: 'Payments', kind: 'slack-channel', target: 'payments', filter: { and: [{ field: 'tags', op: 'in', value: ['payments'] }, { not: { field: 'severity', op: 'eq', value: 'Low' } }] } },
  ],
});

describe('which events are announced', () => {
  test.each([
    [{ kind: 'declared' }, true],
    [{ kind: 'status', field: 'status' }, true],
    [{ kind: 'report' }, true],
    [{ kind: 'changed', field: 'severity' }, true],
    [{ kind: 'changed', field: 'priority' }, true],
    [{ kind: 'changed', field: 'commander' }, true],
    [{ kind: 'role', field: 'commander' }, true],
    [{ kind: 'changed', field: 'title' }, false],
    [{ kind: 'changed', field: 'visibility' }, false],
    [{ kind: 'role', field: 'liaison' }, false],
    [{ kind: 'note' }, false],
    [{ kind: 'resource', field: 'channel' }, false],
    [{ kind: 'resumed' }, false],
  ] as const)('%j -> %s', (event, expected) => {
    expect(isNotifiable(event)).toBe(expected);
  });
});

describe('target matching', () => {
  test('no filter matches everything; filters pick the rest', () => {
    expect(matchingTargets(targets, incident()).map((t) => t.name)).toEqual(['All', 'Leadership', 'Payments']);
    expect(matchingTargets(targets, incident({ priority: 'Low', severity: 'Low' })).map((t) => t.name)).toEqual(['All']);
    expect(matchingTargets(targets, incident({ tags: [] })).map((t) => t.name)).toEqual(['All', 'Leadership']);
  });

  test('a restricted incident matches no target at all', () => {
    expect(matchingTargets(targets, incident({ visibility: 'Restricted' }))).toEqual([]);
  });

  test('one key per incident, event and target', () => {
    expect(notificationKey('INC-7', 12, 'Leadership')).toBe('INC-7:12:Leadership');
    expect(notificationKey('INC-7', 12, 'All')).not.toBe(notificationKey('INC-7', 13, 'All'));
  });
});

describe('message text', () => {
  const event = (e: Partial<NotifiableEvent>): NotifiableEvent => ({ seq: 3, kind: 'changed', actor: 'ic@example.com', text: 'ic@example.com changed severity from High to Critical', ...e });

  test('headlines say what happened', () => {
    const i = incident();
    expect(headline(i, event({ kind: 'declared', seq: 1 }))).toBe('New incident: INC-7 Checkout <errors> & timeouts');
    expect(headline(i, event({ field: 'severity', from: 'High', to: 'Critical' }))).toBe('Severity High → Critical: INC-7 Checkout <errors> & timeouts');
    expect(headline(i, event({ kind: 'status', field: 'status', from: 'Active', to: 'Stable' }))).toMatch(/^Status Active → Stable: /);
    expect(headline(i, event({ kind: 'status', field: 'status', from: 'Closed', to: 'Active' }))).toMatch(/^Reopened as Active: /);
    expect(headline(i, event({ kind: 'role', field: 'commander', from: 'ic@example.com', to: 'sam@example.com' }))).toMatch(/^Commander is now sam@example.com: /);
    expect(headline(i, event({ kind: 'report' }))).toMatch(/^New report: /);
  });

  test('a notification has the essentials, escaped HTML, and Join / Subscribe buttons carrying the incident id', () => {
    const resources = { channel: { status: 'ready' as const, url: 'https://slack.example/C1', externalId: 'C1' }, ticket: { status: 'ready' as const, url: 'https://jira.example/OPS-1', externalId: 'OPS-1' } };
    const rendered = renderNotification(subjectOf(incident()), resources, event({ field: 'severity', from: 'High', to: 'Critical' }));
    expect(rendered.subject).toBe('Severity High → Critical: INC-7 Checkout <errors> & timeouts');
    expect(rendered.text).toContain('ic@example.com changed severity from High to Critical');
    expect(rendered.text).toContain('Commander: Ida Commander');
    expect(rendered.text).toContain('• Ticket: https://jira.example/OPS-1');
    expect(rendered.html).toContain('Checkout &lt;errors&gt; &amp; timeouts');
    expect(rendered.html).not.toContain('<errors>');
    expect(rendered.html).toContain('<a href="https://slack.example/C1">');
    const actions = rendered.blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['muster_join', 'INC-7'],
      ['muster_subscribe', 'INC-7'],
    ]);
    // Slack mrkdwn control characters are escaped in the headline block.
    expect(JSON.stringify(rendered.blocks[0])).toContain('Checkout &lt;errors&gt; &amp; timeouts');
  });
});

describe('welcome', () => {
  test('says what each held role means and lists each command once', () => {
    const welcome = welcomeMessage({ id: 'INC-7', title: 'Checkout errors' }, ['Liaison', 'Scribe'], 'https://slack.example/C1');
    expect(welcome.subject).toBe('Welcome to INC-7: you are Liaison and Scribe');
    expect(welcome.text).toMatch(/^Welcome to INC-7 \(Checkout errors\)\. You are the Liaison and the Scribe\./);
    expect(welcome.text).toContain('/muster report executive');
    expect(welcome.text).toContain('/muster timeline add <text>');
    expect(welcome.text.match(/\/muster status`/g)).toHaveLength(1);
    expect(welcome.text).toContain('Incident channel: https://slack.example/C1');
  });

  test('the commander hears about updates, roles and reports; an observer how to subscribe', () => {
    const commander = welcomeMessage({ id: 'INC-7', title: 't' }, ['Commander']).text;
    expect(commander).toContain('You lead the response');
    expect(commander).toContain('/muster role assign <role> <email>');
    expect(welcomeMessage({ id: 'INC-7', title: 't' }, ['Observer']).text).toContain('/muster subscribe');
    expect(welcomeMessage({ id: 'INC-7', title: 't' }, []).subject).toBe('Welcome to INC-7: you are Participant');
  });
});

describe('subscriptions', () => {
  test('need a person with an email and an actor; a failed notifications group refuses', () => {
    expect(validateSubscription(incident(), { person: { email: ' Sam@Example.com ' }, actor: 'ic@example.com' })).toEqual({ person: { email: 'sam@example.com' }, actor: 'ic@example.com' });
    expect(() => validateSubscription(incident(), { person: { email: 'nope' }, actor: 'ic' })).toThrow(expect.objectContaining({ code: 'invalid_field', field: 'person.email' }));
    const failed = incident({ resources: { notificationsGroup: { status: 'failed', error: 'HTTP 403' } } });
    expect(() => validateSubscription(failed, { person: { email: 'sam@example.com' }, actor: 'ic' })).toThrow(expect.objectContaining({ code: 'invalid_transition' }));
  });
});

describe('email configuration', () => {
  test('SMTP_URL chooses SMTP; without it Gmail comes with Google', () => {
    const smtp = loadConfig({ SMTP_URL: 'smtp://user:secret@mail.example.com:587', SMTP_FROM: 'Muster <muster@example.com>' }).vendors;
    expect(smtp.email).toBe('smtp');
    expect(smtp.smtp).toEqual({ url: 'smtp://user:secret@mail.example.com:587', from: 'Muster <muster@example.com>' });
    expect(providersFromConfig(smtp).providers.email).toBeDefined();
    const gmail = loadConfig({ GOOGLE_ACCESS_TOKEN: 't', GOOGLE_DOMAIN: 'example.com', GOOGLE_SENDER: 'muster@example.com' }).vendors;
    expect(gmail.email).toBe('gmail');
    expect(loadConfig({}).vendors.email).toBeUndefined();
    expect(providersFromConfig(loadConfig({}).vendors).providers.email).toBeUndefined();
  });

  test('half an SMTP setup, or a bad URL, is an error that never shows the URL', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' })).toThrow('SMTP: set SMTP_FROM too');
    expect(() => loadConfig({ MUSTER_EMAIL: 'smtp' })).toThrow('MUSTER_EMAIL=smtp: set SMTP_URL (or SMTP_URL_FILE) and SMTP_FROM');
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'http://user:hunter2@mail', SMTP_FROM: 'm@example.com' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SMTP_URL: must look like smtp://');
    expect(message).not.toContain('hunter2');
  });
});
