// Calls of issue 5's endpoints through the untyped client (they are not in the generated
// client yet). Each caller checks `hasFeature(...)` first.
import { download, rawRequest } from '../../api/client';
import type { JobScope, VerificationJob, VerificationJobList } from './contract';

export const listVerificationJobs = () => rawRequest<VerificationJobList>('GET', '/api/v1/verification-jobs');

export const getVerificationJob = (id: number) => rawRequest<VerificationJob>('GET', `/api/v1/verification-jobs/${id}`);

export const startVerificationJob = (scope: JobScope) =>
  rawRequest<VerificationJob>('POST', '/api/v1/verification-jobs', { json: scope });

export const cancelVerificationJob = (id: number) =>
  rawRequest<VerificationJob>('POST', `/api/v1/verification-jobs/${id}/cancel`);

export const acceptRegistryValues = (studentId: number) =>
  rawRequest<unknown>('POST', `/api/v1/students/${studentId}/accept-registry-values`);

/** The printable evidence slips of a class (an HTML page), saved as a file to print. */
export const downloadEvidenceSlips = (classId: number) =>
  download(`/api/v1/classes/${classId}/evidence-requests`, undefined, `phieu-bo-sung-giay-to-lop-${classId}.html`);
