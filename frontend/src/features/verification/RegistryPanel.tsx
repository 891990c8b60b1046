import { Alert, App, Button, Descriptions, Divider, Empty, Flex, Table, Tag, Typography } from 'antd';
import { CheckOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { Person } from '../../api/types';
import { describeError } from '../../api/problem';
import { ErrorResult } from '../../components/ErrorResult';
import { StatusTag } from '../../components/StatusTag';
import { formatDate, formatDateTime } from '../../text/format';
import { difference, differenceNote, differingPart } from './compare';
import { FIELD_LABELS } from '../../text/labels';
import { acceptRegistryValues, markAwaitingEvidence, unmarkAwaitingEvidence, verificationHistory } from './api';
import type { VerificationEntry } from './contract';

const OUTCOME: Record<string, { label: string; color: string }> = {
  matched: { label: 'Khớp', color: 'success' },
  mismatched: { label: 'Sai lệch', color: 'error' },
  not_found: { label: 'Không có trong CSDLQG', color: 'magenta' },
  invalid: { label: 'Yêu cầu không hợp lệ', color: 'volcano' },
  error: { label: 'Lỗi khi xác thực', color: 'volcano' },
};

const fieldLabel = (f: string) => FIELD_LABELS[f as keyof typeof FIELD_LABELS] ?? f;

/** A registry value with the part that differs from ours highlighted, and a note when it is subtle. */
function TheirValue({ ours, theirs }: { ours: string | null | undefined; theirs: string }) {
  const { head, diff, tail } = differingPart(ours, theirs);
  const note = differenceNote(difference(ours, theirs));
  return (
    <>
      <Typography.Text strong data-testid="registry-value">
        {head}
        {diff && <mark data-testid="registry-diff">{diff}</mark>}
        {tail}
      </Typography.Text>
      {note && (
        <div>
          <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="registry-diff-note">
            {note}
          </Typography.Text>
        </div>
      )}
    </>
  );
}

/** Our value of a field beside the registry's, for a mismatched record (dates as dd/mm/yyyy). */
function Comparison({ person }: { person: Person }) {
  const registry = person.registryValues;
  const ours: Record<string, string | null | undefined> = {
    fullName: person.normalized.fullName ?? person.fullName,
    dateOfBirth: formatDate(person.normalized.dateOfBirth ?? person.dateOfBirth),
    gender: person.normalized.gender ?? person.gender,
    residence:
      [person.residence.commune, person.residence.district, person.residence.province].filter(Boolean).join(', ') || person.residenceText,
  };
  const theirs: Record<string, string | null | undefined> = {
    fullName: registry?.fullName,
    dateOfBirth: formatDate(registry?.dateOfBirth),
    gender: registry?.gender,
    residence: registry?.residence ? [registry.residence.communeCode, registry.residence.provinceCode].filter(Boolean).join(' · ') : null,
  };
  const rows = person.mismatchFields.map((field) => ({ field, ours: ours[field], theirs: theirs[field] }));
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="field"
      dataSource={rows}
      data-testid="registry-comparison"
      columns={[
        { title: 'Trường thông tin', key: 'field', width: 160, render: (_, r) => fieldLabel(r.field) },
        { title: 'Nhà trường ghi', key: 'ours', render: (_, r) => r.ours || <Typography.Text type="secondary">(trống)</Typography.Text> },
        {
          title: 'CSDLQG ghi',
          key: 'theirs',
          render: (_, r) =>
            r.theirs ? (
              r.field === 'residence' ? (
                <Typography.Text strong>{r.theirs}</Typography.Text>
              ) : (
                <TheirValue ours={r.ours} theirs={r.theirs} />
              )
            ) : (
              <Typography.Text type="secondary">CSDLQG không trả giá trị</Typography.Text>
            ),
        },
      ]}
    />
  );
}

/**
 * The registry's answers about a record. While the record is queued the list is polled, and a
 * new answer refreshes the record once (`onAnswer`), so the status above and the history below
 * never disagree ("Đang xác thực" over a "Khớp").
 */
