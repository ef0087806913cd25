/**
 * Runs the real Temporal CLI (the cached build, or whatever ensureTemporalCli finds) on free
 * ports. Independent of the shared dev server that globalSetup starts.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { DevServer, ensureTemporalCli, findFreePort, INCIDENT_SEARCH_ATTRIBUTES, startDevServer } from '../../temporal-dev';

jest.setTimeout(120_000);
const STATUS = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);

let cliPath: string;
let tmp: string;
const servers: DevServer[] = [];

beforeAll(async () => {
  cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-temporal-dev-it-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startDevServer>[0] = {}): Promise<DevServer> {
  const server = await startDevServer({ cliPath, port: await findFreePort(), uiPort: await findFreePort(), ...opts });
  servers.push(server);
  return server;
}

async function withClient<T>(server: DevServer, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await fn(new Client({ connection, namespace: server.namespace }));
  } finally {
    await connection.close();
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('starts in memory, headless, with the incident search attributes usable at once', async () => {
  const server = await start({ headless: true });
  expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(server.uiUrl).toBeUndefined();

  await withClient(server, async (client) => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const [name, type] of Object.entries(INCIDENT_SEARCH_ATTRIBUTES)) {
      expect(customAttributes[name]).toBe(type === 'Keyword' ? 2 : 1); // IndexedValueType KEYWORD=2, TEXT=1
    }
    // A visibility query on them is accepted right away.
    const found = [];
    for await (const wf of client.workflow.list({ query: 'IncidentStatus = "open" AND IncidentTitle = "disk"' })) found.push(wf);
    expect(found).toEqual([]);
  });

  await server.stop();
  expect(isRunning(server.pid)).toBe(false);
  await server.stop(); // idempotent
  await expect(server.exited).resolves.toBeDefined();
});

it('keeps workflows in the SQLite file across restarts, with the Web UI up', async () => {
  const dbFile = path.join(tmp, 'nested', 'dir', 'temporal.sqlite'); // parent folder is created
  const port = await findFreePort();
  const uiPort = await findFreePort();
  const workflowId = 'persisted-incident';

  const first = await start({ port, uiPort, dbFile });
  expect(first.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
  expect((await fetch(first.uiUrl!)).status).toBe(200);
  await withClient(first, (client) =>
    // Nobody polls this task queue: the execution just stays open.
    client.workflow.start('x', { taskQueue: 'nobody-polls-this', workflowId, typedSearchAttributes: [{ key: STATUS, value: 'open' }] }),
  );
  await first.stop();
  expect(fs.existsSync(dbFile)).toBe(true);

  const second = await start({ port, uiPort, dbFile });
  await withClient(second, async (client) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('x');
    const ids = [];
    for await (const wf of client.workflow.list({ query: 'IncidentStatus = "open"' })) ids.push(wf.workflowId);
    expect(ids).toEqual([workflowId]);
  });
  await second.stop();
});

it('fails fast when the port is taken', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    await expect(startDevServer({ cliPath, port, headless: true })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    await expect(startDevServer({ cliPath, port: await findFreePort(), uiPort: port })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use`,
    );
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});
