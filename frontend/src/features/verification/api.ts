// Calls of the verification endpoints (issue 5). Each caller checks `hasFeature(...)` first.
import { download, rawRequest } from '../../api/client';
import type { PersonKind } from '../../api/types';
import type { AcceptedValues, JobScope, VerificationHistory, VerificationJob, VerificationJobList } from './contract';

const base = (kind: PersonKind) => (kind === 'student' ? '/api/v1/students' : '/api/v1/staff');

export const listVerificationJobs = () =>
  rawRequest<VerificationJobList>('GET', '/api/v1/verification-jobs', { query: { pageSize: 50 } });

export const getVerificationJob = (id: number) => rawRequest<VerificationJob>('GET', `/api/v1/verification-jobs/${id}`);

export const startVerificationJob = (scope: JobScope) =>
  rawRequest<VerificationJob>('POST', '/api/v1/verification-jobs', { json: scope });

export const cancelVerificationJob = (id: number) =>
  rawRequest<VerificationJob>('POST', `/api/v1/verification-jobs/${id}/cancel`);

export const verificationHistory = (kind: PersonKind, id: number) =>
  rawRequest<VerificationHistory>('GET', `${base(kind)}/${id}/verifications`);

/** Copies the registry's values into the record (audited, source `registry`) and sends it again. */
export const acceptRegistryValues = (kind: PersonKind, id: number) =>
  rawRequest<AcceptedValues>('POST', `${base(kind)}/${id}/accept-registry-values`);

/** Marks a record as waiting for the parent's ID-number notice. */
export const markAwaitingEvidence = (kind: PersonKind, id: number) =>
  rawRequest<unknown>('POST', `${base(kind)}/${id}/awaiting-evidence`);

/** The printable evidence slips of a class (an HTML page), saved as a file to print. */
export const downloadEvidenceSlips = (classId: number) =>
  download(`/api/v1/classes/${classId}/evidence-requests`, undefined, `phieu-bo-sung-giay-to-lop-${classId}.html`);
