/**
 * A time-skipping Temporal environment on the Java test server from Maven (temporal-dev/test-server.ts),
 * so tests can let days of incident time pass in seconds. One environment per test file, and
 * the workflow project's files are few: a time-skipping server has one clock, so tests that
 * share it must not run in parallel.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTestServer, INCIDENT_SEARCH_ATTRIBUTES } from '../../temporal-dev';

/** temporal.api.enums.v1.IndexedValueType (@temporalio/proto is not a direct dependency). */
const INDEXED_VALUE_TYPE = { Text: 1, Keyword: 2 } as const;

/**
 * Starts a fresh test server (in memory, on a free port) and connects to it. The SDK runs
 * `<wrapper> <port>`: time skipping starts locked, as with the SDK's own downloaded server,
 * and only `env.sleep()` and waiting on `handle.result()` through `env.client` move the
 * clock ahead. The JVM listens in about 1 s, well inside the SDK's fixed 5 s start window.
 * The incident search attributes are registered (the test server refuses unknown ones), as the
 * dev server does at start. Call `teardown()` when done.
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await ensureTestServer({ log: (line) => process.stderr.write(`${line}\n`) });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    const searchAttributes = Object.fromEntries(
      Object.entries(INCIDENT_SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]]),
    );
    await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}
