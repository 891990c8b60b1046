import { Alert, App, Button, Form, Input, InputNumber, Modal } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { applyProblemToForm } from '../../api/problem';
import { gradeFromClassName } from './classWork';

interface NewClassForm {
  name: string;
  grade: number;
  homeroomTeacher?: string;
}

/** "Thêm lớp": a class of the current school year for the clerk's school. */
export function NewClassButton({ schoolId, schoolYear }: { schoolId: number; schoolYear?: string }) {
  const { message } = App.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [form] = Form.useForm<NewClassForm>();
  const create = useMutation({
    mutationFn: (v: NewClassForm) =>
      unwrap(api.POST('/api/v1/classes', { body: { name: v.name.trim(), grade: v.grade, unitId: schoolId, homeroomTeacher: v.homeroomTeacher?.trim() || null } })),
    onSuccess: (c) => {
      void message.success(`Đã thêm lớp ${c.name}.`);
      setOpen(false);
      form.resetFields();
      void client.invalidateQueries();
    },
    onError: (e) => {
      const failure = applyProblemToForm(form, e, [['name'], ['grade'], ['homeroomTeacher']]);
      setError(failure ? [failure.title, failure.detail].filter(Boolean).join(': ') : undefined);
    },
  });
  return (
    <>
      <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-class">
        Thêm lớp
      </Button>
      <Modal
        open={open}
        title={`Thêm lớp${schoolYear ? ` — năm học ${schoolYear}` : ''}`}
        okText="Thêm lớp"
        cancelText="Huỷ"
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form
          form={form}
          layout="vertical"
          requiredMark={false}
          onValuesChange={(changed: Partial<NewClassForm>) => {
            // "6A2" says its grade: fill it in, the clerk can still change it.
            const grade = changed.name !== undefined ? gradeFromClassName(changed.name) : undefined;
            if (grade !== undefined) form.setFieldValue('grade', grade);
          }}
          onFinish={(v) => {
            setError(undefined);
            create.mutate(v);
          }}
        >
          <Form.Item label="Tên lớp" name="name" rules={[{ required: true, whitespace: true, message: 'Hãy nhập tên lớp.' }, { max: 32, message: 'Tên lớp tối đa 32 ký tự.' }]}>
            <Input placeholder="6A2" autoFocus />
          </Form.Item>
          <Form.Item label="Khối" name="grade" extra="0 là mầm non; 1–12." rules={[{ required: true, message: 'Hãy nhập khối.' }]}>
            <InputNumber min={0} max={12} style={{ width: 120 }} />
          </Form.Item>
          <Form.Item label="Giáo viên chủ nhiệm" name="homeroomTeacher">
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
