/**
 * `npm run bench -- <name> [--flag value ...]`: prints one JSON object per line,
 * {"bench", "metric", "value", "unit"}.
 */
import { assemblyBench } from './assembly';
import { remindersBench } from './reminders';
import { replayBench } from './replay';
import { slackAckBench } from './slack-ack';
import { engageBench } from './engage';

export type Emit = (metric: string, value: number | string, unit: string) => void;

const BENCHES: Record<string, (flags: Record<string, string>, emit: Emit) => Promise<void>> = {
  assembly: assemblyBench,
  reminders: remindersBench,
  replay: replayBench,
  'slack-ack': slackAckBench,
  engage: engageBench,
};

function parseFlags(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}; flags look like --incidents 20`);
    const [key, inline] = arg.slice(2).split('=', 2);
    flags[key!] = inline ?? args[++i] ?? '';
  }
  return flags;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const bench = name ? BENCHES[name] : undefined;
  if (!bench) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--flag value ...]`);
    process.exit(2);
  }
  const emit: Emit = (metric, value, unit) => console.log(JSON.stringify({ bench: name, metric, value, unit }));
  await bench(parseFlags(rest), emit);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
