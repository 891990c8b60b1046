import { Alert, App, Button, Form, Input, Modal, Radio, Select, Typography } from 'antd';
import { SwapOutlined } from '@ant-design/icons';
import type { ButtonProps } from 'antd';
import { useState } from 'react';
import { describeError } from '../../api/problem';
import { useClasses } from '../../api/queries';
import type { Person } from '../../api/types';
import { LEAVING, useDestinations, useTransfer } from './api';

interface Values {
  mode: string; // 'unit' or one of LEAVING's values
  toUnitId?: number;
  toClassId?: number;
  reason: string;
}

/** "Chuyển trường" / "Chuyển công tác / Nghỉ": moves the record to another unit or closes it. */
export function TransferButton({ person, onDone }: { person: Person; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const label = person.kind === 'student' ? 'Chuyển trường' : 'Chuyển công tác / Nghỉ';
  return (
    <>
      <Button icon={<SwapOutlined />} onClick={() => setOpen(true)} data-testid="transfer-open">
        {label}
      </Button>
      {open && <TransferDialog person={person} title={label} onClose={() => setOpen(false)} onDone={onDone} />}
    </>
  );
}

function TransferDialog({ person, title, onClose, onDone }: { person: Person; title: string; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const transfer = useTransfer(person.kind);
  const [error, setError] = useState<string>();
  const mode = Form.useWatch('mode', form) ?? 'unit';
  const toUnitId = Form.useWatch('toUnitId', form) as number | undefined;
  const destination = toUnitId;
  const student = person.kind === 'student';
  // every open unit of the province (students: schools), searched on the server by name or code
  const [search, setSearch] = useState('');
  const destinations = useDestinations(person.kind, search);
  const choices = (destinations.data?.items ?? []).filter((u) => u.id !== person.unitId);
  // the receiving school's classes, when the caller may see them (an office); a school clerk
  // leaves the class to the receiving school
  const classes = useClasses(student && toUnitId !== undefined ? toUnitId : undefined);
  const classChoices = student && toUnitId !== undefined ? (classes.data?.items ?? []).filter((c) => c.schoolId === toUnitId) : [];

  const submit = async (v: Values) => {
    setError(undefined);
    const leaving = v.mode !== 'unit';
    const target = v.toUnitId;
    try {
      await transfer.mutateAsync({
        id: person.id,
        body: {
          reason: v.reason.trim(),
          toUnitId: leaving ? null : target,
          toClassId: leaving || !student ? null : (v.toClassId ?? null),
        },
      });
      const name = person.fullName || 'Hồ sơ';
      const where = leaving ? (LEAVING[person.kind].find((l) => l.value === v.mode)?.label ?? '').toLowerCase() : 'đơn vị nhận';
      void message.success(leaving ? `Đã ghi nhận: ${name} — ${where}. Hồ sơ đã đóng.` : `Đã chuyển ${name} sang ${where}.`);
      onClose();
      onDone();
    } catch (e) {
      const d = describeError(e);
      setError([d.title, d.detail].filter(Boolean).join(' '));
    }
  };

  return (
    <Modal open title={title} onCancel={onClose} okText="Xác nhận chuyển" cancelText="Huỷ" destroyOnHidden
      okButtonProps={{ loading: transfer.isPending, 'data-testid': 'transfer-confirm' } as ButtonProps}
      onOk={() => form.submit()} data-testid="transfer-dialog">
      <Typography.Paragraph type="secondary">
        Hồ sơ giữ nguyên mã, trạng thái xác thực và lịch sử; đơn vị hiện tại giữ một dòng vết chỉ đọc trong “Chuyển đi”.
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="transfer-error" />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ mode: 'unit' }}>
        <Form.Item name="mode" label="Nơi đến">
          <Radio.Group
            options={[{ value: 'unit', label: student ? 'Trường khác trong tỉnh' : 'Đơn vị khác trong tỉnh' }, ...LEAVING[person.kind]]}
          />
        </Form.Item>
        {mode === 'unit' && (
          <>
            <Form.Item name="toUnitId" label={student ? 'Trường nhận' : 'Đơn vị nhận'} rules={[{ required: true, message: 'Chọn đơn vị nhận.' }]}>
              <Select
                showSearch={{ filterOption: false, onSearch: setSearch }}
                allowClear
                loading={destinations.isFetching}
                placeholder="Gõ tên hoặc mã đơn vị (không dấu cũng được)"
                aria-label="Đơn vị nhận"
                notFoundContent={destinations.isFetching ? 'Đang tìm…' : 'Không có đơn vị nào khớp.'}
                options={choices.map((u) => ({ value: u.id, label: `${u.name} (${u.code})${u.parentName ? ` · ${u.parentName}` : ''}` }))}
                onChange={() => form.setFieldValue('toClassId', undefined)}
              />
            </Form.Item>
            {student && classChoices.length > 0 && destination !== undefined && (
              <Form.Item name="toClassId" label="Lớp ở trường nhận (không bắt buộc)">
                <Select allowClear aria-label="Lớp ở trường nhận" options={classChoices.map((c) => ({ value: c.id, label: c.name }))} />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="reason" label="Lý do" rules={[{ required: true, whitespace: true, message: 'Nhập lý do.' }]}>
          <Input.TextArea rows={2} maxLength={500} placeholder={student ? 'Ví dụ: chuyển theo gia đình' : 'Ví dụ: chuyển công tác'} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
