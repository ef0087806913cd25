/**
 * Hands out short, human incident ids (INC-1, INC-2, ...) and remembers idempotency keys, so a
 * retried declaration gets the incident made the first time. One long-lived workflow per
 * deployment; an update per allocation keeps the counter strictly serial.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { formatIncidentId } from '../domain/rules';
import {
  allocateIncidentIdUpdate,
  type AllocatedIncidentId,
  type IncidentRegistryInput,
  type RememberedKey,
} from './definitions';

const { highestIncidentNumber } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '30 seconds' },
});

const KEY_MEMORY_MS = 24 * 60 * 60 * 1000;
// Hand over to a fresh run well before the carried keys make the input large.
const HAND_OVER_AT_KEYS = 10_000;
const KEYS_KEPT = 5_000;

export async function incidentRegistryWorkflow(input: IncidentRegistryInput): Promise<void> {
  let lastNumber = input.lastNumber;
  const keys = new Map<string, RememberedKey>((input.keys ?? []).map((k) => [k.key, k]));

  setHandler(
    allocateIncidentIdUpdate,
    async ({ idempotencyKey }): Promise<AllocatedIncidentId> => {
      await condition(() => lastNumber !== undefined);
      const known = keys.get(idempotencyKey);
      if (known) return { incidentId: known.incidentId, number: known.number, created: false };
      const number = ++lastNumber!;
      const incidentId = formatIncidentId(input.prefix, number);
      keys.set(idempotencyKey, { key: idempotencyKey, incidentId, number, at: Date.now() });
      return { incidentId, number, created: true };
    },
    {
      validator: ({ idempotencyKey }) => {
        if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 200) {
          throw new Error('idempotencyKey must be a non-empty string of at most 200 characters');
        }
      },
    },
  );

  // First run (or a wiped server): continue after the highest number the store has seen,
  // so ids are never reused.
  if (lastNumber === undefined) lastNumber = await highestIncidentNumber(input.prefix);

  await condition(() => workflowInfo().continueAsNewSuggested || keys.size >= HAND_OVER_AT_KEYS);
  await condition(allHandlersFinished);
  const horizon = Date.now() - KEY_MEMORY_MS;
  const kept = [...keys.values()].filter((k) => k.at >= horizon).slice(-KEYS_KEPT);
  await continueAsNew<typeof incidentRegistryWorkflow>({ prefix: input.prefix, lastNumber, keys: kept });
}
