/**
 * The PagerDuty on-call provider against the sandbox: REST over http, Events v2 over the
 * sandbox's https listener trusted through the provider's own agent (no NODE_EXTRA_CA_CERTS).
 */
import { pagerdutyOnCallProvider, type PagerDutyConfig } from '../../activities/providers/pagerduty';
import type { OnCallProvider } from '../../activities/providers/types';
import { DEFAULT_FIXTURE, type SandboxFixture } from '../../sandbox/fixture';
import { sandboxRoutingKeys } from '../../sandbox/pagerduty';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { vendorError } from '../support/vendor';

let sandbox: Sandbox;
let config: PagerDutyConfig;
let pagerduty: OnCallProvider;

interface PdState {
  incidents: Array<{ number: number; title: string; serviceId: string; status: string; incidentKey: string; alerts: number; from: string }>;
}
const incidents = () => (sandbox.state().pagerduty as PdState).incidents;
const calls = (box = sandbox) => box.log.find({ vendor: 'pagerduty' }).map((e) => `${e.method} ${e.path} ${e.status}`);


const configFor = (box: Sandbox): PagerDutyConfig => ({
  token: box.fixture.credentials.pagerdutyToken,
  apiUrl: box.url,
  eventsServer: box.tlsServer,
  ca: box.ca,
  from: 'ic@example.com',
  routingKeys: sandboxRoutingKeys(box.fixture),
});

const pageInput = { serviceId: 'PSVCDB1', dedupKey: 'muster-INC-1-database', title: 'INC-1: Checkout is down', details: 'Payments fail since 10:02', links: [{ href: 'https://slack.example/C1', text: 'Incident channel' }] };

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tlsPort: 0 });
  config = configFor(sandbox);
  pagerduty = pagerdutyOnCallProvider(config);
});

afterAll(async () => {
  await sandbox.stop();
});

beforeEach(() => sandbox.reset());

test("currentOnCall reads the service's escalation policy and lists its on-call, lowest level first", async () => {
  const people = await pagerduty.currentOnCall('PSVCDB1');

  expect(people).toEqual([
    { email: 'dana@example.com', name: 'Dana DBA', level: 1 },
    { email: 'sam@example.com', name: 'Sam SRE', level: 2 },
  ]);
  expect(calls()).toEqual(['GET /services/PSVCDB1 200', 'GET /oncalls 200']);
  expect(sandbox.log.find({ vendor: 'pagerduty', route: 'GET /oncalls' })[0]!.query).toEqual({
    'escalation_policy_ids[]': 'PEPDB01',
    'include[]': 'users',
    limit: '100',
    offset: '0',
  });
});

test('currentOnCall walks every page of on-call entries', async () => {
  // 150 levels of one person each: two pages of 100.
  const users = Array.from({ length: 150 }, (_, i) => ({ email: `p${i}@example.com`, name: `Person ${String(i).padStart(3, '0')}`, slackId: `U${i}`, pagerdutyId: `PU${i}` }));
  const fixture: SandboxFixture = {
    ...DEFAULT_FIXTURE,
    users,
    pagerduty: {
      services: [{ id: 'PSVCBIG', name: 'Big', escalationPolicyId: 'PEPBIG1' }],
      escalationPolicies: [{ id: 'PEPBIG1', name: 'Big', oncall: users.map((u, i) => ({ level: i + 1, userId: u.pagerdutyId })) }],
    },
  };
  const big = await startSandbox({ port: 0, tlsPort: 0, fixture });
  try {
    const people = await pagerdutyOnCallProvider(configFor(big)).currentOnCall('PSVCBIG');
    expect(people).toHaveLength(150);
    expect(people.map((p) => p.level)).toEqual(users.map((_, i) => i + 1));
    expect(calls(big)).toEqual(['GET /services/PSVCBIG 200', 'GET /oncalls 200', 'GET /oncalls 200']);
    expect(big.log.find({ route: 'GET /oncalls' }).map((e) => e.query.offset)).toEqual(['0', '100']);
  } finally {
    await big.stop();
  }
});

