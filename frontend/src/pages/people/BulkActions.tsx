import { App, Button, Dropdown, Tooltip, type MenuProps } from 'antd';
import {
  CloudUploadOutlined,
  DownloadOutlined,
  FileExcelOutlined,
  MoreOutlined,
  PrinterOutlined,
  SafetyCertificateOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import type { Key, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { hasFeature, type Feature } from '../../api/capabilities';
import { describeError } from '../../api/problem';
import type { PersonKind } from '../../api/types';
import { applyFixes, undoFixes } from '../../features/fixes/api';
import { downloadTemplate } from '../../features/templates/api';
import { downloadEvidenceSlips, startVerificationJob } from '../../features/verification/api';

const UNAVAILABLE = 'Chức năng này chưa có trên máy chủ này.';

/**
 * What a school does to a class or a selection: apply safe fixes (with undo), send for
 * verification, print evidence slips, export the template, import a filled one. Each action is
 * switched on by the server's API (src/api/capabilities.ts); until then it says so.
 */
export function BulkActions({ kind, classId, schoolId, selected }: { kind: PersonKind; classId?: number; schoolId?: number; selected: Key[] }) {
  const { message, notification } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const population = kind === 'student' ? 'students' : 'staff';
  const personIds = selected.map(Number);
  const scope = personIds.length > 0 ? { personIds, population } as const : { classId, schoolId, population } as const;
  const scopeText = personIds.length > 0 ? `${personIds.length} hồ sơ đã chọn` : classId ? 'cả lớp' : 'toàn trường';

  const fail = (error: unknown) => {
    const { title, detail } = describeError(error);
    notification.error({ title, description: detail });
  };
  const refresh = () => void client.invalidateQueries({ queryKey: [kind] });

  const fixes = async () => {
    try {
      const run = await applyFixes(scope);
      refresh();
      notification.success({
        key: `fix-${run.id}`,
        title: `Đã sửa tự động ${run.changes} trường trên ${run.records} hồ sơ`,
        actions: (
          <Button size="small" onClick={() => void undoFixes(run.id).then(() => { refresh(); notification.destroy(`fix-${run.id}`); void message.info('Đã hoàn tác.'); }, fail)}>
            Hoàn tác
          </Button>
        ),
        duration: 0,
      });
    } catch (error) {
      fail(error);
    }
  };

  const verify = async () => {
    try {
      await startVerificationJob(scope);
      void message.success(`Đã gửi xác thực ${scopeText}.`);
      navigate('/cong-viec');
    } catch (error) {
      fail(error);
    }
  };

  const templateFeature: Feature = kind === 'student' ? 'studentTemplate' : 'staffTemplate';
  const item = (key: string, label: string, icon: ReactNode, feature: Feature, run: () => void, hidden = false) =>
    hidden ? null : { key, label: hasFeature(feature) ? label : <Tooltip title={UNAVAILABLE}>{label}</Tooltip>, icon, disabled: !hasFeature(feature), onClick: run };

  const more: MenuProps['items'] = [
    item('evidence', 'Đánh dấu chờ giấy tờ', <SafetyCertificateOutlined />, 'markAwaitingEvidence', () => undefined),
    item('slips', 'In phiếu bổ sung giấy tờ', <PrinterOutlined />, 'evidenceSlips', () => classId && void downloadEvidenceSlips(classId).catch(fail), !classId),
    item('template', 'Xuất mẫu Excel', <DownloadOutlined />, templateFeature, () => void downloadTemplate(population, { classId, schoolId }).catch(fail)),
    item('import', 'Nhập Excel đã điền', <FileExcelOutlined />, 'imports', () => navigate(classId ? `/nhap-excel?lop=${classId}` : '/nhap-excel')),
  ].filter((x) => x !== null);

  const button = (feature: Feature, label: string, icon: ReactNode, run: () => void, primary = false) => (
    <Tooltip title={hasFeature(feature) ? `Áp dụng cho ${scopeText}` : UNAVAILABLE}>
      <Button icon={icon} type={primary ? 'primary' : 'default'} disabled={!hasFeature(feature)} onClick={run}>
        {label}
      </Button>
    </Tooltip>
  );

  return (
    <>
      {button('fixes', 'Sửa tự động', <ToolOutlined />, () => void fixes())}
      {button('verificationJobs', 'Gửi xác thực', <CloudUploadOutlined />, () => void verify(), true)}
      <Dropdown menu={{ items: more }} trigger={['click']}>
        <Button icon={<MoreOutlined />} data-testid="more-actions">
          Thao tác khác
        </Button>
      </Dropdown>
    </>
  );
}
