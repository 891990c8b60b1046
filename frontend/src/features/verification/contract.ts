// Verification against the national population database (issue 5), as generated from
// openapi/openapi.json.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type VerificationJob = Schemas['VerificationJob'];
export type VerificationJobList = Schemas['JobPage'];
export type JobScope = Schemas['JobScope'];
export type VerificationEntry = Schemas['VerificationEntry'];
export type VerificationHistory = Schemas['VerificationHistory'];
export type RegistryValues = Schemas['RegistryValues'];
export type AcceptedValues = Schemas['AcceptedValues'];
export type SkippedView = Schemas['SkippedView'];
export type SendCounts = Schemas['SendCounts'];
export type DryRunAnswer = Schemas['DryRunAnswer'];
export type BulkAccept = Schemas['BulkAccept'];
export type BulkAccepted = Schemas['BulkAccepted'];
export type BulkAwaitingDone = Schemas['BulkAwaitingDone'];
export type JobOutcome = Schemas['JobOutcome'];
export type JobItemView = Schemas['JobItemView'];

/** `queued`, `running`, `paused` (the registry is unavailable: the job resumes by itself), `done`, `cancelled`. */
export type JobStatus = Schemas['JobStatus'];
export type HistoryOutcome = Schemas['HistoryOutcome'];

export const jobStatus = (j: VerificationJob): JobStatus => j.status;
