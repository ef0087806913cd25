/** Shared by the tools temporal-dev caches outside the repo (the CLI, the test server). */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** A lock older than this belongs to a build that died without cleaning up. */
const LOCK_MAX_AGE_MS = 30 * 60_000;

/** The path an environment variable names, which must be an executable; undefined when unset. */
export function explicitExecutable(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const explicit = env[variable];
  if (!explicit) return undefined;
  if (!isExecutableFile(explicit)) {
    throw new Error(`${variable} is set to "${explicit}", but that is not an executable file. Fix or unset ${variable}.`);
  }
  return explicit;
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * An exclusive `mkdir` lock so that concurrent callers (e.g. two jest processes) fetch or
 * build a cached tool once: the others wait and then find it. A lock whose owner died is taken over.
 */
export async function withCacheLock<T>(dir: string, what: string, log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
  await fsp.mkdir(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  let announced = false;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readLockOwner(lock);
    if (owner.stale) {
      log(`Removing a stale lock ${lock}`);
      await fsp.rm(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`Waiting for another process${owner.pid ? ` (pid ${owner.pid})` : ''} that is ${what}…`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  try {
    await fsp.writeFile(path.join(lock, 'pid'), String(process.pid));
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

async function readLockOwner(lock: string): Promise<{ pid?: number; stale: boolean }> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await fsp.stat(lock)).mtimeMs;
  } catch {
    return { stale: false }; // released just now; the next mkdir will tell
  }
  if (ageMs > LOCK_MAX_AGE_MS) return { stale: true };
  const pid = Number(await fsp.readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
  // No pid file yet: the owner is between mkdir and writeFile, unless it died right there.
  if (!pid) return { stale: ageMs > 10_000 };
  return { pid, stale: !isAlive(pid) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
