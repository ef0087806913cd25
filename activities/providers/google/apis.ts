/**
 * The Google APIs Muster uses, each from its own module of googleapis. The package's index
 * declares every Google API there is (about 940 declaration files, 170 MB): importing it made
 * the typechecker and typed lint hold over 2 GB, and lint ran out of heap.
 */
export { drive, drive_v3, auth } from 'googleapis/build/src/apis/drive';
export { docs, docs_v1 } from 'googleapis/build/src/apis/docs';
export { calendar, calendar_v3 } from 'googleapis/build/src/apis/calendar';
export { admin, admin_directory_v1 } from 'googleapis/build/src/apis/admin';
export { gmail, gmail_v1 } from 'googleapis/build/src/apis/gmail';
export type { GoogleAuth, OAuth2Client } from 'googleapis-common';
