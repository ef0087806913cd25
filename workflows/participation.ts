/**
 * The incident's participation handlers: people joining and leaving (the Slack channel, a Join
 * button) and messages counting toward Observer -> Participant. Installed by incidentWorkflow.
 */
import { ApplicationFailure, condition, log, patched, setHandler } from '@temporalio/workflow';
import type { IncidentState } from '../domain/incident';
import {
  applyAddParticipant,
  applyChannelActivity,
  applyRemoveParticipant,
  validateAddParticipant,
  validateChannelActivity,
  validateRemoveParticipant,
} from '../domain/participation';
import { IncidentRuleError } from '../domain/rules';
import { addParticipantUpdate, recordChannelActivitySignal, removeParticipantUpdate } from './definitions';

/** Incidents started before participation existed never saw these messages; their histories replay unchanged. */
const PATCH = 'participation';

export interface ParticipationHost {
  /** The live state, undefined while a resumed incident loads. */
  state(): IncidentState | undefined;
  /** After a change: publish it, and sync resources (new people are invited to the channel). */
  changed(incident: IncidentState): void;
  /** After someone left: tidy what they were in (the tactical group). */
  left?(incident: IncidentState, before: string[]): Promise<void>;
  now(): string;
}

function checked<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    if (err instanceof IncidentRuleError) {
      throw ApplicationFailure.create({ type: err.code, message: err.message, details: [{ field: err.field }], nonRetryable: true });
    }
    throw err;
  }
}

export function installParticipationHandlers(host: ParticipationHost): void {
  const loaded = () => host.state() !== undefined;

  setHandler(
    addParticipantUpdate,
    async (request) => {
      await condition(loaded);
      const incident = host.state()!;
      const valid = checked(() => validateAddParticipant(incident, request));
      patched(PATCH);
      if (applyAddParticipant(incident, valid, host.now())) host.changed(incident);
      return incident;
    },
    {
      validator: (request) => {
        const current = host.state();
        if (current) checked(() => validateAddParticipant(current, request));
      },
    },
  );

  setHandler(
    removeParticipantUpdate,
    async (request) => {
      await condition(loaded);
      const incident = host.state()!;
      const valid = checked(() => validateRemoveParticipant(incident, request));
      patched(PATCH);
      const before = incident.participants.map((p) => p.email);
      if (applyRemoveParticipant(incident, valid, host.now())) {
        host.changed(incident);
        await host.left?.(incident, before);
      }
      return incident;
    },
    {
      validator: (request) => {
        const current = host.state();
        if (current) checked(() => validateRemoveParticipant(current, request));
      },
    },
  );

  setHandler(recordChannelActivitySignal, async (activity) => {
    await condition(loaded);
    const incident = host.state()!;
    let valid;
    try {
      valid = validateChannelActivity(activity);
    } catch (err) {
      log.warn('Dropped invalid channel activity', { incidentId: incident.id, error: String(err) });
      return;
    }
    patched(PATCH);
    if (applyChannelActivity(incident, valid, host.now())) host.changed(incident);
  });
}
