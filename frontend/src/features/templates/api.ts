// Excel template export (issue 4): `GET /api/v1/templates/{students|staff}.xlsx`.
import { download } from '../../api/client';

export type TemplateOnly = 'unverified' | 'with_errors' | 'all';

export function downloadTemplate(
  population: 'students' | 'staff',
  scope: { classId?: number; schoolId?: number; unitId?: number },
  only: TemplateOnly = 'all',
): Promise<void> {
  const name = scope.classId ? `mau-${population}-lop-${scope.classId}.xlsx` : `mau-${population}.xlsx`;
  return download(`/api/v1/templates/${population}.xlsx`, { ...scope, only }, name);
}
