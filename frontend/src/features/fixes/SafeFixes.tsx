import { Alert, App, Button, Popconfirm, Tooltip, Typography } from 'antd';
import { ToolOutlined, UndoOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { ApiProblem, describeError } from '../../api/problem';
import { usePeopleCount } from '../../api/queries';
import type { FixBatch, PersonKind } from '../../api/types';
import { formatNumber } from '../../text/format';
import { previewFixes, useApplyFixes, useFixBatch, useUndoFixes } from './api';
import { batchSummary, fixScopeKey, lastBatch } from './summary';


/** Where a batch applies: a class (or the whole unit), optionally only the selected records. */
export interface FixTarget {
  kind: PersonKind;
  classId?: number;
  personIds: number[];
  /** "cả lớp", "toàn trường", "3 hồ sơ đã chọn". */
  scopeText: string;
}

/**
 * "Sửa tự động": asks first (what is repaired, that it can be undone), applies the safe repairs of
 * the target, and remembers the batch for the tab so its result and "Hoàn tác" stay on the page.
 */
export function useSafeFixes(target: FixTarget) {
  const { notification } = App.useApp();
  const key = fixScopeKey(target.kind, target.classId);
  // The batch remembered for this scope; re-read when the page moves to another class.
  const [remembered, setRemembered] = useState(() => ({ key, id: lastBatch.get(key) }));
  const batchId = remembered.key === key ? remembered.id : lastBatch.get(key);
  const setBatchId = (id: string | undefined) => setRemembered({ key, id });
  const apply = useApplyFixes(target.kind);
  // Records in scope that carry a safe repair (the residence's included, which /fixes leaves alone).
  const pending = usePeopleCount(target.kind, { classId: target.classId, severity: 'fixed' });

  const run = async () => {
    try {
      const batch = await apply.mutateAsync({
        classId: target.classId,
        personIds: target.personIds.length > 0 ? target.personIds : undefined,
      });
      lastBatch.set(key, batch.id);
      setBatchId(batch.id);
    } catch (error) {
      const { title, detail } = describeError(error);
      notification.error({ title, description: detail });
    }
  };
  const forget = () => {
    lastBatch.clear(key);
    setBatchId(undefined);
  };

  // The dry run's answer while the confirmation is open: what the batch would change, nothing written.
  const [preview, setPreview] = useState<{ state: 'loading' } | { state: 'ready'; batch: FixBatch } | { state: 'failed'; detail: string }>();
  const openPreview = async (open: boolean) => {
    if (!open) return;
    setPreview({ state: 'loading' });
    try {
      const batch = await previewFixes(target.kind, {
        classId: target.classId,
        personIds: target.personIds.length > 0 ? target.personIds : undefined,
      });
      setPreview({ state: 'ready', batch });
    } catch (error) {
      setPreview({ state: 'failed', detail: describeError(error).title });
    }
  };
  const counts =
    preview?.state === 'ready'
      ? preview.batch.changes > 0
        ? `Sẽ sửa ${formatNumber(preview.batch.changes)} giá trị của ${formatNumber(preview.batch.records)} hồ sơ.`
        : 'Không có giá trị nào sửa tự động được trong phạm vi này.'
      : preview?.state === 'failed'
        ? `Chưa tính được số hồ sơ sẽ sửa: ${preview.detail}`
        : 'Đang tính số hồ sơ sẽ sửa…';
  const nothing = target.personIds.length === 0 && pending.data === 0;
  const button = (
    <Popconfirm
      title={`Sửa tự động ${target.scopeText}?`}
      description={
        <Typography.Paragraph style={{ maxWidth: 360, margin: 0 }}>
          <strong data-testid="apply-fixes-counts">{counts}</strong> Họ tên, ngày sinh, giới tính và số định danh có lỗi sửa
          được an toàn (dấu cách thừa, chữ hoa/thường, phông chữ cũ, số 0 đầu bị Excel làm mất, ngày dạng số…) sẽ được ghi lại
          theo giá trị đã chuẩn hoá. Các lỗi khác không bị thay đổi. Có thể hoàn tác.
        </Typography.Paragraph>
      }
      okText="Sửa tự động"
      cancelText="Thôi"
      okButtonProps={{ disabled: preview?.state !== 'ready' || preview.batch.changes === 0 }}
      onOpenChange={(open) => void openPreview(open)}
      onConfirm={() => void run()}
      disabled={nothing}
    >
      <Tooltip
        title={
          nothing
              ? 'Không có hồ sơ nào có lỗi sửa tự động được.'
              : target.personIds.length > 0
                ? `Áp dụng cho ${target.scopeText}`
                : `${formatNumber(pending.data ?? 0)} hồ sơ có lỗi sửa tự động được`
        }
      >
        <Button icon={<ToolOutlined />} disabled={nothing} loading={apply.isPending} data-testid="apply-fixes">
          Sửa tự động
        </Button>
      </Tooltip>
    </Popconfirm>
  );
  const result = batchId ? <FixResult kind={target.kind} id={batchId} onClose={forget} /> : null;
  return { button, result };
}

/** The last batch of the scope: what it changed, with "Hoàn tác" until it is undone. */
export function FixResult({ kind, id, onClose, testId = 'fix-result' }: { kind: PersonKind; id: string; onClose: () => void; testId?: string }) {
  const { notification } = App.useApp();
  const batch = useFixBatch(id);
  const undo = useUndoFixes(kind);
  // A batch of another database (the tab outlived a reset) is simply forgotten.
  const gone = batch.isError && batch.error instanceof ApiProblem && batch.error.isNotFound;
  useEffect(() => {
    if (gone) onClose();
  }, [gone, onClose]);
  if (batch.isPending || gone) return null;
  if (batch.isError) {
    const { title, detail } = describeError(batch.error);
    return <Alert type="warning" showIcon closable onClose={onClose} title={`Không tải được kết quả sửa tự động: ${title}`} description={detail} />;
  }
  const data: FixBatch = batch.data;
  const summary = batchSummary(data);
  const undoable = !data.undoneAt && data.changes > 0;
  const runUndo = async () => {
    try {
      await undo.mutateAsync(data.id);
    } catch (error) {
      const { title, detail } = describeError(error);
      notification.error({ title, description: detail });
      void batch.refetch();
    }
  };
  return (
    <Alert
      type={data.undoneAt || data.changes === 0 ? 'info' : 'success'}
      showIcon
      closable
      onClose={onClose}
      title={summary.title}
      description={summary.detail}
      action={
        undoable ? (
          <Button icon={<UndoOutlined />} loading={undo.isPending} onClick={() => void runUndo()} data-testid={testId === 'fix-result' ? 'undo-fixes' : `${testId}-undo`}>
            Hoàn tác
          </Button>
        ) : undefined
      }
      data-testid={testId}
      data-state={data.undoneAt ? 'undone' : 'applied'}
    />
  );
}