function History({ person, onAnswer }: { person: Person; onAnswer?: () => void }) {
  const queued = person.status === 'queued';
  const history = useQuery({
    queryKey: ['verifications', person.kind, person.id, person.version, person.status],
    queryFn: () => verificationHistory(person.kind, person.id),
    refetchInterval: queued ? 2000 : false,
  });
  const newest = history.data?.items[0];
  const announced = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!queued || !newest || announced.current === newest.id) return;
    // as instants: the two timestamps need not be written alike (fractions, offsets)
    if (announced.current === undefined && Date.parse(newest.at) < Date.parse(person.updatedAt)) {
      // An answer older than the record's last change is not the one awaited.
      announced.current = newest.id;
      return;
    }
    announced.current = newest.id;
    onAnswer?.();
  }, [queued, newest, person.updatedAt, onAnswer]);
  if (history.isError) return <ErrorResult error={history.error} what="lịch sử xác thực" onRetry={() => void history.refetch()} />;
  return (
    <Table<VerificationEntry>
      size="small"
      rowKey="id"
      loading={history.isPending}
      dataSource={history.data?.items ?? []}
      pagination={{ pageSize: 5, hideOnSinglePage: true }}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="Hồ sơ chưa được gửi xác thực lần nào." /> }}
      data-testid="verification-history"
      columns={[
        { title: 'Lúc', key: 'at', width: 150, render: (_, e) => formatDateTime(e.at) },
        {
          title: 'Kết quả',
          key: 'outcome',
          render: (_, e) => (
            <Flex gap={4} wrap>
              <Tag color={OUTCOME[e.outcome]?.color}>{OUTCOME[e.outcome]?.label ?? e.outcome}</Tag>
              {e.fields.map((f) => (
                <Tag key={f}>{fieldLabel(f)}</Tag>
              ))}
              {!e.applied && <Tag color="warning">Không áp dụng: hồ sơ đã sửa trong lúc chờ</Tag>}
            </Flex>
          ),
        },
        { title: 'Ghi chú', key: 'note', render: (_, e) => e.note ?? '' },
      ]}
    />
  );
}

/**
 * A record's standing with the national population database: status, the fields the registry
 * disagreed on with our values beside its values and "accept", marking the record as waiting
 * for the parent's ID-number notice, and every answer the registry gave.
 */
export function RegistryPanel({ person, onChanged }: { person: Person; onChanged?: () => void }) {
  const { message, notification } = App.useApp();
  const client = useQueryClient();
  const fail = (e: unknown) => notification.error({ title: describeError(e).title, description: describeError(e).detail });
  const done = () => {
    onChanged?.();
    void client.invalidateQueries();
  };
  const accept = useMutation({
    mutationFn: () => acceptRegistryValues(person.kind, person.id),
    onSuccess: () => {
      void message.success('Đã nhận giá trị của CSDLQG và gửi xác thực lại.');
      done();
    },
    onError: fail,
  });
  const awaiting = useMutation({
    mutationFn: () => markAwaitingEvidence(person.kind, person.id),
    onSuccess: () => {
      void message.success('Đã đánh dấu chờ giấy tờ.');
      done();
    },
    onError: fail,
  });
  const unmark = useMutation({
    mutationFn: () => unmarkAwaitingEvidence(person.kind, person.id),
    onSuccess: () => {
      void message.success('Đã bỏ đánh dấu chờ giấy tờ.');
      done();
    },
    onError: fail,
  });
  const answered = person.status === 'mismatched' || person.status === 'awaiting_evidence';
  const canAccept = person.canEdit && answered && Boolean(person.registryValues);
  const canMark = person.canEdit && person.status !== 'verified' && person.status !== 'awaiting_evidence';
  const canUnmark = person.canEdit && person.status === 'awaiting_evidence';
  return (
    <>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label="Trạng thái">
          <span data-testid="registry-status">
            <StatusTag status={person.status} mismatchFields={person.mismatchFields} />
          </span>
        </Descriptions.Item>
        <Descriptions.Item label="Xác thực lúc">{person.verifiedAt ? formatDateTime(person.verifiedAt) : 'Chưa xác thực'}</Descriptions.Item>
      </Descriptions>
      {person.quality.errors > 0 && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          title="Hồ sơ còn lỗi: hãy sửa trước khi gửi xác thực, để không tốn lượt tra cứu."
        />
      )}
      {answered && person.mismatchFields.length > 0 && (
        <>
          <Divider titlePlacement="start" plain>
            Đối chiếu với CSDLQG về dân cư
          </Divider>
          <Comparison person={person} />
          {!person.registryValues && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              CSDLQG không trả giá trị của mình: hãy đối chiếu với giấy thông báo số định danh cá nhân của phụ huynh.
            </Typography.Paragraph>
          )}
        </>
      )}
      {(canAccept || canMark || canUnmark) && (
        <Flex gap={8} style={{ marginTop: 12 }}>
          {canAccept && (
            <Button type="primary" icon={<CheckOutlined />} loading={accept.isPending} onClick={() => accept.mutate()} data-testid="accept-registry-values">
              Nhận giá trị của CSDLQG
            </Button>
          )}
          {canMark && (
            <Button icon={<SafetyCertificateOutlined />} loading={awaiting.isPending} onClick={() => awaiting.mutate()} data-testid="mark-awaiting-evidence">
              Chờ phụ huynh bổ sung giấy tờ
            </Button>
          )}
          {canUnmark && (
            <Button loading={unmark.isPending} onClick={() => unmark.mutate()} data-testid="unmark-awaiting-evidence">
              Bỏ chờ giấy tờ
            </Button>
          )}
        </Flex>
      )}
      <Divider titlePlacement="start" plain>
        Các lần xác thực
      </Divider>
      <History person={person} onAnswer={done} />
    </>
  );
}
