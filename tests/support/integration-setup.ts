import { DefaultLogger, Runtime } from '@temporalio/worker';

// Real servers take real seconds. Tests provoke vendor failures on purpose, so the SDK's
// "activity failed" warnings are expected noise: keep only errors.
jest.setTimeout(60_000);
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this process by an earlier test file.
}
