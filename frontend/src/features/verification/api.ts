// Calls of the verification endpoints (issue 5).
import { api, download, unwrap } from '../../api/client';
import type { PersonKind } from '../../api/types';
import type { JobScope } from './contract';

const path = (id: number) => ({ params: { path: { id } } });

export const listVerificationJobs = () =>
  unwrap(api.GET('/api/v1/verification-jobs', { params: { query: { pageSize: 50 } } }));

export const getVerificationJob = (id: number) => unwrap(api.GET('/api/v1/verification-jobs/{id}', path(id)));

export const startVerificationJob = (scope: JobScope) => unwrap(api.POST('/api/v1/verification-jobs', { body: scope }));

export const cancelVerificationJob = (id: number) => unwrap(api.POST('/api/v1/verification-jobs/{id}/cancel', path(id)));

export const verificationHistory = (kind: PersonKind, id: number) =>
  unwrap(
    kind === 'student'
      ? api.GET('/api/v1/students/{id}/verifications', path(id))
      : api.GET('/api/v1/staff/{id}/verifications', path(id)),
  );

/** Copies the registry's values into the record (audited, source `registry`) and sends it again. */
export const acceptRegistryValues = (kind: PersonKind, id: number) =>
  unwrap(
    kind === 'student'
      ? api.POST('/api/v1/students/{id}/accept-registry-values', path(id))
      : api.POST('/api/v1/staff/{id}/accept-registry-values', path(id)),
  );

/** Marks a record as waiting for the parent's ID-number notice. */
export const markAwaitingEvidence = (kind: PersonKind, id: number) =>
  unwrap(
    kind === 'student'
      ? api.POST('/api/v1/students/{id}/awaiting-evidence', path(id))
      : api.POST('/api/v1/staff/{id}/awaiting-evidence', path(id)),
  );

/** Takes the "awaiting evidence" mark back: the record returns to its status before it. */
export const unmarkAwaitingEvidence = (kind: PersonKind, id: number) =>
  unwrap(
    kind === 'student'
      ? api.DELETE('/api/v1/students/{id}/awaiting-evidence', path(id))
      : api.DELETE('/api/v1/staff/{id}/awaiting-evidence', path(id)),
  );

/** The printable evidence slips of a class (an HTML page), saved as a file to print. */
export const downloadEvidenceSlips = (classId: number) =>
  download(`/api/v1/classes/${classId}/evidence-requests`, undefined, `phieu-bo-sung-giay-to-lop-${classId}.html`);
