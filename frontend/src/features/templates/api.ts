// Excel template export (issue 4): `GET /api/v1/templates/{students|staff}.xlsx`.
import { download } from '../../api/client';

import type { components } from '../../api/schema';

export type TemplateOnly = components['schemas']['Only'];

/** The template variants offered to the clerk, in Vietnamese. */
export const TEMPLATE_VARIANTS: { only: TemplateOnly; label: string }[] = [
  { only: 'all', label: 'Tất cả hồ sơ' },
  { only: 'without_id', label: 'Chỉ hồ sơ chưa có số định danh' },
  { only: 'unverified', label: 'Chỉ hồ sơ chưa xác thực' },
  { only: 'with_errors', label: 'Chỉ hồ sơ còn lỗi' },
];

export function downloadTemplate(
  population: 'students' | 'staff',
  scope: { classId?: number; schoolId?: number; unitId?: number },
  only: TemplateOnly = 'all',
): Promise<void> {
  const suffix = only === 'all' ? '' : `-${only.replace('_', '-')}`;
  const name = scope.classId ? `mau-${population}-lop-${scope.classId}${suffix}.xlsx` : `mau-${population}${suffix}.xlsx`;
  return download(`/api/v1/templates/${population}.xlsx`, { ...scope, only }, name);
}
