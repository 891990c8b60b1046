import { Tag, Tooltip } from 'antd';
import type { VerificationStatus } from '../api/types';
import { FIELD_LABELS, STATUS_COLORS, STATUS_LABELS } from '../text/labels';

/** A record's verification status; for `mismatched`, the fields the registry disagreed on. */
export function StatusTag({ status, mismatchFields = [] }: { status: VerificationStatus; mismatchFields?: string[] }) {
  const tag = (
    <Tag color={STATUS_COLORS[status]} data-status={status}>
      {STATUS_LABELS[status]}
    </Tag>
  );
  if (status !== 'mismatched' || mismatchFields.length === 0) return tag;
  const names = mismatchFields.map((f) => FIELD_LABELS[f as keyof typeof FIELD_LABELS] ?? f).join(', ');
  return <Tooltip title={`CSDLQG ghi khác ở: ${names}`}>{tag}</Tooltip>;
}
