/** Durations as people write them in config: "90s", "15m", "2h", "7d", or plain milliseconds. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

export function parseDuration(value: string | number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = DURATION.exec(String(value).trim());
  if (!match) throw new Error(`"${value}" is not a duration; use a number with ms, s, m, h or d, e.g. "7d"`);
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
}
