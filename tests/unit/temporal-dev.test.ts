import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedCliPath, ensureTemporalCli, findFreePort, startDevServer, TEMPORAL_CLI_VERSION } from '../../temporal-dev';

// Everything runs against temp dirs and fake executables: the real cache is never touched.
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'muster-temporal-dev-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeExecutable(file: string, body: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
}
const fakeTemporal = (file: string) => writeExecutable(file, '#!/bin/sh\necho "temporal version fake"\n');

/**
 * A fake `go` (a node script, so it needs nothing on PATH) that mimics `go install`: it logs
 * progress, records each call and writes a fake binary into $GOBIN after a short pause.
 */
function fakeGo(binDir: string, { fail = false } = {}): string {
  return writeExecutable(
    path.join(binDir, 'go'),
    `#!${process.execPath}
const fs = require('fs'), path = require('path');
fs.appendFileSync(process.env.GO_CALLS, JSON.stringify(process.argv.slice(2)) + '\\n');
console.error('go: downloading github.com/temporalio/cli v${TEMPORAL_CLI_VERSION}');
setTimeout(() => {
  if (${fail}) { console.error('compile: boom'); process.exit(1); }
  fs.writeFileSync(path.join(process.env.GOBIN, 'temporal'), '#!/bin/sh\\necho built\\n', { mode: 0o755 });
}, 300);
`,
  );
}

describe('ensureTemporalCli resolution order', () => {
  it('uses TEMPORAL_CLI when set', async () => {
    const cli = fakeTemporal(path.join(tmp, 'custom', 'temporal'));
    fakeTemporal(path.join(tmp, 'bin', 'temporal'));
    await expect(ensureTemporalCli({ env: { TEMPORAL_CLI: cli, PATH: path.join(tmp, 'bin'), HOME: tmp } })).resolves.toBe(cli);
  });

  it('fails clearly when TEMPORAL_CLI points at a missing file', async () => {
    const missing = path.join(tmp, 'nope', 'temporal');
    await expect(ensureTemporalCli({ env: { TEMPORAL_CLI: missing, PATH: '', HOME: tmp } })).rejects.toThrow(
      new RegExp(`TEMPORAL_CLI.*${missing.replace(/[/\\.]/g, '\\$&')}`),
    );
  });

  it('uses temporal on PATH next (skipping non-executable files)', async () => {
    const notExecutable = path.join(tmp, 'a', 'temporal');
    fs.mkdirSync(path.dirname(notExecutable));
    fs.writeFileSync(notExecutable, 'not a program', { mode: 0o644 });
    const onPath = fakeTemporal(path.join(tmp, 'b', 'temporal'));
    fakeTemporal(cachedCliPath(TEMPORAL_CLI_VERSION, { XDG_CACHE_HOME: path.join(tmp, 'cache') }));
    const env = { PATH: [path.join(tmp, 'a'), path.join(tmp, 'b')].join(path.delimiter), XDG_CACHE_HOME: path.join(tmp, 'cache') };
    await expect(ensureTemporalCli({ env })).resolves.toBe(onPath);
  });

  it('uses the cached build under XDG_CACHE_HOME, else ~/.cache', async () => {
    const xdg = fakeTemporal(path.join(tmp, 'xdg', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
    await expect(ensureTemporalCli({ env: { PATH: '', XDG_CACHE_HOME: path.join(tmp, 'xdg'), HOME: tmp } })).resolves.toBe(xdg);

    const home = fakeTemporal(path.join(tmp, '.cache', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
    await expect(ensureTemporalCli({ env: { PATH: '', HOME: tmp } })).resolves.toBe(home);
  });

  it('explains how to install when there is no binary and no go', async () => {
    const emptyBin = path.join(tmp, 'bin');
    fs.mkdirSync(emptyBin);
    const error = await ensureTemporalCli({ env: { PATH: emptyBin, HOME: tmp } }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`);
    expect(message).toContain('Go >= 1.25');
    expect(message).toContain('TEMPORAL_CLI');
    expect(message).toContain(path.join(tmp, '.cache', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION));
  });
});

describe('ensureTemporalCli building with go', () => {
  const envFor = (binDir: string) => ({ PATH: binDir, HOME: tmp, GO_CALLS: path.join(tmp, 'go-calls.log') });
  const goCalls = () => fs.readFileSync(path.join(tmp, 'go-calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);

  it('builds into the cache with the version ldflag and streams progress', async () => {
    fakeGo(path.join(tmp, 'bin'));
    const lines: string[] = [];
    const cli = await ensureTemporalCli({ env: envFor(path.join(tmp, 'bin')), log: (l) => lines.push(l) });

    expect(cli).toBe(path.join(tmp, '.cache', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
    expect(fs.statSync(cli).mode & 0o111).not.toBe(0);
    expect(goCalls()).toEqual([
      ['install', '-v', '-ldflags', `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`, `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`],
    ]);
    expect(lines.join('\n')).toMatch(/Building the Temporal CLI 1\.5\.1 with Go into .*about 3 minutes/);
    expect(lines.join('\n')).toContain('go: downloading github.com/temporalio/cli');
    // Only the binary is left: no temp build dir, no lock.
    expect(fs.readdirSync(path.dirname(cli))).toEqual(['temporal']);
  });

  it('builds once when two callers race; the second waits for the first', async () => {
    fakeGo(path.join(tmp, 'bin'));
    const env = envFor(path.join(tmp, 'bin'));
    const [a, b] = await Promise.all([ensureTemporalCli({ env }), ensureTemporalCli({ env })]);
    expect(a).toBe(b);
    expect(goCalls()).toHaveLength(1);
  });

  it('takes over a lock left by a dead process', async () => {
    fakeGo(path.join(tmp, 'bin'));
    const lock = path.join(tmp, '.cache', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION, '.lock');
    fs.mkdirSync(lock, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(path.join(lock, 'pid'), String(deadPid));
    await expect(ensureTemporalCli({ env: envFor(path.join(tmp, 'bin')) })).resolves.toMatch(/temporal$/);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('leaves nothing half-built in the cache when go fails', async () => {
    fakeGo(path.join(tmp, 'bin'), { fail: true });
    await expect(ensureTemporalCli({ env: envFor(path.join(tmp, 'bin')) })).rejects.toThrow(/go install failed[\s\S]*compile: boom/);
    expect(fs.readdirSync(path.join(tmp, '.cache', 'muster', 'temporal-cli', TEMPORAL_CLI_VERSION))).toEqual([]);
  });
});

describe('startDevServer failures (fake CLI)', () => {
  it('reports the output of a server that exits early', async () => {
    const cli = writeExecutable(path.join(tmp, 'temporal'), '#!/bin/sh\necho "starting"\necho "fatal: something broke" >&2\nexit 3\n');
    const port = await findFreePort();
    await expect(startDevServer({ cliPath: cli, port, headless: true })).rejects.toThrow(/exited before it was ready[\s\S]*fatal: something broke/);
  });

  it('kills a server that is not ready in time', async () => {
    const pidFile = path.join(tmp, 'pid');
    const cli = writeExecutable(path.join(tmp, 'temporal'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`);
    const port = await findFreePort();
    await expect(startDevServer({ cliPath: cli, port, headless: true, startTimeoutMs: 500 })).rejects.toThrow(/not ready within 500 ms/);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('findFreePort returns a bindable port', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
