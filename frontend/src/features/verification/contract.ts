// PROVISIONAL contracts of issue 5 (verification jobs, evidence slips, accepting the
// registry's values), written from the text. Replace with the generated types once
// the endpoints are in openapi/openapi.json, and delete what the final API names otherwise.

export type JobStatus = 'queued' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

/** The scope of a job: a school, a class, or a list filter (default: the caller's unverified records). */
export interface JobScope {
  schoolId?: number;
  classId?: number;
  personIds?: number[];
  population?: 'students' | 'staff';
}

export interface VerificationJob {
  id: number;
  status: JobStatus;
  scope: JobScope & { label?: string };
  /** Items handled so far and in all. */
  progress: { done: number; total: number };
  /** Outcome totals; `skipped` are the records with error findings that were not sent ("sửa trước khi gửi"). */
  totals: { verified: number; mismatched: number; notFound: number; invalid: number; error: number; skipped: number };
  createdAt: string;
  finishedAt?: string | null;
  createdBy?: string;
}

export interface VerificationJobList {
  items: VerificationJob[];
}
