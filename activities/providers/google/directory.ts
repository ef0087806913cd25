/** Google Groups through the Admin SDK Directory API. "Already exists" answers count as done. */
import type { admin_directory_v1 } from './apis';
import { VendorError } from '../../errors';
import type { GroupProvider, GroupRef } from '../types';
import { call, callUnless } from './errors';

export function googleGroups(directory: admin_directory_v1.Admin, domain: string): GroupProvider {
  /** Bare names get the Workspace domain; the Directory API manages only that domain's groups. */
  const qualify = (email: string) => (email.includes('@') ? email : `${email}@${domain}`).toLowerCase();

  return {
    async ensureGroup({ email, name, description }) {
      const operation = 'ensureGroup';
      const groupEmail = qualify(email);
      if (!groupEmail.endsWith(`@${domain.toLowerCase()}`)) {
        throw new VendorError('google', operation, 'permanent', `group ${groupEmail} is outside the Workspace domain ${domain}`);
      }
      const group =
        (await callUnless(operation, [409], () => directory.groups.insert({ requestBody: { email: groupEmail, name, description } }))) ??
        (await call(operation, () => directory.groups.get({ groupKey: groupEmail })));
      if (!group.id || !group.email) throw new VendorError('google', operation, 'transient', 'Directory answered without id or email');
      return { id: group.id, email: group.email } satisfies GroupRef;
    },

    async addMembers(groupEmail, emails) {
      // One call per person, all at once (the API has no batch insert); 409 "Member already exists" is success.
      await Promise.all(
        emails.map((email) =>
          callUnless('addMembers', [409], () =>
            directory.members.insert({ groupKey: qualify(groupEmail), requestBody: { email: email.toLowerCase(), role: 'MEMBER' } }),
          ),
        ),
      );
    },

    async removeMembers(groupEmail, emails) {
      // 404 means the person is already out of the group.
      await Promise.all(
        emails.map((email) => callUnless('removeMembers', [404], () => directory.members.delete({ groupKey: qualify(groupEmail), memberKey: email.toLowerCase() }))),
      );
    },
  };
}
