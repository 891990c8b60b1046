import { App, Button, Dropdown, Flex, Tooltip, type MenuProps } from 'antd';
import {
  CheckOutlined,
  CloudUploadOutlined,
  DownloadOutlined,
  FileExcelOutlined,
  MoreOutlined,
  PrinterOutlined,
  SafetyCertificateOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import type { Key, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/problem';
import type { PersonKind } from '../../api/types';
import { useSafeFixes } from '../../features/fixes/SafeFixes';
import { useAddressConversion } from '../../features/fixes/AddressConversion';
import { downloadTemplate, TEMPLATE_VARIANTS } from '../../features/templates/api';
import {
  acceptRegistryValuesInBulk,
  awaitingEvidenceInBulk,
  describeBulk,
  describeSendCounts,
  openEvidenceSlips,
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
  const conversion = useAddressConversion({ kind, classId, personIds, scopeText });
  const jobScope = personIds.length > 0 ? { personIds, kind } : { classId, unitId: classId ? undefined : schoolId, kind };

  const fail = (error: unknown) => {
    const { title, detail } = describeError(error);
    notification.error({ title, description: detail });
  };

  const jobsLink = (
    <Button size="small" type="link" onClick={() => navigate('/cong-viec')} style={{ padding: 0 }}>
      Xem tiến độ ở trang Công việc
    </Button>
  );

  const send = async () => {
    try {
      const job = await startVerificationJob(jobScope);
      const skipped = job.totals.skipped;
      void client.invalidateQueries();
      // Stay on the list: the statuses change to "Đang xác thực" here, the job runs on its own.
      notification.success({
        title: `Đã gửi xác thực ${job.total - skipped} hồ sơ (${scopeText})`,
        description: (
          <>
            {skipped > 0 ? `${skipped} hồ sơ còn lỗi phải sửa trước khi gửi. ` : ''}
            {jobsLink}
          </>
        ),
      });
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

  const needSelection = (what: string) => {
    if (personIds.length > 0) return false;
    void message.info(`Hãy chọn các hồ sơ cần ${what} (ô chọn ở đầu mỗi dòng).`);
    return true;
  };

  // "Chờ giấy tờ" on the selection, or taking it back: counts first, then the clerk confirms.
  const awaiting = async (on: boolean) => {
    if (needSelection(on ? 'đánh dấu chờ giấy tờ' : 'bỏ chờ giấy tờ')) return;
    const verb = on ? 'đánh dấu chờ giấy tờ' : 'bỏ chờ giấy tờ';
    try {
      const preview = await awaitingEvidenceInBulk(kind, personIds, on, true);
      if (preview.changed === 0) {
        notification.warning({ title: `Không có hồ sơ nào để ${verb}`, description: describeBulk(verb, 0, preview.notChanged) });
        return;
      }
      modal.confirm({
        title: `${on ? 'Đánh dấu chờ giấy tờ' : 'Bỏ chờ giấy tờ'} ${scopeText}?`,
        content: describeBulk(verb, preview.changed, preview.notChanged),
        okText: `${on ? 'Đánh dấu' : 'Bỏ đánh dấu'} ${preview.changed} hồ sơ`,
        cancelText: 'Không',
        onOk: async () => {
          try {
            const done = await awaitingEvidenceInBulk(kind, personIds, on, false);
            void client.invalidateQueries();
            void message.success(`Đã ${verb} ${done.changed} hồ sơ.`);
          } catch (error) {
            fail(error);
          }
        },
      });
    } catch (error) {
      fail(error);
    }
  };

  // "Nhận giá trị CSDLQG" for the selection (or the class/school): counts first, then confirm.
  const accept = async () => {
    const scope = personIds.length > 0 ? { personIds } : classId ? { classId } : { unitId: schoolId };
    try {
      const preview = await acceptRegistryValuesInBulk({ ...scope, kind, dryRun: true });
      if (preview.accepted === 0) {
        notification.warning({
          title: 'Không có hồ sơ nào nhận được giá trị CSDLQG',
          description: preview.notAccepted.length > 0 ? describeBulk('nhận giá trị CSDLQG cho', 0, preview.notAccepted) : `Không có hồ sơ sai lệch nào (${scopeText}).`,
        });
        return;
      }
      modal.confirm({
        title: `Nhận giá trị CSDLQG (${scopeText})?`,
        content: `${describeBulk('nhận giá trị CSDLQG cho', preview.accepted, preview.notAccepted)}. Các hồ sơ này được gửi xác thực lại; giá trị cũ vẫn nằm trong lịch sử.`,
        okText: `Nhận cho ${preview.accepted} hồ sơ`,
        cancelText: 'Không',
        onOk: async () => {
          try {
            const done = await acceptRegistryValuesInBulk({ ...scope, kind, dryRun: false });
            void client.invalidateQueries();
            notification.success({ title: `Đã nhận giá trị CSDLQG cho ${done.accepted} hồ sơ và gửi xác thực lại`, description: jobsLink });
          } catch (error) {
            fail(error);
          }
        },
      });
    } catch (error) {
      fail(error);
    }
  };

  const item = (key: string, label: string, icon: ReactNode, run: () => void, hidden = false) =>
    hidden ? null : { key, label, icon, onClick: run };

  const more: MenuProps['items'] = [
    item('evidence', personIds.length > 0 ? `Đánh dấu chờ giấy tờ (${personIds.length} hồ sơ)` : 'Đánh dấu chờ giấy tờ (chọn hồ sơ trước)', <SafetyCertificateOutlined />, () => void awaiting(true)),
    item('unevidence', `Bỏ chờ giấy tờ (${personIds.length} hồ sơ)`, <UndoOutlined />, () => void awaiting(false), personIds.length === 0),
    item('accept', `Nhận giá trị CSDLQG (${scopeText})`, <CheckOutlined />, () => void accept()),
    classId
      ? {
          key: 'slips',
          type: 'group' as const,
          label: 'In phiếu bổ sung giấy tờ',
          children: [
            { key: 'slips-a5', icon: <PrinterOutlined />, label: 'Phiếu khổ A5 (mỗi phiếu một trang)', onClick: () => void openEvidenceSlips(classId, 'a5').catch(fail) },
            { key: 'slips-a4', icon: <PrinterOutlined />, label: 'Phiếu khổ A4 (mỗi phiếu một trang)', onClick: () => void openEvidenceSlips(classId, 'a4').catch(fail) },
          ],
        }
      : null,
    {
      key: 'template',
      type: 'group' as const,
      label: 'Xuất mẫu Excel',
      children: TEMPLATE_VARIANTS.map((v) => ({
        key: `template-${v.only}`,
        icon: <DownloadOutlined />,
        label: v.label,
        onClick: () => void downloadTemplate(population, kind === 'student' ? { classId, schoolId } : { unitId: schoolId }, v.only).catch(fail),
      })),
    },
    item('import', 'Nhập Excel đã điền', <FileExcelOutlined />, () => navigate(kind === 'staff' ? '/nhap-excel?doi-tuong=can-bo' : classId ? `/nhap-excel?lop=${classId}` : '/nhap-excel')),
  ].filter((x) => x !== null);

  return (
    <div style={{ marginBottom: 12 }}>
      <Flex gap={8} wrap>
        {fixes.button}
        {conversion.button}
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
      {conversion.result && <div style={{ marginTop: 12 }}>{conversion.result}</div>}
    </div>
  );
}
