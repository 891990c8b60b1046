import { Alert, Checkbox, Form, Input, Modal, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { applyProblemToForm } from '../../api/problem';
import type { Role, SchoolLevel, UnitView } from '../../api/types';
import { SCHOOL_LEVEL_LABELS, UNIT_KIND_LABELS } from '../../text/labels';
import { editsContacts, editsStructure, formValuesOf, newUnitBody, parentChoices, unitPatch, type UnitFormValues } from './unitAdmin';

const FIELDS = [['kind'], ['code'], ['name'], ['level'], ['parentId'], ['communeCode'], ['address'], ['phone'], ['email'], ['principal'], ['closed']];
const ONLY_DEPARTMENT = 'Chỉ quản trị Sở GDĐT sửa được mục này.';

/** The post-2025 communes of the province, searched by a few letters (diacritics optional). */
function CommuneSelect({ provinceCode, value, onChange, disabled, id }: { provinceCode?: string | null; value?: string; onChange?: (v: string | undefined) => void; disabled?: boolean; id?: string }) {
  const [q, setQ] = useState('');
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setSettled(q), 250);
    return () => clearTimeout(t);
  }, [q]);
  const found = useQuery({
    queryKey: ['admin-units', 'post2025', 'commune', provinceCode, settled],
    queryFn: () =>
      unwrap(api.GET('/api/v1/admin-units', { params: { query: { scheme: 'post2025', level: 'commune', provinceCode: provinceCode ?? undefined, q: settled, limit: 20 } } })),
    enabled: !disabled,
    staleTime: Infinity,
  });
  // the stored commune's name, looked up by its code
  const current = useQuery({
    queryKey: ['admin-units', 'post2025', 'commune', provinceCode, value],
    queryFn: () => unwrap(api.GET('/api/v1/admin-units', { params: { query: { scheme: 'post2025', level: 'commune', provinceCode: provinceCode ?? undefined, q: value, limit: 1 } } })),
    enabled: Boolean(value && /^\d+$/.test(value)),
    staleTime: Infinity,
  });
  const label = (u: { code: string; name: string }) => `${u.name} (${u.code})`;
  const options = (found.data?.items ?? []).map((u) => ({ value: u.code, label: label(u) }));
  const named = current.data?.items.find((u) => u.code === value);
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: named ? label(named) : value });
  return (
    <Select
      id={id}
      aria-label="Xã/phường"
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      value={value || undefined}
      onChange={(v) => onChange?.(v ?? '')}
      options={options}
      loading={found.isFetching}
      disabled={disabled}
      placeholder="Gõ vài chữ của tên xã/phường"
      notFoundContent={found.isFetching ? 'Đang tìm…' : 'Không thấy xã/phường nào'}
    />
  );
}

/**
 * Creates a unit (no `unit`) or edits one. Fields the caller may not change are shown read-only;
 * the API's refusals are shown as it words them, on their field or above the form.
 */
