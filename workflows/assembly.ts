/**
 * Makes an incident's resources, each as soon as what it needs exists, then ties them together;
 * afterwards keeps them in sync with the incident and remakes failed ones on request. Runs as
 * one coroutine inside the incident workflow, so resource work never overlaps itself.
 */
import { ActivityFailure, ApplicationFailure, condition, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { MusterActivities } from '../activities';
import type { IncidentState, Resource } from '../domain/incident';
import { applyAssembled, applyResource } from '../domain/rules';
import { briefOf, isResourceKind, RESOURCE_LABELS, RESOURCE_NEEDS, type ResourceKind } from '../domain/resources';

/**
 * Vendor calls: 5xx and network errors back off from half a second to 30 s; rate limits wait
 * for Retry-After (the activity sets nextRetryDelay); after 12 attempts (about 4 minutes) the
 * resource is marked failed so the commander hears of it rather than waiting in silence.
 */
const vendor = proxyActivities<MusterActivities>({
  startToCloseTimeout: '2 minutes',
  // Steps heartbeat every second: a worker that dies mid-step is noticed in seconds.
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 12 },
});

/** Planning reads only the worker's configuration: a local activity, no round trip to the server. */
const local = proxyLocalActivities<MusterActivities>({ startToCloseTimeout: '10 seconds' });

export interface AssemblyControl {
  /** Resources an operator asked to make again. */
  retries: ResourceKind[];
  /** Set when a change the resources show (title, status, ...) was accepted. */
  syncNeeded: boolean;
  /** True while an activity of this coroutine runs: no hand-over or completion then. */
  busy: boolean;
}

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

const now = () => new Date().toISOString();

/** `carried`: a run that took over from a settled one, which announced everything ready already. */
export async function runAssembly(incident: IncidentState, control: AssemblyControl, changed: () => void, carried = false): Promise<never> {
  control.busy = true;
  const planned = new Set<ResourceKind>(
    Object.keys(incident.resources).length > 0
      ? // Other coroutines keep their resources here too (the review's); the assembly plans only its own.
        Object.keys(incident.resources).filter(isResourceKind)
      : await local.planResources(briefOf(incident)),
  );
  const set = (kind: ResourceKind, resource: Resource) => {
    applyResource(incident, kind, resource, RESOURCE_LABELS[kind], now());
    changed();
  };
  for (const kind of planned) if (!incident.resources[kind]) set(kind, { status: 'pending', attempts: 0 });

  const ready = (kind: ResourceKind) => incident.resources[kind]?.status === 'ready';
  const idOf = (kind: ResourceKind) => (ready(kind) ? incident.resources[kind]!.externalId : undefined);
  const needs = (kind: ResourceKind) => RESOURCE_NEEDS[kind].filter((need) => planned.has(need));

  const make = (kind: ResourceKind): Promise<Resource> => {
    const brief = briefOf(incident);
    switch (kind) {
      case 'ticket':
        return vendor.createTicket(brief);
      case 'tacticalGroup':
        return vendor.createTacticalGroup(brief);
      case 'notificationsGroup':
        return vendor.createNotificationsGroup(brief);
      case 'channel':
        return vendor.createChannel(brief);
      case 'folder':
        return vendor.createFolder(brief, { tactical: idOf('tacticalGroup'), notifications: idOf('notificationsGroup') });
      case 'conference':
        return vendor.createConference(brief, idOf('tacticalGroup'));
      case 'document':
        return vendor.createDocument(brief, idOf('folder')!);
    }
  };

  const running = new Map<ResourceKind, Promise<void>>();
  const failures: ResourceKind[] = [];
  const start = (kind: ResourceKind) => {
    const attempts = (incident.resources[kind]?.attempts ?? 0) + 1;
    set(kind, { status: 'pending', attempts });
    running.set(
      kind,
      make(kind).then(
        (made) => set(kind, { ...made, attempts }),
        (err: unknown) => {
          set(kind, { status: 'failed', error: reason(err), attempts });
          failures.push(kind);
        },
      ).finally(() => running.delete(kind)),
    );
  };

  // What the channel was last told about; anything ready beyond it gets its own message.
  let announced = carried ? new Set([...planned].filter(ready)) : undefined;
  for (;;) {
    for (const kind of planned) {
      const resource = incident.resources[kind]!;
      if (resource.status === 'pending' && !running.has(kind) && needs(kind).every(ready)) start(kind);
    }
    if (running.size > 0) {
      await Promise.race(running.values());
      continue;
    }

    // Settled: everything is ready, failed, or waiting on something that failed.
    for (const kind of planned) {
      const resource = incident.resources[kind]!;
      const blockedBy = needs(kind).filter((need) => incident.resources[need]?.status === 'failed');
      const waiting = blockedBy.length ? `waiting for ${blockedBy.map((need) => RESOURCE_LABELS[need]).join(' and ')}, which failed` : undefined;
      if (resource.status === 'pending' && resource.error !== waiting) set(kind, { status: 'pending', attempts: resource.attempts, error: waiting });
    }
    for (const kind of failures.splice(0)) {
      await vendor.reportResourceFailure(briefOf(incident), incident.resources, kind).catch((err: unknown) =>
        log.warn('Could not tell the commander about a failed resource', { kind, error: reason(err) }),
      );
    }
    const newlyReady = announced ? [...planned].filter((kind) => ready(kind) && !announced!.has(kind)) : [];
    if (!announced || newlyReady.length > 0) {
      if (planned.size > 0) {
        await vendor.finishAssembly(briefOf(incident), incident.resources, newlyReady).catch((err: unknown) =>
          log.warn('Could not finish tying resources together', { error: reason(err) }),
        );
      }
      announced = new Set([...planned].filter(ready));
      if (!incident.assembledAt && planned.size > 0) {
        applyAssembled(incident, announced.size, planned.size, now());
        changed();
      }
    }
    if (control.syncNeeded) {
      control.syncNeeded = false;
      if ([...planned].some(ready)) {
        await vendor.syncResources(briefOf(incident), incident.resources, incident.participants.map((p) => p.email)).catch((err: unknown) =>
          log.warn('Could not sync resources', { error: reason(err) }),
        );
      }
      continue;
    }

    control.busy = false;
    await condition(() => control.retries.length > 0 || control.syncNeeded);
    control.busy = true;
    for (const kind of control.retries.splice(0)) {
      const resource = incident.resources[kind];
      if (resource?.status !== 'failed') continue;
      set(kind, { status: 'pending', attempts: resource.attempts });
    }
  }
}
