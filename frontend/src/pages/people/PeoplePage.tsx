import { Flex, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import type { PersonKind } from '../../api/types';
import { isOfficeRole, useSession } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { UnitPicker } from '../../components/UnitPicker';
import { BulkActions } from './BulkActions';
import { PeopleSection } from './PeopleSection';

/**
 * Every student (or staff member) in the account's scope: a school sees its own with the class
 * column and bulk actions; an office picks a unit of its subtree.
 */
export function PeoplePage({ kind }: { kind: PersonKind }) {
  const session = useSession();
  const office = isOfficeRole(session.user.role);
  const [params, setParams] = useSearchParams();
  const unitId = Number(params.get('donVi')) || undefined;
  const pickUnit = (id: number | undefined) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (id) next.set('donVi', String(id));
      else next.delete('donVi');
      next.delete('page');
      return next;
    });
  const title = kind === 'student' ? 'Học sinh' : 'Cán bộ';
  return (
    <>
      <PageHeader
        title={title}
        subTitle={office ? undefined : session.user.unit.name}
        extra={
          office ? (
            <Flex align="center" gap={8}>
              <Typography.Text type="secondary">Đơn vị:</Typography.Text>
              <UnitPicker value={unitId} onChange={pickUnit} />
            </Flex>
          ) : undefined
        }
      />
      <PeopleSection
        kind={kind}
        scope={{ unitId }}
        selectable={!office}
        show={{ className: kind === 'student', unitName: office, position: kind === 'staff' }}
        toolbar={!office ? (selected) => <BulkActions kind={kind} schoolId={session.user.unit.id} selected={selected} /> : undefined}
        emptyText={kind === 'student' ? 'Chưa có hồ sơ học sinh nào.' : 'Chưa có hồ sơ cán bộ nào.'}
      />
    </>
  );
}

export function StudentsPage() {
  return <PeoplePage kind="student" />;
}

export function StaffPage() {
  return <PeoplePage kind="staff" />;
}
