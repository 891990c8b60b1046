import { Empty, Skeleton, Tag, Timeline, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { HistoryEntry, PersonKind } from '../../api/types';
import { ValueText } from '../../components/ValueText';
import { useHistory } from '../../api/queries';
import { ErrorResult } from '../../components/ErrorResult';
import { formatDateTime, formatNumber } from '../../text/format';
import { HISTORY_ACTION_LABELS, HISTORY_SOURCE_LABELS, RECORD_FIELD_LABELS } from '../../text/labels';
import { describeSourceRef, groupReveals, historyValue, type HistoryItem } from './historyText';

function EntryText({ entry }: { entry: HistoryEntry }) {
  const action = HISTORY_ACTION_LABELS[entry.action] ?? entry.action;
  const field = entry.field ? (RECORD_FIELD_LABELS[entry.field] ?? entry.field) : undefined;
  const value = (v: string | null | undefined) => <ValueText value={historyValue(entry.field, v)} />;
  let what: ReactNode = null;
  if (entry.action === 'update' && field) {
    what = (
      <>
        {' '}
        {field.toLowerCase()}: {value(entry.oldValue)} → {value(entry.newValue)}
      </>
    );
  } else if (entry.action === 'create' && field) {
    what = (
      <>
        {' '}
        — {field.toLowerCase()}: {value(entry.newValue)}
      </>
    );
  } else if (field) {
    what = <> {field.toLowerCase()}</>;
  }
  const cause = describeSourceRef(entry.source, entry.sourceRef);
  return (
    <div data-testid="history-entry">
      <Typography.Text strong>{action}</Typography.Text>
      {what}
      <div>
        <Typography.Text type="secondary">
          {formatDateTime(entry.at)} · {entry.actor}
        </Typography.Text>{' '}
        <Tag>{HISTORY_SOURCE_LABELS[entry.source] ?? entry.source}</Tag>
        {cause && <Typography.Text type="secondary">{cause}</Typography.Text>}
      </div>
    </div>
  );
}

function RevealsText({ item }: { item: Extract<HistoryItem, { kind: 'reveals' }> }) {
  const when = item.count === 1 ? formatDateTime(item.first) : `${formatDateTime(item.first)} – ${formatDateTime(item.last)}`;
  return (
    <div data-testid="history-reveals">
      <Typography.Text strong>{HISTORY_ACTION_LABELS.view_personal_id}</Typography.Text>
      {item.count > 1 && <> ({formatNumber(item.count)} lần)</>}
      <div>
        <Typography.Text type="secondary">
          {when} · {item.actor}
        </Typography.Text>
      </div>
    </div>
  );
}

/** The audit trail of a record, newest first; reveals of the full ID number grouped. */
export function PersonHistory({ kind, id }: { kind: PersonKind; id: number }) {
  const history = useHistory(kind, id);
  if (history.isPending) return <Skeleton active />;
  if (history.isError) return <ErrorResult error={history.error} what="lịch sử" onRetry={() => void history.refetch()} />;
  const items = groupReveals([...history.data.items].reverse());
  if (items.length === 0) return <Empty description="Chưa có thay đổi nào được ghi lại." />;
  return (
    <Timeline
      items={items.map((item) =>
        item.kind === 'reveals'
          ? { key: `reveals-${item.key}`, color: 'gray', content: <RevealsText item={item} /> }
          : {
              key: item.entry.id,
              color: item.entry.action === 'delete' ? 'red' : item.entry.action === 'force' ? 'orange' : 'blue',
              content: <EntryText entry={item.entry} />,
            },
      )}
    />
  );
}
