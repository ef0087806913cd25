/**
 * What the store has of an incident, and the writes that bring it up to date. A write is taken
 * (the record now, the timeline events the store lacks) and then settled: done, or dropped when
 * it failed. While a write is under way its version does not count as dirty, so the incident's
 * main loop does not write the same change again beside a reminder that carries it. Writes may
 * overlap: the store keeps the newest version and each event once.
 */
import type { IncidentRecord, IncidentState, TimelineEvent } from '../domain/incident';

export interface StoreWrite {
  incident: IncidentRecord;
  timeline: TimelineEvent[];
  version: number;
  lastSeq: number;
}

export interface Recorded {
  version: number;
  seq: number;
}

export function recordOf(state: IncidentState): IncidentRecord {
  const { timeline: _timeline, ...record } = state;
  return record;
}

export class StoreWrites {
  private readonly underWay = new Set<StoreWrite>();

  constructor(
    private readonly incident: IncidentState,
    private readonly stored: Recorded,
  ) {}

  /** Changes neither written nor being written. */
  dirty(): boolean {
    let covered = this.stored.version;
    for (const write of this.underWay) covered = Math.max(covered, write.version);
    return this.incident.version > covered;
  }

  /** What the store lacks now. Events go from the last one written, not the last one under way: a write under way may fail. */
  take(): StoreWrite {
    const { timeline } = this.incident;
    let from = timeline.length;
    while (from > 0 && timeline[from - 1]!.seq > this.stored.seq) from--;
    const write = {
      incident: recordOf(this.incident),
      timeline: timeline.slice(from),
      version: this.incident.version,
      lastSeq: timeline.at(-1)?.seq ?? this.stored.seq,
    };
    this.underWay.add(write);
    return write;
  }

  done(write: StoreWrite): void {
    this.underWay.delete(write);
    this.stored.version = Math.max(this.stored.version, write.version);
    this.stored.seq = Math.max(this.stored.seq, write.lastSeq);
  }

  /** A failed write: its changes are dirty again, for the next write to carry. */
  dropped(write: StoreWrite): void {
    this.underWay.delete(write);
  }

  /** What the store has, as the next run is told at hand-over. */
  recorded(): Recorded {
    return { ...this.stored };
  }
}
