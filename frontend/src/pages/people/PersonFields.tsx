import { Alert, AutoComplete, Button, Col, Flex, Form, Input, Row, Select, Spin, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled, ToolFilled } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { describeError } from '../../api/problem';
import type { Finding, FindingField, Normalized, Person } from '../../api/types';
import { fieldStatus } from '../../components/fieldStatus';
import { FieldStatusTag } from '../../components/FieldStatusTag';
import { readField, residenceNow } from '../../features/validation/fieldView';
import { residenceChoices, type ResidenceChoice } from '../../features/validation/residenceChoices';
import { UnitPicker } from '../../features/validation/UnitPicker';
import { findingLabel } from '../../text/findings';
import { FIELD_LABELS, POSITION_LABELS } from '../../text/labels';
import { residenceLine } from './personText';
import type { PersonFormValues } from './personForm';

const ICONS: Record<Finding['severity'], ReactNode> = {
  error: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  warning: <ExclamationCircleFilled style={{ color: '#faad14' }} />,
  fixed: <ToolFilled style={{ color: '#1677ff' }} />,
};

/** What the rules say about the form's values: the saved record's, or the live check's. */
export interface FieldsOutcome {
  findings: readonly Finding[];
  normalized: Normalized;
  /** `live`: the values on screen were checked (not saved yet); `saved`: the stored record's. */
  source: 'live' | 'saved';
  checking?: boolean;
  error?: unknown;
}

/**
 * Under a field: each finding in Vietnamese, the value a safe repair writes back ("sẽ sửa thành
 * …", with a button to take it into the form), or else the normalised value where it reads
 * differently from the entry.
 */
export function FieldFindings({
  field,
  entered,
  outcome,
  onUse,
  extra,
}: {
  field: FindingField;
  entered: string | undefined;
  outcome: Pick<FieldsOutcome, 'findings' | 'normalized'>;
  /** Puts the suggested value into the form; absent when the form cannot be edited. */
  onUse?: (value: string) => void;
  extra?: ReactNode;
}) {
  const reading = readField(field, entered, outcome.normalized, fieldStatus(outcome.findings, field).findings);
  if (reading.findings.length === 0 && !reading.normalized && !extra) return null;
  return (
    <Flex vertical gap={2} data-testid={`findings-${field}`} style={{ fontSize: 12, paddingTop: 2 }}>
      {reading.findings.map((f, i) => (
        <Typography.Text key={`${f.code}-${i}`} style={{ fontSize: 12 }} data-code={f.code} data-severity={f.severity} title={findingLabel(f.code)}>
          {ICONS[f.severity]} {f.message}
        </Typography.Text>
      ))}
      {reading.suggestion ? (
        <Flex gap={6} align="center" wrap data-testid={`suggestion-${field}`}>
          <Typography.Text style={{ fontSize: 12 }}>
            Sẽ sửa thành <Typography.Text strong style={{ fontSize: 12 }}>“{reading.suggestion}”</Typography.Text>
          </Typography.Text>
          {onUse && (
            <Button size="small" type="link" style={{ padding: 0, height: 'auto', fontSize: 12 }} onClick={() => onUse(reading.suggestion ?? '')}>
              Dùng giá trị này
            </Button>
          )}
        </Flex>
      ) : (
        reading.normalized && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`normalized-${field}`}>
            {reading.findings.length === 0 && <CheckCircleFilled style={{ color: '#52c41a' }} />} Hệ thống đọc là: {reading.normalized}
          </Typography.Text>
        )
      )}
      {extra}
    </Flex>
  );
}

function FieldLabel({ field, findings }: { field: FindingField; findings: readonly Finding[] }) {
  return (
    <Flex gap={6} align="center">
      {FIELD_LABELS[field]}
      <FieldStatusTag field={field} findings={findings} />
    </Flex>
  );
}

/** Above the fields: whether the findings are the saved record's or a live check of the typing. */
function CheckState({ outcome }: { outcome: FieldsOutcome }) {
  if (outcome.error) {
    const { title } = describeError(outcome.error);
    return (
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        title="Chưa kiểm tra được những gì bạn vừa gõ"
        description={`${title} Các lỗi bên dưới là của lần lưu gần nhất; khi lưu, máy chủ vẫn kiểm tra lại.`}
        data-testid="live-error"
      />
    );
  }
  if (outcome.source === 'saved' && !outcome.checking) return null;
  return (
    <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="live-state" data-checking={outcome.checking ? 'yes' : 'no'}>
      {outcome.checking ? <Spin size="small" style={{ marginInlineEnd: 6 }} /> : <CheckCircleFilled style={{ color: '#52c41a', marginInlineEnd: 6 }} />}
      {outcome.checking ? 'Đang kiểm tra những gì bạn gõ…' : 'Đã kiểm tra những gì bạn gõ (chưa lưu).'}
    </Typography.Paragraph>
  );
}

