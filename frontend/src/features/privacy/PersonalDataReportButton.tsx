import { App, Button } from 'antd';
import { FilePdfOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { describeError } from '../../api/problem';
import type { PersonKind } from '../../api/types';
import { downloadPersonalDataReport } from './api';

/** "Báo cáo dữ liệu cá nhân": the printable answer to a parent (or staff member) who asks what is held. */
export function PersonalDataReportButton({ kind, id, compact }: { kind: PersonKind; id: number; compact?: boolean }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await downloadPersonalDataReport(kind, id);
    } catch (error) {
      void message.error(describeError(error).title);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<FilePdfOutlined />} loading={busy} onClick={() => void run()} data-testid="personal-data-report"
      aria-label="Báo cáo dữ liệu cá nhân" title="Báo cáo dữ liệu cá nhân (PDF)">
      {compact ? undefined : 'Báo cáo dữ liệu cá nhân'}
    </Button>
  );
}
