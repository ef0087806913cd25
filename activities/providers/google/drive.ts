/**
 * Drive folders and Docs documents. Both are found again by the appProperties Muster stamps on
 * them (muster_incident, muster_kind), so a retried ensure finds what an earlier attempt made.
 */
import type { docs_v1, drive_v3 } from './apis';
import { VendorError } from '../../errors';
import type { DocumentProvider, FileRef, StorageProvider } from '../types';
import { call, googleMessage, googleStatus, toVendorError } from './errors';

const FOLDER = 'application/vnd.google-apps.folder';
const FOLDER_KIND = 'folder';

/** A string literal in Drive's query language. */
const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const appPropertiesOf = (incidentId: string, kind: string) => ({ muster_incident: incidentId, muster_kind: kind });

/** Files ask for what we read: Drive answers only id, name and mimeType otherwise. */
const FILE_FIELDS = 'id,webViewLink';

// Shared drives need these on every call; they are harmless for My Drive.
const ALL_DRIVES = { supportsAllDrives: true } as const;

function toRef(file: drive_v3.Schema$File, operation: string): FileRef {
  if (!file.id || !file.webViewLink) throw new VendorError('google', operation, 'transient', 'Drive answered without id or webViewLink');
  return { id: file.id, url: file.webViewLink };
}

/** The incident's file of this kind, made by an earlier attempt, if any. */
async function findMarked(drive: drive_v3.Drive, operation: string, incidentId: string, kind: string, mimeType?: string): Promise<FileRef | undefined> {
  const clauses = Object.entries(appPropertiesOf(incidentId, kind)).map(([key, value]) => `appProperties has { key=${quote(key)} and value=${quote(value)} }`);
  if (mimeType) clauses.push(`mimeType = ${quote(mimeType)}`);
  clauses.push('trashed = false');
  const list = await call(operation, () =>
    drive.files.list({ q: clauses.join(' and '), fields: `files(${FILE_FIELDS})`, pageSize: 10, includeItemsFromAllDrives: true, ...ALL_DRIVES }),
  );
  const found = list.files?.[0];
  return found ? toRef(found, operation) : undefined;
}

export function driveStorage(drive: drive_v3.Drive): StorageProvider {
  return {
    async ensureFolder({ incidentId, name, parentId }) {
      const operation = 'ensureFolder';
      const existing = await findMarked(drive, operation, incidentId, FOLDER_KIND, FOLDER);
      if (existing) return existing;
      const created = await call(operation, () =>
        drive.files.create({
          requestBody: { name, mimeType: FOLDER, ...(parentId ? { parents: [parentId] } : {}), appProperties: appPropertiesOf(incidentId, FOLDER_KIND) },
          fields: FILE_FIELDS,
          ...ALL_DRIVES,
        }),
      );
      return toRef(created, operation);
    },

    async share(fileId, { email, type, role }) {
      // Drive answers a repeated grant with the existing permission, so retries are harmless.
      // No notification mail: the incident channel already tells people where things are, and
      // a retried activity would mail them twice.
      await call('share', () =>
        drive.permissions.create({ fileId, requestBody: { type, role, emailAddress: email }, sendNotificationEmail: false, fields: 'id', ...ALL_DRIVES }),
      );
    },

    async rename(fileId, name) {
      await call('rename', () => drive.files.update({ fileId, requestBody: { name }, fields: 'id', ...ALL_DRIVES }));
    },
  };
}

export function googleDocuments(drive: drive_v3.Drive, docs: docs_v1.Docs): DocumentProvider {
  return {
    async ensureFromTemplate({ incidentId, kind, templateId, name, folderId }) {
      const operation = 'ensureFromTemplate';
      const existing = await findMarked(drive, operation, incidentId, kind);
      if (existing) return existing;
      try {
        const { data } = await drive.files.copy({
          fileId: templateId,
          requestBody: { name, parents: [folderId], appProperties: appPropertiesOf(incidentId, kind) },
          fields: FILE_FIELDS,
          ...ALL_DRIVES,
        });
        return toRef(data, operation);
      } catch (err) {
        throw missingFile(operation, err, templateId, folderId);
      }
    },

    async fillIn(documentId, values) {
      const requests = Object.entries(values).map(([key, value]) => ({
        replaceAllText: { containsText: { text: `{{${key}}}`, matchCase: true }, replaceText: value },
      }));
      if (requests.length === 0) return;
      // Replacing is idempotent: after the first pass the placeholders are gone.
      await call('fillIn', () => docs.documents.batchUpdate({ documentId, requestBody: { requests } }));
    },
  };
}

/** Drive's 404 names the id it could not find; say which of ours it was, so a person can fix the config. */
function missingFile(operation: string, err: unknown, templateId: string, folderId: string): VendorError {
  const error = toVendorError(operation, err);
  if (googleStatus(err) !== 404) return error;
  const said = googleMessage(err);
  const what = said.includes(folderId) && !said.includes(templateId) ? `folder ${folderId}` : `template ${templateId}`;
  return new VendorError('google', operation, 'permanent', `${what} not found, or not shared with Muster's Google account (Drive: ${said})`, error.details);
}
