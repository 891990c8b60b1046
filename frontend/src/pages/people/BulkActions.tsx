import { App, Button, Dropdown, Flex, Tooltip, type MenuProps } from 'antd';
import {
  CloudUploadOutlined,
  DownloadOutlined,
  FileExcelOutlined,
  MoreOutlined,
  PrinterOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import type { Key, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/problem';
import type { PersonKind } from '../../api/types';
import { useSafeFixes } from '../../features/fixes/SafeFixes';
import { downloadTemplate } from '../../features/templates/api';
import {
  describeSendCounts,
  downloadEvidenceSlips,
  markAwaitingEvidence,
  previewVerificationJob,
  startVerificationJob,
} from '../../features/verification/api';
import { useQueryClient } from '@tanstack/react-query';

/**
 * What a school does to a class or a selection: apply safe fixes (with undo), send for
 * verification, print evidence slips, export the template, import a filled one.
 */
export function BulkActions({ kind, classId, schoolId, selected }: { kind: PersonKind; classId?: number; schoolId?: number; selected: Key[] }) {
  const { message, notification, modal } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const population = kind === 'student' ? 'students' : 'staff';
  const personIds = selected.map(Number);
  const scopeText = personIds.length > 0 ? `${personIds.length} hồ sơ đã chọn` : classId ? 'cả lớp' : 'toàn trường';
  const fixes = useSafeFixes({ kind, classId, personIds, scopeText });
  const jobScope = personIds.length > 0 ? { personIds, kind } : { classId, unitId: classId ? undefined : schoolId, kind };

  const fail = (error: unknown) => {
    const { title, detail } = describeError(error);
    notification.error({ title, description: detail });
  };

  const send = async () => {
    try {
      const job = await startVerificationJob(jobScope);
      const skipped = job.totals.skipped;
      void message.success(
        `Đã gửi xác thực ${scopeText}: ${job.total - skipped} hồ sơ được gửi` +
          (skipped > 0 ? `, ${skipped} hồ sơ còn lỗi phải sửa trước khi gửi.` : '.'),
      );
      navigate('/cong-viec');
    } catch (error) {
      fail(error);
    }
  };

  // What the send will do first (a dry run), then the clerk confirms; nothing to send says why.
  const verify = async () => {
    try {
      const { counts } = await previewVerificationJob(jobScope);
      if (counts.sendable === 0) {
        notification.warning({ title: 'Không có hồ sơ nào cần gửi xác thực', description: describeSendCounts(counts) || 'Phạm vi đã chọn không có hồ sơ nào.' });
        return;
      }
      modal.confirm({
        title: `Gửi xác thực ${scopeText}?`,
        content: describeSendCounts(counts),
        okText: `Gửi ${counts.sendable} hồ sơ`,
        cancelText: 'Không gửi',
        onOk: send,
      });
    } catch (error) {
      fail(error);
    }
  };

  const markSelected = async () => {
    if (personIds.length === 0) {
      void message.info('Hãy chọn các hồ sơ cần phụ huynh bổ sung giấy thông báo số định danh.');
      return;
    }
    let done = 0;
    const refused: string[] = [];
    for (const id of personIds) {
      try {
        await markAwaitingEvidence(kind, id);
        done += 1;
      } catch (error) {
        refused.push(describeError(error).title);
      }
    }
    void client.invalidateQueries();
    if (refused.length === 0) void message.success(`Đã đánh dấu chờ giấy tờ ${done} hồ sơ.`);
    else notification.warning({ title: `Đã đánh dấu ${done} hồ sơ; ${refused.length} hồ sơ không đánh dấu được`, description: [...new Set(refused)].join('; ') });
  };

  const item = (key: string, label: string, icon: ReactNode, run: () => void, hidden = false) =>
    hidden ? null : { key, label, icon, onClick: run };

  const more: MenuProps['items'] = [
    item('evidence', personIds.length > 0 ? `Đánh dấu chờ giấy tờ (${personIds.length} hồ sơ)` : 'Đánh dấu chờ giấy tờ (chọn hồ sơ trước)', <SafetyCertificateOutlined />, () => void markSelected()),
    item('slips', 'In phiếu bổ sung giấy tờ', <PrinterOutlined />, () => classId && void downloadEvidenceSlips(classId).catch(fail), !classId),
    item('template', 'Xuất mẫu Excel', <DownloadOutlined />, () => void downloadTemplate(population, kind === 'student' ? { classId, schoolId } : { unitId: schoolId }).catch(fail)),
    item('import', 'Nhập Excel đã điền', <FileExcelOutlined />, () => navigate(kind === 'staff' ? '/nhap-excel?doi-tuong=can-bo' : classId ? `/nhap-excel?lop=${classId}` : '/nhap-excel')),
  ].filter((x) => x !== null);

  return (
    <div style={{ marginBottom: 12 }}>
      <Flex gap={8} wrap>
        {fixes.button}
        <Tooltip title={`Áp dụng cho ${scopeText}`}>
          <Button icon={<CloudUploadOutlined />} type="primary" onClick={() => void verify()}>
            Gửi xác thực
          </Button>
        </Tooltip>
        <Dropdown menu={{ items: more }} trigger={['click']}>
          <Button icon={<MoreOutlined />} data-testid="more-actions">
            Thao tác khác
          </Button>
        </Dropdown>
      </Flex>
      {fixes.result && <div style={{ marginTop: 12 }}>{fixes.result}</div>}
    </div>
  );
}