const GENDERS = [{ value: 'Nam' }, { value: 'Nữ' }];
const POSITIONS = Object.entries(POSITION_LABELS).map(([value, label]) => ({ value, label }));

/**
 * The identity fields of a record, each with its status tag and findings. Values are kept as
 * entered; the rules' reading is shown beneath, with the safe repair to take when there is one.
 */
export function PersonFields({
  person,
  values,
  outcome,
  onUse,
  onUseResidence,
  revealButton,
}: {
  person: Person;
  /** Beside the ID number while it is masked: "Hiện số" (the editors' reveal). */
  revealButton?: ReactNode;
  /** The form's current values (undefined before the first render of the form). */
  values: PersonFormValues | undefined;
  outcome: FieldsOutcome;
  onUse?: (field: 'fullName' | 'dateOfBirth' | 'gender' | 'personalId', value: string) => void;
  /** Fills the three residence cells with a chosen post-2025 unit. */
  onUseResidence?: (cells: ResidenceChoice['cells']) => void;
}) {
  const { findings } = outcome;
  const v = values;
  const use = (field: 'fullName' | 'dateOfBirth' | 'gender' | 'personalId') => (onUse ? (value: string) => onUse(field, value) : undefined);
  const now = residenceNow(outcome.normalized.residence);
  const choices = onUseResidence ? residenceChoices(outcome.normalized.residence) : [];
  const enteredResidence = v ? residenceLine({ residence: v.residence, residenceText: v.residenceText }) : residenceLine(person);
  return (
    <>
      <CheckState outcome={outcome} />
      <Row gutter={16}>
        <Col span={16}>
          <Form.Item name="fullName" label={<FieldLabel field="fullName" findings={findings} />}
            extra={<FieldFindings field="fullName" entered={v?.fullName} outcome={outcome} onUse={use('fullName')} />}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="sectorCode" label="Mã định danh ngành">
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="dateOfBirth" label={<FieldLabel field="dateOfBirth" findings={findings} />}
            extra={<FieldFindings field="dateOfBirth" entered={v?.dateOfBirth} outcome={outcome} onUse={use('dateOfBirth')} />}>
            <Input placeholder="dd/mm/yyyy" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="gender" label={<FieldLabel field="gender" findings={findings} />}
            extra={<FieldFindings field="gender" entered={v?.gender} outcome={outcome} onUse={use('gender')} />}>
            <AutoComplete options={GENDERS} />
          </Form.Item>
        </Col>
        <Col span={10}>
          <Form.Item name="personalId" label={<FieldLabel field="personalId" findings={findings} />}
            extra={<FieldFindings field="personalId" entered={v?.personalId} outcome={outcome}
              onUse={outcome.source === 'live' && v?.personalId !== person.personalId ? use('personalId') : undefined} />}>
            <Input autoComplete="off" inputMode="numeric" maxLength={64} data-testid="personal-id-input"
              suffix={revealButton} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item label={<FieldLabel field="residence" findings={findings} />} style={{ marginBottom: 0 }}
        extra={
          <FieldFindings
            field="residence"
            entered={enteredResidence}
            outcome={outcome}
            extra={now && now !== enteredResidence && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="residence-now">
                Theo đơn vị hành chính mới (từ 01/7/2025): {now}
              </Typography.Text>
            )}
          />
        }>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name={['residence', 'province']} label="Tỉnh/thành phố">
              <UnitPicker level="province" read={outcome.normalized.residence} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name={['residence', 'district']} label="Quận/huyện (cũ)">
              <UnitPicker level="district" read={outcome.normalized.residence} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name={['residence', 'commune']} label="Xã/phường">
              <UnitPicker level="commune" read={outcome.normalized.residence} />
            </Form.Item>
          </Col>
        </Row>
        {choices.length > 0 && (
          <Flex gap={6} wrap align="center" style={{ marginBottom: 12 }} data-testid="residence-choices">
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {choices.length > 1 ? 'Xã/phường cũ đã chia cho nhiều xã mới, chọn nơi hồ sơ thường trú:' : 'Ghi theo đơn vị mới:'}
            </Typography.Text>
            {choices.map((c) => (
              <Button key={c.key} size="small" onClick={() => onUseResidence?.(c.cells)} data-testid="residence-choice">
                {c.label}
                {c.isDefault ? ' (mặc định)' : ''}
              </Button>
            ))}
          </Flex>
        )}
      </Form.Item>
      <Form.Item name="residenceText" label="Hoặc địa chỉ ghi một dòng" style={{ marginTop: 12 }}>
        <Input autoComplete="off" placeholder="Số 5 Lê Lợi, P. Máy Tơ, Q. Ngô Quyền, Hải Phòng" />
      </Form.Item>
      {person.kind === 'staff' && (
        <Form.Item name="position" label="Chức vụ">
          <Select options={POSITIONS} allowClear style={{ width: 240 }} />
        </Form.Item>
      )}
    </>
  );
}
