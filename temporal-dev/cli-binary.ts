/**
 * Obtains the Temporal CLI binary (which contains the dev server) without downloading
 * release archives: the machines can reach only package registries, so when no binary is
 * around we compile one from the Go module proxy and cache it outside the repo.
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { explicitExecutable, isExecutableFile, withCacheLock } from './cache-lock';

/** The newest tag `go install` can build (later tags carry a `replace` directive). */
export const TEMPORAL_CLI_VERSION = '1.5.1';

const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const EXE = process.platform === 'win32' ? '.exe' : '';
/** A lock older than this is abandoned even if its pid looks alive (pid reuse). */

export interface EnsureCliOptions {
  log?: (line: string) => void;
  /** Where TEMPORAL_CLI, PATH, XDG_CACHE_HOME and HOME are read from; also go's environment. */
  env?: NodeJS.ProcessEnv;
}

const VERSION_LDFLAG = `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;

/**
 * The copy-pasteable build command for humans. The version ldflag goes through GOFLAGS
 * (`-X=` form, no spaces) so the command reads `go install <package>@<version>`;
 * without it the binary reports 0.0.0-DEV.
 */
export function goInstallCommand(gobin: string): string {
  return `GOBIN=${gobin} GOFLAGS='-ldflags=${VERSION_LDFLAG.replace(' ', '=')}' go install ${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`;
}

/** `${XDG_CACHE_HOME:-~/.cache}/muster/temporal-cli/<version>` */
export function cacheDir(version = TEMPORAL_CLI_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'muster', 'temporal-cli', version);
}

export function cachedCliPath(version = TEMPORAL_CLI_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(version, env), `temporal${EXE}`);
}


/** Like `which`, without a subprocess. Empty PATH entries (= cwd) are skipped on purpose. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name + EXE);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns the path of a usable Temporal CLI: $TEMPORAL_CLI, else `temporal` on PATH, else the
 * cached build, else builds it with Go into the cache (minutes, once per machine).
 */
export async function ensureTemporalCli(opts: EnsureCliOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});

  const explicit = explicitExecutable(env, 'TEMPORAL_CLI');
  if (explicit) return explicit;
  const onPath = findOnPath('temporal', env);
  if (onPath) return onPath;

  const cached = cachedCliPath(TEMPORAL_CLI_VERSION, env);
  if (isExecutableFile(cached)) return cached;

  const go = findOnPath('go', env);
  if (!go) {
    throw new Error(
      `The Temporal CLI ${TEMPORAL_CLI_VERSION} was not found (not in TEMPORAL_CLI, not on PATH, not at ${cached}) ` +
        `and Go is not installed to build it. Either:\n` +
        `  1. install Go >= 1.25 (https://go.dev/doc/install) and re-run; Muster then builds the CLI itself, or\n` +
        `  2. build it yourself (Go >= 1.25): ${goInstallCommand(path.dirname(cached))}\n` +
        `  3. set TEMPORAL_CLI to the path of an existing temporal binary.`,
    );
  }
  return withCacheLock(path.dirname(cached), 'building the Temporal CLI', log, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (isExecutableFile(cached)) return cached;
    await buildWithGo(go, cached, env, log);
    return cached;
  });
}

async function buildWithGo(go: string, target: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  const dir = path.dirname(target);
  // Leftovers of builds that were killed midway (we hold the lock, so none is running).
  for (const name of await fsp.readdir(dir)) {
    if (name.startsWith('.build-')) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  }
  // Build into a temp dir on the same filesystem, then rename: the cache never holds half a binary.
  const tmp = await fsp.mkdtemp(path.join(dir, '.build-'));
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir}; this takes about 3 minutes the first time…`);
  try {
    const args = ['install', '-v', '-ldflags', VERSION_LDFLAG, `${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`];
    await runStreaming(go, args, { ...env, GOBIN: tmp }, log);
    const built = path.join(tmp, `temporal${EXE}`);
    if (!isExecutableFile(built)) throw new Error(`go install finished but produced no ${built}`);
    await fsp.rename(built, target);
    log(`Temporal CLI ${TEMPORAL_CLI_VERSION} is ready at ${target}`);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs go, passing "go: downloading …" lines through and summarising the (hundreds of)
 * package lines that `-v` prints, so the user sees progress without a flood.
 */
function runStreaming(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let packages = 0;
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (line.startsWith('go: ') || line.startsWith('#') || line.includes('.go:')) log(`  ${line}`);
        else if (++packages % 100 === 0) log(`  … compiled ${packages} packages (latest: ${line.trim()})`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      if (partial) tail.push(partial);
      reject(new Error(`go install failed (${signal ?? `exit code ${code}`}); it needs Go >= 1.25. Last output:\n${tail.join('\n')}`));
    });
  });
}

