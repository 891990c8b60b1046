// Personal data on purpose: the full ID number revealed on request, the access log (who read
// what) and the data-subject report. Each call is recorded by the server.
import { useQuery } from '@tanstack/react-query';
import { api, download, unwrap } from '../../api/client';
import type { components, operations } from '../../api/schema';
import type { PersonKind, Role } from '../../api/types';

export type AccessLogEntry = components['schemas']['AccessLogEntry'];
export type AccessAction = components['schemas']['AccessAction'];
export type AccessLogQuery = NonNullable<operations['list_access_log']['parameters']['query']>;

/** The roles that read the access log (the roles table): a principal its school, a district admin its subtree, the Department all. */
export const LOG_READERS: Role[] = ['school_admin', 'district_admin', 'department', 'department_admin'];
export const readsAccessLog = (role: Role) => LOG_READERS.includes(role);

export const ACCESS_ACTION_LABELS: Record<AccessAction, string> = {
  reveal: 'Xem số định danh đầy đủ',
  history_view: 'Xem lịch sử thay đổi',
  export: 'Xuất tệp',
  import_report: 'Tải báo cáo nhập tệp',
  personal_data_report: 'In báo cáo dữ liệu cá nhân',
  retention_purge: 'Xóa dữ liệu hết thời hạn lưu',
};

/** The full ID number of a record (recorded in the access log). */
export async function revealPersonalId(kind: PersonKind, id: number): Promise<string | null> {
  const body = { fields: ['personalId' as const] };
  const answer =
    kind === 'student'
      ? await unwrap(api.POST('/api/v1/students/{id}/reveal', { params: { path: { id } }, body }))
      : await unwrap(api.POST('/api/v1/staff/{id}/reveal', { params: { path: { id } }, body }));
  return answer.personalId ?? null;
}

export function useAccessLog(query: AccessLogQuery, enabled = true) {
  return useQuery({
    queryKey: ['access-log', query],
    queryFn: () => unwrap(api.GET('/api/v1/access-log', { params: { query } })),
    enabled,
  });
}

/** The access log under the filters as a workbook. */
export function downloadAccessLog(query: Omit<AccessLogQuery, 'page' | 'pageSize'>): Promise<void> {
  return download('/api/v1/access-log.xlsx', query, 'nhat-ky-truy-cap.xlsx');
}

/** The data-subject report of a record (a printable PDF; recorded in the access log). */
export function downloadPersonalDataReport(kind: PersonKind, id: number): Promise<void> {
  const resource = kind === 'student' ? 'students' : 'staff';
  return download(`/api/v1/${resource}/${id}/personal-data-report.pdf`, undefined, `bao-cao-du-lieu-ca-nhan-${id}.pdf`);
}
