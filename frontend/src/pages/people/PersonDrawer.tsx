import { Alert, App, Button, Descriptions, Drawer, Flex, Form, Grid, Skeleton, Space, Tabs, Typography } from 'antd';
import { EyeOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useEffect, useMemo, useState } from 'react';
import { ApiProblem, applyProblemToForm, describeError } from '../../api/problem';
import { usePerson, useUpdatePerson } from '../../api/queries';
import type { Person, PersonKind, RecordInput } from '../../api/types';
import { ErrorResult } from '../../components/ErrorResult';
import { StatusTag } from '../../components/StatusTag';
import { useLiveValidation, type LiveValidation } from '../../features/validation/useLiveValidation';
import { RegistryPanel } from '../../features/verification/RegistryPanel';
import { RecordAccessLog } from '../../features/privacy/RecordAccessLog';
import { readsAccessLog, revealPersonalId } from '../../features/privacy/api';
import { PersonalDataReportButton } from '../../features/privacy/PersonalDataReportButton';
import { useSession } from '../../auth/AuthContext';
import { formatDateTime } from '../../text/format';
import { PERSON_KIND_LABELS } from '../../text/labels';
import { PersonFields, type FieldsOutcome } from './PersonFields';
import { PersonHistory } from './PersonHistory';
import { TransferButton } from '../transfers/TransferDialog';
import { mayTransfer } from '../transfers/api';
import { buildPatch, PERSON_FORM_FIELDS, toFormValues, type PersonFormValues } from './personForm';

type Failure = { title: string; detail?: string; messages: string[]; conflict?: boolean };

/** The form's values as `/validate` takes them (the grade and position decide the plausible age). */
function recordInput(person: Person, values: PersonFormValues): RecordInput {
  return {
    fullName: values.fullName,
    dateOfBirth: values.dateOfBirth,
    gender: values.gender,
    // a masked number left as it is cannot be checked here: its saved findings stay (below)
    personalId: stillMasked(person, values) ? undefined : values.personalId,
    residence: values.residence,
    residenceText: values.residenceText,
    grade: person.grade !== null && person.grade !== undefined ? String(person.grade) : undefined,
    role: person.kind === 'staff' ? (values.position ?? 'staff') : 'student',
  };
}

/** True while the form holds the record's masked ID number untouched (not revealed, not retyped). */
function stillMasked(person: Person, values: PersonFormValues | undefined): boolean {
  return person.personalIdMasked && values?.personalId === (person.personalId ?? '');
}

/**
 * The findings to show: the live check of the values on screen once it answered, else the saved
 * record's. `/validate` cannot see other records, so a stored duplicate-ID finding is kept while
 * the ID number is unchanged.
 */
function fieldsOutcome(person: Person, values: PersonFormValues | undefined, live: LiveValidation): FieldsOutcome {
  if (!live.outcome || live.error) {
    return { findings: person.findings, normalized: person.normalized, source: 'saved', checking: live.checking, error: live.error };
  }
  if (stillMasked(person, values)) {
    const saved = person.findings.filter((f) => f.field === 'personalId');
    const findings = [...live.outcome.findings.filter((f) => f.field !== 'personalId'), ...saved];
    const normalized = { ...live.outcome.normalized, personalId: person.normalized.personalId };
    return { findings, normalized, source: 'live', checking: live.checking };
  }
  const duplicates = values?.personalId === (person.personalId ?? '') ? person.findings.filter((f) => f.code === 'id_duplicate') : [];
  return { findings: [...live.outcome.findings, ...duplicates], normalized: live.outcome.normalized, source: 'live', checking: live.checking };
}

