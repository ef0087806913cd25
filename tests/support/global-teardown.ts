import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__MUSTER_DEV_SERVER__?.stop();
  if (process.env.MUSTER_TEST_DIR) rmSync(process.env.MUSTER_TEST_DIR, { recursive: true, force: true });
}
