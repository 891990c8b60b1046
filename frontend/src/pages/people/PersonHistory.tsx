import { Empty, Skeleton, Tag, Timeline, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { HistoryEntry, PersonKind } from '../../api/types';
import { ValueText } from '../../components/ValueText';
import { useHistory } from '../../api/queries';
import { ErrorResult } from '../../components/ErrorResult';
import { formatDateTime } from '../../text/format';
import { HISTORY_ACTION_LABELS, HISTORY_SOURCE_LABELS, RECORD_FIELD_LABELS } from '../../text/labels';

function EntryText({ entry }: { entry: HistoryEntry }) {
  const action = HISTORY_ACTION_LABELS[entry.action] ?? entry.action;
  const field = entry.field ? (RECORD_FIELD_LABELS[entry.field] ?? entry.field) : undefined;
  let what: ReactNode = null;
  if (entry.action === 'update' && field) {
    what = (
      <>
        {' '}
        {field.toLowerCase()}: <ValueText value={entry.oldValue} /> → <ValueText value={entry.newValue} />
      </>
    );
  } else if (entry.action === 'create' && field) {
    what = (
      <>
        {' '}
        — {field.toLowerCase()}: <ValueText value={entry.newValue} />
      </>
    );
  } else if (entry.action !== 'view_personal_id' && field) {
    what = <> {field.toLowerCase()}</>;
  }
  return (
    <div data-testid="history-entry">
      <Typography.Text strong>{action}</Typography.Text>
      {what}
      <div>
        <Typography.Text type="secondary">
          {formatDateTime(entry.at)} · {entry.actor}
        </Typography.Text>{' '}
        <Tag>{HISTORY_SOURCE_LABELS[entry.source] ?? entry.source}</Tag>
        {entry.sourceRef && <Typography.Text type="secondary">{entry.sourceRef}</Typography.Text>}
      </div>
    </div>
  );
}

/** The audit trail of a record, newest first. */
export function PersonHistory({ kind, id }: { kind: PersonKind; id: number }) {
  const history = useHistory(kind, id);
  if (history.isPending) return <Skeleton active />;
  if (history.isError) return <ErrorResult error={history.error} what="lịch sử" onRetry={() => void history.refetch()} />;
  const items = [...history.data.items].reverse();
  if (items.length === 0) return <Empty description="Chưa có thay đổi nào được ghi lại." />;
  return (
    <Timeline
      items={items.map((entry) => ({
        key: entry.id,
        color: entry.action === 'view_personal_id' ? 'gray' : entry.action === 'delete' ? 'red' : 'blue',
        content: <EntryText entry={entry} />,
      }))}
    />
  );
}
