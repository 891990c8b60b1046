// What a bulk repair did, in one Vietnamese sentence, and where the last batch of each scope is
// remembered for the tab (so "Hoàn tác" survives a reload or a visit to another page).
import type { FixBatch, PersonKind } from '../../api/types';
import { formatNumber } from '../../text/format';

/** The outcome of a batch: applied, nothing to do, or undone (with the fields kept). */
export function batchSummary(
  batch: Pick<FixBatch, 'records' | 'changes' | 'undoneAt' | 'reverted' | 'kept'> & Partial<Pick<FixBatch, 'findingCode'>>,
): {
  title: string;
  detail?: string;
} {
  const conversion = batch.findingCode === 'address_outdated_unit';
  if (batch.undoneAt) {
    const kept =
      batch.kept > 0
        ? conversion
          ? `${formatNumber(batch.kept)} trường địa chỉ giữ nguyên vì hồ sơ đã được sửa địa chỉ lại sau lần chuyển.`
          : `${formatNumber(batch.kept)} trường giữ nguyên vì đã được sửa lại sau lần sửa tự động.`
        : undefined;
    return { title: `Đã hoàn tác: ${formatNumber(batch.reverted)} trường trở lại giá trị đã nhập.`, detail: kept };
  }
  if (conversion) {
    return batch.changes === 0
      ? { title: 'Không có địa chỉ nào cần chuyển.' }
      : {
          title: `Đã chuyển địa chỉ của ${formatNumber(batch.records)} hồ sơ sang đơn vị hành chính mới.`,
          detail: 'Địa chỉ cũ được lưu trong lịch sử của từng hồ sơ; bấm "Hoàn tác" để trả lại như trước.',
        };
  }
  if (batch.changes === 0) {
    return { title: 'Không có trường nào cần sửa tự động.', detail: 'Các lỗi còn lại cần người nhập kiểm tra và sửa tay.' };
  }
  return {
    title: `Đã sửa tự động ${formatNumber(batch.changes)} trường trên ${formatNumber(batch.records)} hồ sơ.`,
    detail: 'Giá trị cũ được lưu trong lịch sử của từng hồ sơ; bấm "Hoàn tác" để trả lại như trước.',
  };
}

const PREFIX = 'dinhdanh.lastFix';

/** The storage key of a scope: the population and the class, or the whole unit. */
export function fixScopeKey(kind: PersonKind, classId?: number): string {
  return `${PREFIX}.${kind}.${classId ?? 'unit'}`;
}

export const lastBatch = {
  get(key: string): string | undefined {
    return sessionStorage.getItem(key) ?? undefined;
  },
  set(key: string, id: string): void {
    sessionStorage.setItem(key, id);
  },
  clear(key: string): void {
    sessionStorage.removeItem(key);
  },
};
