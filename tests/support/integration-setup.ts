import { DefaultLogger, Runtime } from '@temporalio/worker';

// Real servers take real seconds; keep the SDK's own chatter to warnings.
jest.setTimeout(60_000);
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file.
}
