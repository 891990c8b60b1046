import { AutoComplete, Col, Flex, Form, Input, Row, Select, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled, ToolFilled } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Finding, FindingField, Person } from '../../api/types';
import { fieldStatus } from '../../components/fieldStatus';
import { FieldStatusTag } from '../../components/FieldStatusTag';
import { formatDate } from '../../text/format';
import { FIELD_LABELS, POSITION_LABELS } from '../../text/labels';

const ICONS: Record<Finding['severity'], ReactNode> = {
  error: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  warning: <ExclamationCircleFilled style={{ color: '#faad14' }} />,
  fixed: <ToolFilled style={{ color: '#1677ff' }} />,
};

/** Under a field: what the rules found, and what the value becomes once normalised. */
function FieldFindings({ field, findings, normalized }: { field: FindingField; findings: readonly Finding[]; normalized?: string | null }) {
  const status = fieldStatus(findings, field);
  if (status.findings.length === 0) {
    return normalized ? (
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        <CheckCircleFilled style={{ color: '#52c41a' }} /> Ghi nhận: {normalized}
      </Typography.Text>
    ) : null;
  }
  return (
    <Flex vertical gap={2} data-testid={`findings-${field}`}>
      {status.findings.map((f, i) => (
        <Typography.Text key={`${f.code}-${i}`} style={{ fontSize: 12 }} data-code={f.code}>
          {ICONS[f.severity]} {f.message}
        </Typography.Text>
      ))}
      {normalized && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          Ghi nhận: {normalized}
        </Typography.Text>
      )}
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

const GENDERS = [{ value: 'Nam' }, { value: 'Nữ' }];
const POSITIONS = Object.entries(POSITION_LABELS).map(([value, label]) => ({ value, label }));

/**
 * The identity fields of a record, each with its status tag and findings. Values are kept as
 * entered; the rules' normalised reading is shown beneath.
 */
export function PersonFields({ person, findings, live }: { person: Person; findings: readonly Finding[]; live: boolean }) {
  const n = person.normalized;
  const residenceNormalized = n.residence
    ? [n.residence.communeName, n.residence.districtName, n.residence.provinceName].filter(Boolean).join(', ')
    : undefined;
  return (
    <>
      {live && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          Kết quả kiểm tra đang cập nhật theo những gì bạn gõ (chưa lưu).
        </Typography.Paragraph>
      )}
      <Row gutter={16}>
        <Col span={16}>
          <Form.Item name="fullName" label={<FieldLabel field="fullName" findings={findings} />}
            extra={<FieldFindings field="fullName" findings={findings} normalized={n.fullName !== person.fullName ? n.fullName : undefined} />}>
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
            extra={<FieldFindings field="dateOfBirth" findings={findings} normalized={n.dateOfBirth ? formatDate(n.dateOfBirth) : undefined} />}>
            <Input placeholder="dd/mm/yyyy" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="gender" label={<FieldLabel field="gender" findings={findings} />}
            extra={<FieldFindings field="gender" findings={findings} />}>
            <AutoComplete options={GENDERS} />
          </Form.Item>
        </Col>
        <Col span={10}>
          <Form.Item name="personalId" label={<FieldLabel field="personalId" findings={findings} />}
            extra={<FieldFindings field="personalId" findings={findings} normalized={n.personalId !== person.personalId ? n.personalId : undefined} />}>
            <Input disabled={person.personalIdMasked} autoComplete="off" inputMode="numeric" maxLength={64} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item label={<FieldLabel field="residence" findings={findings} />} style={{ marginBottom: 0 }}
        extra={<FieldFindings field="residence" findings={findings} normalized={residenceNormalized} />}>
        <Row gutter={8}>
          <Col span={8}>
            <Form.Item name={['residence', 'province']} label="Tỉnh/thành phố">
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name={['residence', 'district']} label="Quận/huyện (cũ)">
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name={['residence', 'commune']} label="Xã/phường">
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>
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
