// Calls of the verification endpoints (issue 5).
import { api, openPage, unwrap } from '../../api/client';
import type { PersonKind } from '../../api/types';
import type { BulkAccept, BulkAccepted, BulkAwaitingDone, DryRunAnswer, JobOutcome, JobScope, SendCounts, VerificationJob } from './contract';

const path = (id: number) => ({ params: { path: { id } } });

export const listVerificationJobs = () =>
  unwrap(api.GET('/api/v1/verification-jobs', { params: { query: { pageSize: 50 } } }));

export const getVerificationJob = (id: number) => unwrap(api.GET('/api/v1/verification-jobs/{id}', path(id)));

/** The records behind one of a job's totals, a page at a time. */
export const listVerificationJobItems = (id: number, outcome: JobOutcome, page: number, pageSize: number) =>
  unwrap(api.GET('/api/v1/verification-jobs/{id}/items', { params: { path: { id }, query: { outcome, page, pageSize } } }));

/** Starts a job (202); a scope with nothing to send answers 422 `nothing_to_send`. */
export const startVerificationJob = async (scope: JobScope): Promise<VerificationJob> =>
  (await unwrap(api.POST('/api/v1/verification-jobs', { body: { ...scope, dryRun: false } }))) as VerificationJob;

/** What sending a scope would do (counts by reason), without doing it. */
export const previewVerificationJob = async (scope: JobScope): Promise<DryRunAnswer> =>
  (await unwrap(api.POST('/api/v1/verification-jobs', { body: { ...scope, dryRun: true } }))) as DryRunAnswer;

/** Vietnamese: what a send will do, reason by reason. */
export function describeSendCounts(c: SendCounts): string {
  const parts = [
    [c.sendable, 'được gửi'],
    [c.errorsToFix, 'còn lỗi phải sửa trước'],
    [c.verified, 'đã xác thực'],
    [c.queued, 'đang chờ xác thực'],
    [c.awaitingEvidence, 'đang chờ giấy tờ'],
    [c.unchangedSinceAnswer, 'sai thông tin nhưng chưa sửa gì kể từ lần trả lời trước (chọn riêng để gửi lại)'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} hồ sơ ${what}`)
    .join('; ');
}

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

/** The printable evidence slips of a class ("Phiếu bổ sung giấy tờ — 8A4"), opened in a new tab to print. */
export const openEvidenceSlips = (classId: number, paper: 'a5' | 'a4') => openPage(`/api/v1/classes/${classId}/evidence-requests`, { paper });

/** Takes the registry's values for the mismatched records of a scope or a selection (`dryRun` only counts). */
export const acceptRegistryValuesInBulk = (body: BulkAccept) =>
  unwrap(api.POST('/api/v1/verification/accept-registry-values', { body })) as Promise<BulkAccepted>;

/** Marks (or, `on: false`, unmarks) records as awaiting the parent's notice (`dryRun` only counts). */
export const awaitingEvidenceInBulk = (kind: PersonKind, personIds: number[], on: boolean, dryRun: boolean) =>
  (on
    ? unwrap(api.POST('/api/v1/verification/awaiting-evidence', { body: { kind, personIds, dryRun } }))
    : unwrap(api.DELETE('/api/v1/verification/awaiting-evidence', { body: { kind, personIds, dryRun } }))) as Promise<BulkAwaitingDone>;

const LEFT_ALONE: Record<string, string> = {
  not_allowed: 'đã xác thực hoặc đang xác thực',
  already_awaiting_evidence: 'đã ở trạng thái chờ giấy tờ',
  not_awaiting_evidence: 'không ở trạng thái chờ giấy tờ',
  no_registry_values: 'không có giá trị CSDLQG để nhận',
  would_worsen: 'giá trị của CSDLQG làm hồ sơ có thêm lỗi',
  forbidden: 'không thuộc quyền sửa của tài khoản',
  not_found: 'không tìm thấy',
};

/** Vietnamese: what a bulk action will do ("Sẽ đánh dấu 12 · bỏ qua 3 đã xác thực"). */
export function describeBulk(verb: string, changed: number, leftAlone: { code: string }[]): string {
  const counts = new Map<string, number>();
  for (const n of leftAlone) counts.set(n.code, (counts.get(n.code) ?? 0) + 1);
  const skipped = [...counts].map(([code, n]) => `bỏ qua ${n} ${LEFT_ALONE[code] ?? code}`);
  return [`Sẽ ${verb} ${changed} hồ sơ`, ...skipped].join(' · ');
}
