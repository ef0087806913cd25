import { activeDigestText, closedDigestText, feedbackDigestText } from '../../domain/digests';

const AT = '2026-12-03T10:00:00.000Z';

test('digest texts', () => {
  const incident = {
    id: 'INC-7', title: 'DB latency', status: 'Active' as const, priority: 'High' as const, severity: 'High' as const,
    commander: { email: 'ic@example.com', name: 'Ida' }, declaredAt: AT, resources: { channel: { status: 'ready' as const, url: 'https://slack/C1' } },
  };
  expect(closedDigestText([], '2026-12-03')).toBe('Muster weekly digest (week to 2026-12-03): no incidents closed.');
  expect(activeDigestText([], '2026-12-03')).toBe('Muster daily digest (2026-12-03): no active incidents.');
  expect(activeDigestText([incident], '2026-12-03')).toBe('Muster daily digest (2026-12-03): 1 active incident\n• INC-7: DB latency (Active, High priority, High severity, commander Ida) · https://slack/C1');
  const text = feedbackDigestText(
    [
      { incidentId: 'INC-7', incidentTitle: 'DB latency', person: { email: 'sam@example.com' }, rating: 2, anonymous: true, submittedAt: AT },
      { incidentId: 'INC-7', incidentTitle: 'DB latency', person: { email: 'rita@example.com', name: 'Rita' }, rating: 4, text: 'Good', anonymous: false, submittedAt: AT },
    ],
    '2026-12-03',
  );
  expect(text).toBe('Muster feedback digest (2026-12-03): 2 new feedback on 1 incident you commanded\n\nINC-7: DB latency (average 3/5)\n• 2/5 from someone (anonymous)\n• 4/5 from Rita: Good');
});
