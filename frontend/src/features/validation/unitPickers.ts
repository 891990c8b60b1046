// What the residence pickers ask the server for, from what the rule engine has read of the
// residence so far: a province it recognised scopes the district and commune lists to it, a
// pre-2025 district scopes the communes to it; otherwise the whole list is searched.
import type { ResolvedResidence } from '../../api/types';
import type { components, operations } from '../../api/schema';

export type UnitLevel = NonNullable<operations['find_admin_units']['parameters']['query']>['level'];
export type Scheme = components['schemas']['Scheme'];

export interface UnitSearch {
  scheme: Scheme;
  level: UnitLevel;
  provinceCode?: string;
  districtCode?: string;
  /** The option group's title. */
  group: string;
}

/** The lists a cell searches, best first (one or two groups). */
export function searchesFor(level: UnitLevel, read: ResolvedResidence | null | undefined): UnitSearch[] {
  const pre = read?.scheme === 'pre2025' ? read : undefined;
  const post = read?.scheme === 'post2025' ? read : undefined;
  switch (level) {
    case 'province':
      return [
        { scheme: 'post2025', level, group: 'Tỉnh, thành phố (từ 01/7/2025)' },
        { scheme: 'pre2025', level, group: 'Tỉnh, thành phố trước 01/7/2025' },
      ];
    case 'district':
      return [{ scheme: 'pre2025', level, provinceCode: pre?.provinceCode ?? undefined, group: 'Quận, huyện (trước 01/7/2025)' }];
    case 'commune':
      if (pre?.districtCode) return [{ scheme: 'pre2025', level, districtCode: pre.districtCode, group: 'Xã, phường trước 01/7/2025' }];
      if (post?.provinceCode) return [{ scheme: 'post2025', level, provinceCode: post.provinceCode, group: 'Xã, phường (từ 01/7/2025)' }];
      if (pre?.provinceCode) {
        return [
          { scheme: 'pre2025', level, provinceCode: pre.provinceCode, group: 'Xã, phường trước 01/7/2025' },
          ...(pre.post2025?.provinceCode ? [{ scheme: 'post2025' as const, level, provinceCode: pre.post2025.provinceCode, group: 'Xã, phường (từ 01/7/2025)' }] : []),
        ];
      }
      return [
        { scheme: 'post2025', level, group: 'Xã, phường (từ 01/7/2025)' },
        { scheme: 'pre2025', level, group: 'Xã, phường trước 01/7/2025' },
      ];
  }
}
