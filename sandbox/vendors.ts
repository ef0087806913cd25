/** Every emulated vendor, in the order the page shows them. */
import type { Ids, VendorModule } from './core';
import type { SandboxFixture } from './fixture';
import { googleModule } from './google';
import { jiraModule } from './jira';
import { pagerdutyModule } from './pagerduty';
import { slackModule } from './slack';

export function vendorModules(fixture: SandboxFixture, ids: Ids): VendorModule[] {
  return [slackModule(fixture, ids), jiraModule(fixture, ids), googleModule(fixture, ids), pagerdutyModule(fixture, ids)];
}
