/**
 * How fast the Slack app acknowledges slash commands, and how soon the workflow shows what they
 * asked for. N signed commands (a mix: timeline notes, participants, resources, list, help) are
 * POSTed to /slack/events on the API server by `--concurrency` simulated people, spread over a
 * few incidents' channels; each person waits for Muster's reply (its response_url post) before
 * the next command, as people do. Ack time is measured at the client (POST to HTTP answer).
 * Command-to-state is, for each timeline note, the workflow's own time of the note minus the
 * moment the command was sent (same machine, same clock).
 *
 *   npm run bench -- slack-ack [--commands 1000] [--concurrency 4] [--incidents 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { buildApi } from '../api/server';
import { mountSlackApp } from '../api/slack/app';
import { MusterClient } from '../client';
import { loadConfig } from '../config/env';
import { startSandbox } from '../sandbox/server';
import { openStore } from '../store';
import { ensureTemporalCli, findFreePort, startDevServer } from '../temporal-dev';
import { SlackRequester } from '../tests/support/slack-signing';
import { createMusterWorker } from '../worker/create-worker';
import { providersFromConfig, sandboxVendorEnv } from '../worker/providers';
import type { Emit } from './run';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const SECRET = 'bench-signing-secret';
const IC = 'U00000IC0';

export async function slackAckBench(flags: Record<string, string>, emit: Emit): Promise<void> {
  const total = Number(flags.commands ?? 1000);
  const concurrency = Number(flags.concurrency ?? 4);
  const incidentCount = Number(flags.incidents ?? 4);
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const dir = mkdtempSync(join(tmpdir(), 'muster-bench-'));
  const server = await startDevServer({ cliPath: await ensureTemporalCli(), port: await findFreePort(), headless: true });
  const sandbox = await startSandbox({ dataDir: join(dir, 'tls') });
  const store = await openStore({ url: `sqlite:${join(dir, 'store.sqlite')}` });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = { address: server.address, namespace: 'default', taskQueue: 'bench' };
  const vendors = loadConfig(sandboxVendorEnv(sandbox)).vendors;
  const worker = await createMusterWorker({ connection: nativeConnection, temporal, deps: { store, ...providersFromConfig(vendors) } });
  const muster = new MusterClient(new Client({ connection }), { taskQueue: 'bench', incidentPrefix: 'BEN' });
  const api = await buildApi({ client: muster, store });
  await mountSlackApp(api, { client: muster, store, botToken: vendors.slack!.token, apiUrl: vendors.slack!.apiUrl, signingSecret: SECRET, command: '/muster', timelineReaction: 'stopwatch' });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  const slack = new SlackRequester(`${url}/slack/events`, SECRET);

  // The response_urls: each command's reply resolves its waiter.
  const waiting = new Map<string, () => void>();
  const replies = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      waiting.get(request.url ?? '')?.();
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => replies.listen(0, '127.0.0.1', resolve));
  const repliesUrl = `http://127.0.0.1:${(replies.address() as AddressInfo).port}`;

  try {
    await worker.runUntil(async () => {
      // Incidents with their channels, in the store, so commands in those channels find them.
      const channels: Array<{ id: string; channel: string }> = [];
      for (let i = 0; i < incidentCount; i++) {
        const { incident } = await muster.declare({ title: `bench ${i}`, reporter: { email: 'ic@example.com' } });
        for (;;) {
          const stored = await store.getIncident(incident.id);
          const channel = stored?.resources.channel?.externalId;
          if (channel) {
            channels.push({ id: incident.id, channel });
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }

      const mix = (i: number, tag: string): { text: string; note?: string } => {
        const r = i % 20;
        if (r < 14) return { text: `timeline ${tag} note ${i}`, note: `${tag} note ${i}` };
        if (r < 16) return { text: 'participants' };
        if (r < 18) return { text: 'resources' };
        if (r < 19) return { text: 'list' };
        return { text: 'help' };
      };

      const run = async (count: number, record: boolean) => {
        const acks: number[] = [];
        const sent = new Map<string, { at: number; incident: string }>();
        let next = 0;
        const one = async () => {
          while (next < count) {
            const i = next++;
            const { text, note } = mix(i, record ? 'bench' : 'warm-up');
            const target = channels[i % channels.length]!;
            const path = `/${record ? 'run' : 'warm'}-${i}`;
            const replied = new Promise<void>((resolve) => waiting.set(path, resolve));
            const at = Date.now();
            const answer = await slack.command({ user: IC, text, channel: target.channel, responseUrl: `${repliesUrl}${path}` });
            if (answer.status !== 200) throw new Error(`command ${i} got HTTP ${answer.status}`);
            acks.push(answer.ms);
            if (note && record) sent.set(note, { at, incident: target.id });
            // help is answered in the ack itself; everything else replies at its response_url.
            if (text !== 'help') await replied;
            waiting.delete(path);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, one));
        return { acks, sent };
      };

      await run(40, false); // warm-up: connections, caches, first-run costs
      const { acks, sent } = await run(total, true);

      // Every note reaches its workflow; the note's time there is when the workflow applied it.
      const toState: number[] = [];
      const deadline = Date.now() + 120_000;
      for (const { id } of channels) {
        for (;;) {
          const incident = await muster.get(id);
          const notes = incident.timeline.filter((e) => e.kind === 'note' && sent.get(e.text)?.incident === id);
          const expected = [...sent.values()].filter((s) => s.incident === id).length;
          if (notes.length >= expected) {
            for (const note of notes) toState.push(Date.parse(note.at) - sent.get(note.text)!.at);
            break;
          }
          if (Date.now() > deadline) throw new Error(`${id}: ${notes.length} of ${expected} notes arrived`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }

      acks.sort((a, b) => a - b);
      toState.sort((a, b) => a - b);
      emit('commands', total, 'count');
      emit('concurrency', concurrency, 'count');
      emit('incidents', incidentCount, 'count');
      emit('ack_p50', Number(percentile(acks, 50).toFixed(1)), 'ms');
      emit('ack_p99', Number(percentile(acks, 99).toFixed(1)), 'ms');
      emit('ack_max', Number(acks.at(-1)!.toFixed(1)), 'ms');
      emit('state_changes_measured', toState.length, 'count');
      emit('command_to_state_p50', percentile(toState, 50), 'ms');
      emit('command_to_state_p99', percentile(toState, 99), 'ms');
    });
  } finally {
    replies.close();
    await api.close();
    await connection.close();
    await nativeConnection.close();
    await store.close();
    await sandbox.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