test('paging twice with the same dedup key opens one incident (Events v2 over https)', async () => {
  const first = await pagerduty.page(pageInput);
  const second = await pagerduty.page(pageInput);

  expect(first).toEqual({ id: 'muster-INC-1-database' });
  expect(second).toEqual(first);
  expect(incidents()).toEqual([
    expect.objectContaining({ number: 1, title: 'INC-1: Checkout is down', serviceId: 'PSVCDB1', status: 'triggered', incidentKey: 'muster-INC-1-database', alerts: 1, from: 'Events API' }),
  ]);
  expect(calls()).toEqual(['POST /v2/enqueue 202', 'POST /v2/enqueue 202']);
  expect(sandbox.log.find({ vendor: 'pagerduty' })[0]!.body).toEqual({
    routing_key: sandboxRoutingKeys(sandbox.fixture).PSVCDB1,
    event_action: 'trigger',
    dedup_key: 'muster-INC-1-database',
    payload: { summary: 'INC-1: Checkout is down', source: 'muster', severity: 'critical', custom_details: { details: 'Payments fail since 10:02' } },
    links: [{ href: 'https://slack.example/C1', text: 'Incident channel' }],
  });
});

test('a service without a routing key is permanent and sends nothing', async () => {
  const err = await vendorError(pagerduty.page({ ...pageInput, serviceId: 'PNOKEY1' }));
  expect(err.kind).toBe('permanent');
  expect(err.message).toContain('no Events v2 routing key');
  expect(calls()).toEqual([]);
});

test('a wrong routing key is permanent with PagerDuty’s reason', async () => {
  const wrong = pagerdutyOnCallProvider({ ...config, routingKeys: { PSVCDB1: 'f'.repeat(32) } });
  const err = await vendorError(wrong.page(pageInput));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 400 } });
  expect(err.message).toContain('Event object is invalid: Invalid routing key');
  expect(incidents()).toHaveLength(0);
  expect(calls()).toEqual(['POST /v2/enqueue 400']);
});

test('a bad API token is permanent', async () => {
  const wrong = pagerdutyOnCallProvider({ ...config, token: 'not-the-token' });
  const err = await vendorError(wrong.currentOnCall('PSVCDB1'));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 401, code: '2006' } });
  expect(err.message).toContain('Unauthorized');
  expect(calls()).toEqual(['GET /services/PSVCDB1 401']);
});

test('an unknown service is permanent', async () => {
  const err = await vendorError(pagerduty.currentOnCall('PNOPE01'));
  expect(err).toMatchObject({ kind: 'permanent', details: { status: 404 } });
});

test('5xx is transient, for REST and for Events', async () => {
  sandbox.faults.add({ vendor: 'pagerduty', route: 'GET /oncalls', mode: 'fail', times: 1 });
  sandbox.faults.add({ vendor: 'pagerduty', route: 'POST /v2/enqueue', mode: 'fail', status: 502, times: 1 });

  expect(await vendorError(pagerduty.currentOnCall('PSVCDB1'))).toMatchObject({ kind: 'transient', details: { status: 503 } });
  expect(await vendorError(pagerduty.page(pageInput))).toMatchObject({ kind: 'transient', details: { status: 502 } });
  expect(incidents()).toHaveLength(0);
  expect(calls()).toEqual(['GET /services/PSVCDB1 200', 'GET /oncalls 503', 'POST /v2/enqueue 502']);

  // Temporal's retry then pages once.
  await pagerduty.page(pageInput);
  expect(incidents()).toHaveLength(1);
});

test('429 reaches the caller quickly as rate_limited with Retry-After, after pdjs’s own short retries', async () => {
  sandbox.faults.add({ vendor: 'pagerduty', route: 'POST /v2/enqueue', mode: 'rateLimit', retryAfterSeconds: 3 });
  const started = Date.now();
  const err = await vendorError(pagerduty.page(pageInput));
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 3000 } });
  // pdjs always retries a 429 three times; they are 100 ms apart instead of 20 s.
  expect(calls()).toEqual(Array.from({ length: 4 }, () => 'POST /v2/enqueue 429'));
});

test('an unreachable PagerDuty is transient', async () => {
  const nowhere = pagerdutyOnCallProvider({ ...config, apiUrl: 'http://127.0.0.1:1', eventsServer: '127.0.0.1:1' });
  expect(await vendorError(nowhere.currentOnCall('PSVCDB1'))).toMatchObject({ kind: 'transient' });
  expect(await vendorError(nowhere.page(pageInput))).toMatchObject({ kind: 'transient' });
});

test('without the sandbox CA the https Events listener is not trusted', async () => {
  const untrusting = pagerdutyOnCallProvider({ ...config, ca: undefined });
  const err = await vendorError(untrusting.page(pageInput));
  expect(err.kind).toBe('transient');
  expect(err.message).toMatch(/SELF_SIGNED|self.signed|certificate/i);
});
