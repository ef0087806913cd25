/**
 * Obtains Temporal's time-skipping test server (the Java one the SDK would otherwise download
 * from GitHub releases) from Maven Central instead: the machines can reach only package
 * registries. It is not a fat jar, so Maven resolves its classpath into a cache outside the
 * repo once per machine, and a small wrapper script runs it the way the SDK expects
 * (`<exe> <port> --enable-time-skipping`).
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { explicitExecutable, isExecutableFile, withCacheLock } from './cache-lock';
import { findOnPath } from './cli-binary';

/** `io.temporal:temporal-test-server`, the release that matches the SDK's core (checked with @temporalio/* 1.24.0). */
export const TEMPORAL_TEST_SERVER_VERSION = '1.31.0';
export const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';

/** Pinned so the result does not depend on Maven's (old) default plugin version. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
/** The slf4j-api the server depends on (1.7.x), so the matching no-op binding. */
const SLF4J_VERSION = '1.7.36';
const INSTALL_HINT = 'apt-get install openjdk-17-jre-headless maven';
/** A lock older than this is abandoned even if its pid looks alive (pid reuse). */

export interface EnsureTestServerOptions {
  log?: (line: string) => void;
  /** Where TEMPORAL_TEST_SERVER, PATH, XDG_CACHE_HOME and HOME are read from; also Maven's environment. */
  env?: NodeJS.ProcessEnv;
}

/** `${XDG_CACHE_HOME:-~/.cache}/muster/temporal-test-server/<version>` */
export function testServerCacheDir(version = TEMPORAL_TEST_SERVER_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'muster', 'temporal-test-server', version);
}

/** The wrapper script; it exists only once its classpath (`../lib`) is complete. */
export function cachedTestServerPath(version = TEMPORAL_TEST_SERVER_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(testServerCacheDir(version, env), 'bin', 'temporal-test-server');
}


/**
 * Returns the path of an executable that starts the time-skipping test server, for
 * `TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })`:
 * $TEMPORAL_TEST_SERVER, else the cached wrapper, else resolves the server with Maven into the
 * cache first (downloads a few tens of MB from Maven Central, once per machine).
 */
export async function ensureTestServer(opts: EnsureTestServerOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});

  const explicit = explicitExecutable(env, 'TEMPORAL_TEST_SERVER');
  if (explicit) return explicit;

  const wrapper = cachedTestServerPath(TEMPORAL_TEST_SERVER_VERSION, env);
  // The wrapper runs `java` from PATH: say what is missing now rather than let the SDK report
  // a server that "did not start".
  if (!findOnPath('java', env)) {
    throw new Error(
      `Java is not installed (no java on PATH); the Temporal time-skipping test server is a Java program. ` +
        `Install Java 17 and Maven: ${INSTALL_HINT}`,
    );
  }
  if (isExecutableFile(wrapper)) return wrapper;

  const mvn = findOnPath('mvn', env);
  if (!mvn) {
    throw new Error(
      `Maven is not installed (no mvn on PATH); it is needed once to fetch the Temporal test server ` +
        `io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION} into ${path.dirname(path.dirname(wrapper))}. ` +
        `Install it: ${INSTALL_HINT}`,
    );
  }
  const dir = testServerCacheDir(TEMPORAL_TEST_SERVER_VERSION, env);
  return withCacheLock(dir, 'fetching the Temporal test server', log, async () => {
    // Another process may have finished while we waited for the lock.
    if (isExecutableFile(wrapper)) return wrapper;
    await resolveWithMaven(mvn, dir, env, log);
    return wrapper;
  });
}