export function UnitFormModal({ open, unit, units, role, ownUnitId, onClose, onSaved }: {
  open: boolean;
  unit?: UnitView;
  units: UnitView[];
  role: Role;
  ownUnitId: number;
  onClose: () => void;
  onSaved: (u: UnitView, created: boolean) => void;
}) {
  const client = useQueryClient();
  const [form] = Form.useForm<UnitFormValues>();
  const [failure, setFailure] = useState<{ title: string; detail?: string; messages: string[] }>();
  const creating = !unit;
  const structure = creating ? role === 'department_admin' : editsStructure(role, unit, ownUnitId);
  const contacts = creating ? role === 'department_admin' : editsContacts(role, unit, ownUnitId);
  const kind = Form.useWatch('kind', form) ?? unit?.kind;
  const parents = parentChoices(units).filter((p) => !unit || p.id !== unit.id);
  const provinceCode = units.find((u) => u.kind === 'department')?.provinceCode ?? units[0]?.provinceCode;

  useEffect(() => {
    if (!open) return;
    setFailure(undefined);
    form.resetFields();
    form.setFieldsValue(unit ? formValuesOf(unit) : { kind: 'school', parentId: parents.find((p) => p.kind === 'district')?.id ?? parents[0]?.id });
    // only when the dialog opens on a unit
  }, [open, unit?.id]);

  const save = useMutation({
    mutationFn: (v: UnitFormValues) =>
      unit
        ? unwrap(api.PATCH('/api/v1/units/{id}', { params: { path: { id: unit.id } }, body: unitPatch(unit, v, structure) }))
        : unwrap(api.POST('/api/v1/units', { body: newUnitBody(v) })),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['units'] });
      onSaved(saved as UnitView, creating);
    },
    onError: (error) => setFailure(applyProblemToForm(form, error, FIELDS)),
  });

  return (
    <Modal
      open={open}
      title={unit ? `Sửa đơn vị: ${unit.name}` : 'Thêm đơn vị'}
      okText={unit ? 'Lưu' : 'Thêm đơn vị'}
      cancelText="Huỷ"
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      width={640}
    >
      {failure && (
        <Alert
          type="error"
          showIcon
          data-testid="unit-form-error"
          title={failure.detail ?? failure.title}
          description={failure.messages.length > 0 ? failure.messages.join(' ') : undefined}
          style={{ marginBottom: 12 }}
        />
      )}
      {!structure && unit && (
        <Typography.Paragraph type="secondary" data-testid="contacts-only">
          Tài khoản của bạn chỉ sửa được thông tin liên hệ (xã/phường, địa chỉ, điện thoại, thư điện tử, hiệu trưởng) của trường thuộc phòng; mã, tên, cấp học và đơn vị quản lý do Sở GDĐT quản lý.
        </Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => {
          setFailure(undefined);
          save.mutate(values);
        }}
      >
        <Form.Item label="Loại đơn vị" name="kind" rules={[{ required: true }]}>
          <Select aria-label="Loại đơn vị" disabled={!creating} options={(['school', 'district'] as const).map((k) => ({ value: k, label: UNIT_KIND_LABELS[k] }))} />
        </Form.Item>
        <Form.Item
          label="Mã đơn vị"
          name="code"
          extra={creating ? 'Mã trường của Bộ GDĐT (ví dụ 31304001); không đổi được sau khi tạo.' : 'Mã đơn vị không đổi được.'}
          rules={[{ required: true, whitespace: true, message: 'Hãy nhập mã đơn vị.' }, { max: 32, message: 'Mã đơn vị có 2–32 ký tự.' }]}
        >
          <Input readOnly={!creating} variant={creating ? undefined : 'filled'} autoComplete="off" />
        </Form.Item>
        <Form.Item label="Tên đơn vị" name="name" extra={structure ? undefined : ONLY_DEPARTMENT} rules={[{ required: true, whitespace: true, message: 'Hãy nhập tên đơn vị.' }, { max: 200, message: 'Tên đơn vị có 1–200 ký tự.' }]}>
          <Input readOnly={!structure} variant={structure ? undefined : 'filled'} autoComplete="off" />
        </Form.Item>
        {kind === 'school' && (
          <Form.Item label="Cấp học" name="level" rules={[{ required: true, message: 'Trường phải có cấp học.' }]}>
            <Select<SchoolLevel>
              aria-label="Cấp học"
              showSearch={{ optionFilterProp: 'label' }}
              disabled={!structure}
              options={(Object.keys(SCHOOL_LEVEL_LABELS) as SchoolLevel[]).map((l) => ({ value: l, label: SCHOOL_LEVEL_LABELS[l] }))}
            />
          </Form.Item>
        )}
        <Form.Item label="Đơn vị quản lý" name="parentId" rules={[{ required: true, message: 'Hãy chọn đơn vị quản lý.' }]}>
          <Select<number>
            aria-label="Đơn vị quản lý"
            disabled={!structure}
            showSearch={{ optionFilterProp: 'label' }}
            options={(structure ? parents : units).map((p) => ({ value: p.id, label: p.name }))}
          />
        </Form.Item>
        <Form.Item label="Xã/phường" name="communeCode">
          <CommuneSelect provinceCode={provinceCode} disabled={!contacts} />
        </Form.Item>
        <Form.Item label="Địa chỉ" name="address" rules={[{ max: 300, message: 'Địa chỉ dài quá 300 ký tự.' }]}>
          <Input readOnly={!contacts} variant={contacts ? undefined : 'filled'} autoComplete="off" />
        </Form.Item>
        <Form.Item label="Điện thoại" name="phone" rules={[{ max: 32, message: 'Số điện thoại dài quá 32 ký tự.' }]}>
          <Input readOnly={!contacts} variant={contacts ? undefined : 'filled'} autoComplete="off" inputMode="tel" />
        </Form.Item>
        <Form.Item label="Thư điện tử" name="email" rules={[{ type: 'email', message: 'Thư điện tử chưa đúng dạng (ví dụ truong@haiphong.edu.vn).' }, { max: 200 }]}>
          <Input readOnly={!contacts} variant={contacts ? undefined : 'filled'} autoComplete="off" />
        </Form.Item>
        <Form.Item label={kind === 'school' ? 'Hiệu trưởng' : 'Trưởng phòng'} name="principal" rules={[{ max: 200, message: 'Tên dài quá 200 ký tự.' }]}>
          <Input readOnly={!contacts} variant={contacts ? undefined : 'filled'} autoComplete="off" />
        </Form.Item>
        {unit && structure && (
          <Form.Item
            name="closed"
            valuePropName="checked"
            extra="Đơn vị đã đóng giữ nguyên lịch sử và số liệu thống kê, không còn hồ sơ đang hoạt động: hãy chuyển hồ sơ đi trước khi đóng."
          >
            <Checkbox data-testid="unit-closed">Đã đóng (giải thể, sáp nhập)</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