function PersonEditor({ person, onSaved }: { person: Person; onSaved: (p: Person) => void }) {
  const [form] = Form.useForm<PersonFormValues>();
  const update = useUpdatePerson(person.kind);
  const { message } = App.useApp();
  const [failure, setFailure] = useState<Failure>();
  // the full ID number, once the editor asked for it ("Hiện số"); masked again after a save
  const [revealed, setRevealed] = useState<string>();
  const [revealing, setRevealing] = useState(false);
  const values = Form.useWatch([], form) as PersonFormValues | undefined;
  const dirty = values !== undefined && buildPatch(person, values, revealed) !== undefined;
  const live = useLiveValidation(dirty && values ? recordInput(person, values) : undefined);
  const outcome = fieldsOutcome(person, values, live);

  // A newer version of the record (after a save or a reload) resets the form to it, masked.
  useEffect(() => {
    setRevealed(undefined);
    form.resetFields();
    form.setFieldsValue(toFormValues(person));
  }, [form, person]);

  const reveal = async () => {
    setRevealing(true);
    try {
      const full = await revealPersonalId(person.kind, person.id);
      if (full !== null) {
        setRevealed(full);
        // only an untouched masked number is replaced: a number being typed stays
        if (stillMasked(person, form.getFieldsValue(true) as PersonFormValues)) form.setFieldValue('personalId', full);
      }
    } catch (error) {
      void message.error(describeError(error).title);
    } finally {
      setRevealing(false);
    }
  };
  const revealButton =
    person.canReveal && revealed === undefined ? (
      <Button size="small" type="link" icon={<EyeOutlined />} loading={revealing} onClick={() => void reveal()}
        disabled={false} data-testid="reveal-id" style={{ padding: 0, height: 'auto' }}>
        Hiện số
      </Button>
    ) : undefined;

  const { modal } = App.useApp();

  /** Asks the clerk whether to go on anyway (a save that would add blocking errors, a verified record). */
  const insist = (problem: ApiProblem): Promise<boolean> =>
    new Promise((resolve) => {
      const worsen = problem.code === 'would_worsen';
      modal.confirm({
        title: worsen ? 'Thay đổi làm hồ sơ có thêm lỗi' : 'Sửa hồ sơ đã xác thực?',
        content: worsen
          ? `Giá trị mới gây lỗi chặn gửi xác thực: ${problem.errors.map((e) => e.message).join(' ')} Vẫn lưu?`
          : 'Thông tin này đã được CSDL quốc gia xác thực. Nếu sửa, hồ sơ sẽ ở trạng thái “đã sửa sau xác thực” và phải gửi xác thực lại; kết quả xác thực cũ vẫn giữ trong lịch sử.',
        okText: worsen ? 'Vẫn lưu' : 'Vẫn sửa',
        cancelText: 'Không lưu',
        onOk: () => resolve(true),
        onCancel: () => resolve(false),
      });
    });

  const save = async (v: PersonFormValues) => {
    const first = buildPatch(person, v, revealed);
    if (!first) return;
    setFailure(undefined);
    let patch = first;
    for (;;) {
      try {
        const saved = await update.mutateAsync({ id: person.id, patch });
        const blocking = saved.blockingErrors;
        if (blocking > 0) {
          // never a plain success: the record still cannot be sent
          void message.warning(`Đã lưu, còn ${blocking} lỗi chặn gửi xác thực.`);
        } else if (saved.changedAfterVerification) {
          void message.warning('Đã lưu. Hồ sơ đã sửa sau xác thực, cần gửi xác thực lại.');
        } else {
          const problems = saved.quality.warnings;
          void message.success(problems > 0 ? `Đã lưu. Hồ sơ còn ${problems} điểm cần xem lại.` : 'Đã lưu hồ sơ.');
        }
        onSaved(saved);
        return;
      } catch (error) {
        if (error instanceof ApiProblem && (error.code === 'would_worsen' || error.code === 'confirm_verified_changes')) {
          if (await insist(error)) {
            patch = error.code === 'would_worsen' ? { ...patch, allowWorse: true } : { ...patch, confirmVerifiedChanges: true };
            continue;
          }
        }
        const rest = applyProblemToForm(form, error, PERSON_FORM_FIELDS);
        setFailure(rest && { ...rest, conflict: error instanceof ApiProblem && error.code === 'version_conflict' });
        return;
      }
    }
  };

  return (
    <Form form={form} layout="vertical" onFinish={save} disabled={!person.canEdit || update.isPending} size="middle">
      {failure && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={failure.title}
          description={[failure.detail, ...failure.messages].filter(Boolean).join(' ') || undefined}
          action={
            failure.conflict ? (
              <Button size="small" icon={<ReloadOutlined />} onClick={() => onSaved(person)} disabled={false}>
                Tải lại hồ sơ
              </Button>
            ) : undefined
          }
          data-testid="save-error"
        />
      )}
      {!person.canEdit && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title="Tài khoản của bạn chỉ được xem hồ sơ này." />
      )}
      <PersonFields
        person={person}
        values={values}
        outcome={outcome}
        onUse={person.canEdit ? (field, value) => form.setFieldValue(field, value) : undefined}
        onUseResidence={person.canEdit ? (cells) => form.setFieldValue('residence', cells) : undefined}
        revealButton={revealButton}
      />
      {person.canEdit && (
        <Flex justify="end" gap={8} style={{ position: 'sticky', bottom: 0, background: '#fff', padding: '12px 0' }}>
          <Button onClick={() => form.setFieldsValue(toFormValues(person, revealed))} disabled={!dirty || update.isPending}>
            Hoàn tác
          </Button>
          <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={update.isPending} disabled={!dirty}
            data-testid="save-record">
            Lưu thay đổi
          </Button>
        </Flex>
      )}
    </Form>
  );
}

