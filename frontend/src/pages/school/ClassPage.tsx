import { Tag } from 'antd';
import { useParams } from 'react-router';
import { ApiProblem } from '../../api/problem';
import { useClass, useUnit } from '../../api/queries';
import { isSchoolRole, useSession } from '../../auth/AuthContext';
import { ErrorResult } from '../../components/ErrorResult';
import { PageHeader, type Crumb } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatNumber } from '../../text/format';
import { BulkActions } from '../people/BulkActions';
import { PeopleSection } from '../people/PeopleSection';

/** A class's students: the table with filters, the record drawer, and the school's bulk actions. */
export default function ClassPage() {
  const id = Number(useParams().classId);
  const session = useSession();
  const klass = useClass(id);
  const school = useUnit(klass.data?.schoolId ?? Number.NaN);
  const isSchool = isSchoolRole(session.user.role);
  if (!Number.isInteger(id)) return <ErrorResult error={new ApiProblem({ status: 404, code: 'not_found' })} what="lớp học" />;

  return (
    <QueryState query={klass} what="lớp học">
      {(c) => {
        const crumbs: Crumb[] = isSchool
          ? [{ title: 'Lớp học', to: '/lop' }, { title: `Lớp ${c.name}` }]
          : [{ title: 'Đơn vị', to: '/don-vi' }, { title: school.data?.name ?? 'Trường', to: `/don-vi/${c.schoolId}` }, { title: `Lớp ${c.name}` }];
        return (
          <>
            <PageHeader
              title={`Lớp ${c.name}`}
              crumbs={crumbs}
              subTitle={
                <>
                  {school.data && !isSchool ? `${school.data.name} · ` : ''}Năm học {c.schoolYear} · <Tag>{formatNumber(c.studentCount)} học sinh</Tag>
                </>
              }
            />
            <PeopleSection
              kind="student"
              scope={{ classId: c.id }}
              selectable={isSchool}
              toolbar={isSchool ? (selected) => <BulkActions kind="student" classId={c.id} selected={selected} /> : undefined}
              emptyText="Lớp chưa có học sinh nào."
            />
          </>
        );
      }}
    </QueryState>
  );
}
