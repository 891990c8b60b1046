import { Tag, Tooltip } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined, ExclamationCircleOutlined, ToolOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Finding, FindingField } from '../api/types';
import { FIELD_LABELS } from '../text/labels';
import { findingLabel } from '../text/findings';
import { fieldStatus, type FieldLevel } from './fieldStatus';

const LOOK: Record<FieldLevel, { color: string; text: string; icon: ReactNode }> = {
  ok: { color: 'success', text: 'Đạt', icon: <CheckCircleOutlined /> },
  error: { color: 'error', text: 'Lỗi', icon: <CloseCircleOutlined /> },
  warning: { color: 'warning', text: 'Kiểm tra', icon: <ExclamationCircleOutlined /> },
  fixed: { color: 'processing', text: 'Đã sửa', icon: <ToolOutlined /> },
};

/** The findings of one field as tooltip text: one line per finding, in Vietnamese. */
export function FindingList({ findings }: { findings: Finding[] }) {
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16 }}>
      {findings.map((f, i) => (
        <li key={`${f.code}-${i}`}>{f.message || findingLabel(f.code)}</li>
      ))}
    </ul>
  );
}

/**
 * A tag saying how a field fared against the rules, with the findings as a tooltip. Fields that
 * passed show a quiet tag unless `hideOk`.
 */
export function FieldStatusTag({
  field,
  findings,
  hideOk = false,
}: {
  field: FindingField;
  findings: readonly Finding[];
  hideOk?: boolean;
}) {
  const status = fieldStatus(findings, field);
  if (status.level === 'ok' && hideOk) return null;
  const look = LOOK[status.level];
  const tag = (
    <Tag
      color={look.color}
      icon={look.icon}
      data-field={field}
      data-level={status.level}
      data-codes={status.findings.map((f) => f.code).join(' ')}
      aria-label={`${FIELD_LABELS[field]}: ${look.text}`}
    >
      {look.text}
    </Tag>
  );
  if (status.findings.length === 0) return tag;
  return <Tooltip title={<FindingList findings={status.findings} />}>{tag}</Tooltip>;
}