function pom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.muster</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- The server logs through SLF4J; without a binding it warns on every start and logs nothing anyway. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>${SLF4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** POSIX shell single-quoting. */
const shQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function wrapperScript(libDir: string): string {
  // `exec` so that the SDK's child process *is* the JVM and stopping it stops the server.
  // `<dir>/*` is expanded by java itself (every jar in the directory). C1 only and the serial
  // collector: the server must listen within the SDK's 5 s start window; peak speed is moot.
  return [
    '#!/bin/sh',
    `# Temporal time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION}, written by Muster (temporal-dev/test-server.ts).`,
    '# Usage: temporal-test-server <port> [--enable-time-skipping]',
    `exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp ${shQuote(`${libDir}/*`)} ${TEST_SERVER_MAIN_CLASS} "$@"`,
    '',
  ].join('\n');
}

async function resolveWithMaven(mvn: string, dir: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  // Leftovers of runs that were killed midway (we hold the lock, so none is running).
  for (const name of await fsp.readdir(dir)) {
    if (name.startsWith('.build-')) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  }
  // Resolve into a temp dir on the same filesystem, then rename: the cache never holds half a
  // classpath. Maven's local repository lives there too and goes away with it, so the cache dir
  // is all there is to delete and ~/.m2 is left alone (settings.xml mirrors still apply).
  const tmp = await fsp.mkdtemp(path.join(dir, '.build-'));
  const coordinates = `io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION}`;
  log(`Fetching the Temporal test server (${coordinates}) and its dependencies with Maven into ${dir}; this downloads a few tens of MB the first time…`);
  const started = Date.now();
  try {
    await fsp.writeFile(path.join(tmp, 'pom.xml'), pom(TEMPORAL_TEST_SERVER_VERSION));
    const stagedLib = path.join(tmp, 'lib');
    const args = [
      '-B',
      '-f',
      path.join(tmp, 'pom.xml'),
      `-Dmaven.repo.local=${path.join(tmp, 'repository')}`,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${stagedLib}`,
      '-DincludeScope=runtime',
    ];
    await runMaven(mvn, args, tmp, env, log);
    const jars = (await fsp.readdir(stagedLib)).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith('temporal-test-server-'))) {
      throw new Error(`Maven finished but ${stagedLib} holds no temporal-test-server jar (found: ${jars.join(', ') || 'nothing'})`);
    }

    const lib = path.join(dir, 'lib');
    const bin = path.join(dir, 'bin');
    await fsp.rm(lib, { recursive: true, force: true }); // an older, incomplete attempt
    await fsp.rename(stagedLib, lib);
    await fsp.mkdir(bin, { recursive: true });
    const stagedWrapper = path.join(tmp, 'temporal-test-server');
    await fsp.writeFile(stagedWrapper, wrapperScript(lib), { mode: 0o755 });
    // Last step: its presence means the classpath is complete.
    await fsp.rename(stagedWrapper, path.join(bin, 'temporal-test-server'));
    log(`Temporal test server ${TEMPORAL_TEST_SERVER_VERSION} is ready at ${path.join(bin, 'temporal-test-server')} (${jars.length} jars, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs Maven in batch mode, summarising its (hundreds of) download lines so the user sees
 * progress without a flood; warnings and errors pass through.
 */
function runMaven(mvn: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let downloads = 0;
    let partial = '';
    const onLine = (line: string) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      // Batch mode logs transfers as "[INFO] Downloaded from central: <url> (12 kB at …)".
      const downloaded = /Downloaded from [^:]+: (\S+)/.exec(line);
      if (downloaded) {
        if (++downloads % 50 === 0) log(`  … downloaded ${downloads} files (latest: ${downloaded[1]!.split('/').pop()})`);
      } else if (line.startsWith('[ERROR]') || line.startsWith('[WARNING]')) {
        log(`  ${line}`);
      }
    };
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial) onLine(partial);
      if (code === 0) {
        log(`  Maven downloaded ${downloads} files`);
        return resolve();
      }
      reject(new Error(`mvn ${args.join(' ')} failed (${signal ?? `exit code ${code}`}). Last output:\n${tail.join('\n')}`));
    });
  });
}