/** One record: its identity fields (editable when allowed), verification and audit trail. */
export function PersonDrawer({ kind, id, onClose }: { kind: PersonKind; id: number | undefined; onClose: () => void }) {
  const session = useSession();
  const person = usePerson(kind, id);
  const [tab, setTab] = useState('info');
  // On a phone the three tabs fit only with short names (an overflowing tab bar hides a tab
  // behind a "more" menu).
  const narrow = !Grid.useBreakpoint().sm;
  const data = person.data;
  // A record the registry disagreed with opens on the comparison, not on fields that all say "Đạt".
  const opensOnRegistry = data?.status === 'mismatched' || data?.status === 'not_found';
  const loadedId = data?.id;
  useEffect(() => {
    if (loadedId !== undefined) setTab(opensOnRegistry ? 'verify' : 'info');
    // Only when another record opens: a save that changes the status keeps the clerk's tab.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loadedId]);

  const title = useMemo(
    () =>
      data ? (
        <Space wrap>
          <span>{data.fullName || '(chưa có tên)'}</span>
          <StatusTag status={data.status} mismatchFields={data.mismatchFields} />
        </Space>
      ) : (
        `Hồ sơ ${PERSON_KIND_LABELS[kind].toLowerCase()}`
      ),
    [data, kind],
  );

  return (
    <Drawer open={id !== undefined} onClose={onClose} size={720} title={title} destroyOnHidden data-testid="record-drawer"
      extra={
        data ? (
          <Space wrap>
            {mayTransfer(session.user.role, data.canEdit) && <TransferButton person={data} onDone={onClose} />}
            {data.canEdit && <PersonalDataReportButton kind={kind} id={data.id} compact={narrow} />}
          </Space>
        ) : undefined
      }>
      {person.isPending && <Skeleton active paragraph={{ rows: 10 }} />}
      {person.isError && <ErrorResult error={person.error} what="hồ sơ" onRetry={() => void person.refetch()} />}
      {data && (
        <>
          <Descriptions size="small" column={2} style={{ marginBottom: 12 }}>
            <Descriptions.Item label="Đơn vị">{data.unitName}</Descriptions.Item>
            {data.className && <Descriptions.Item label="Lớp">{data.className}</Descriptions.Item>}
            <Descriptions.Item label="Cập nhật">{formatDateTime(data.updatedAt)}</Descriptions.Item>
            <Descriptions.Item label="Phiên bản">
              <span data-testid="record-version">{data.version}</span>
            </Descriptions.Item>
          </Descriptions>
          <Tabs
            activeKey={tab}
            onChange={setTab}
            items={[
              {
                key: 'info',
                label: narrow ? 'Thông tin' : 'Thông tin định danh',
                children: <PersonEditor person={data} onSaved={() => void person.refetch()} />,
              },
              { key: 'verify', label: 'Xác thực', children: <RegistryPanel person={data} onChanged={() => void person.refetch()} /> },
              { key: 'history', label: narrow ? 'Lịch sử' : 'Lịch sử thay đổi', children: <PersonHistory kind={kind} id={data.id} /> },
              ...(readsAccessLog(session.user.role)
                ? [{ key: 'access', label: narrow ? 'Ai đã xem' : 'Ai đã xem hồ sơ này', children: <RecordAccessLog personId={data.id} /> }]
                : []),
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {data.canReveal
              ? 'Số định danh được che một phần; “Hiện số” cho xem số đầy đủ và mỗi lần xem đều được ghi vào nhật ký truy cập. Sửa số không cần hiện số cũ.'
              : 'Số định danh được che một phần; chỉ đơn vị quản lý hồ sơ mới được xem số đầy đủ.'}
          </Typography.Paragraph>
        </>
      )}
    </Drawer>
  );
}
