import { App, Button, Tooltip } from 'antd';
import { FileExcelOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { download } from '../../api/client';
import { describeError } from '../../api/problem';
import type { PeopleQuery } from '../../api/queries';
import type { PersonKind } from '../../api/types';
import { formatNumber } from '../../text/format';

/**
 * "Xuất Excel": exactly the list on screen (its scope and filters, every page) as a workbook
 * from `GET /students.xlsx` or `/staff.xlsx`, ID numbers masked; the export is in the access log.
 */
export function ExportListButton({ kind, query, total }: { kind: PersonKind; query: Omit<PeopleQuery, 'page' | 'pageSize'>; total: number }) {
  const { notification } = App.useApp();
  const [busy, setBusy] = useState(false);
  const population = kind === 'student' ? 'students' : 'staff';
  const run = async () => {
    setBusy(true);
    try {
      await download(`/api/v1/${population}.xlsx`, { ...query }, `danh-sach-${population}.xlsx`);
    } catch (error) {
      const { title, detail } = describeError(error);
      notification.error({ title, description: detail });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={`Xuất đúng danh sách đang lọc (${formatNumber(total)} hồ sơ) ra Excel; số định danh được che.`}>
      <Button icon={<FileExcelOutlined />} loading={busy} disabled={total === 0} onClick={() => void run()} data-testid="export-list">
        Xuất Excel
      </Button>
    </Tooltip>
  );
}
