import { Alert, App, Button, Card, Flex, Result, Segmented, Space, Table, Tag, Typography, Upload } from 'antd';
import { CheckOutlined, DownloadOutlined, InboxOutlined, RollbackOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, download, rawRequest, unwrap } from '../../api/client';
import { describeError } from '../../api/problem';
import { PageHeader } from '../../components/PageHeader';
import { SCHOOL_LEVEL_LABELS, UNIT_KIND_LABELS } from '../../text/labels';
import {
  canCommit,
  describeChanges,
  linesOf,
  UNIT_ACTION_COLORS,
  UNIT_ACTION_LABELS,
  UNIT_ACTIONS,
  unitImportCounts,
  type PlannedUnit,
  type UnitAction,
  type UnitImport,
} from './unitList';

const ACCEPT = '.xlsx,.xls,.csv';

/** Sent raw: the generated client would serialise the FormData body as JSON. */
function uploadUnitList(file: File): Promise<UnitImport> {
  const body = new FormData();
  body.append('file', file, file.name);
  return rawRequest<UnitImport>('POST', '/api/v1/units/import', { body });
}

const STATUS_TEXT: Record<string, string> = { preview: 'Xem trước', committed: 'Đã ghi', undone: 'Đã hoàn tác' };

/**
 * The Department administrator loads the province's district offices and schools from the list
 * it already keeps: upload → preview (create, update, close, unchanged, rejected with reasons) →
 * commit, and undo.
 */
export default function UnitListImportPage() {
  const { notification } = App.useApp();
  const client = useQueryClient();
  const [current, setCurrent] = useState<UnitImport>();
  const [filter, setFilter] = useState<UnitAction | 'all'>('all');
  const fail = (error: unknown) => notification.error({ title: describeError(error).title, description: describeError(error).detail });
  const done = (answer: UnitImport) => {
    setCurrent(answer);
    void client.invalidateQueries({ queryKey: ['units'] });
  };
  const upload = useMutation({ mutationFn: uploadUnitList, onSuccess: (answer) => { setFilter('all'); setCurrent(answer); } });
  const commit = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/units/import/{id}/commit', { params: { path: { id } } })),
    onSuccess: done,
    onError: fail,
  });
  const undo = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/units/import/{id}/undo', { params: { path: { id } } })),
    onSuccess: done,
    onError: fail,
  });
  const template = useMutation({
    mutationFn: () => download('/api/v1/units/import/template.xlsx', undefined, 'mau-danh-sach-don-vi.xlsx'),
    onError: fail,
  });

  const counts = current ? unitImportCounts(current) : undefined;
  return (
    <>
      <PageHeader
        title="Nạp danh sách đơn vị"
        subTitle="Phòng GDĐT và trường theo mã trường của Bộ GDĐT"
        extra={
          <Button icon={<DownloadOutlined />} loading={template.isPending} onClick={() => template.mutate()} data-testid="unit-template">
            Tải tệp mẫu
          </Button>
        }
      />
      {!current && (
        <Card>
          {upload.isError && <Alert type="error" showIcon title={describeError(upload.error).title} description={describeError(upload.error).detail} style={{ marginBottom: 12 }} />}
          <div data-testid="unit-list-upload">
            <Upload.Dragger
              accept={ACCEPT}
              multiple={false}
              showUploadList={false}
              disabled={upload.isPending}
              beforeUpload={(file) => {
                upload.mutate(file);
                return false;
              }}
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{upload.isPending ? 'Đang tải tệp lên…' : 'Kéo danh sách đơn vị (Excel hoặc CSV) vào đây hoặc bấm để chọn'}</p>
              <p className="ant-upload-hint">
                Các cột như Mã trường, Tên trường, Cấp học, Đơn vị quản lý, Xã/Phường, Địa chỉ, Điện thoại, Email, Hiệu trưởng, Trạng thái — theo tiêu đề, không cần đúng thứ tự.
                Danh sách năm sau đổi tên, chuyển và đóng đơn vị (Trạng thái: Giải thể, Sáp nhập, Đóng). Chưa có gì được ghi cho tới khi bạn xác nhận.
              </p>
            </Upload.Dragger>
          </div>
        </Card>
      )}
      {current && counts && (
        <Card data-testid="unit-import" data-status={current.status}>
          {current.status === 'committed' && (
            <Result
              status="success"
              title="Đã ghi danh sách đơn vị"
              subTitle={`Tạo mới ${counts.create}, cập nhật ${counts.update}, đóng ${counts.close}. Có thể hoàn tác khi chưa có tài khoản, lớp hay hồ sơ nào gắn với đơn vị mới.`}
              extra={[
                <Link key="tree" to="/don-vi"><Button type="primary">Xem cây đơn vị</Button></Link>,
                <Link key="accounts" to="/tai-khoan"><Button>Tạo tài khoản cho các trường</Button></Link>,
                <Button key="undo" icon={<RollbackOutlined />} loading={undo.isPending} onClick={() => undo.mutate(current.id)} data-testid="unit-import-undo">
                  Hoàn tác
                </Button>,
              ]}
            />
          )}
          {current.status === 'undone' && <Alert type="info" showIcon title="Đã hoàn tác lần nạp này: đơn vị mới đã bỏ, đơn vị đã sửa trở lại như trước." style={{ marginBottom: 12 }} />}
          <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
            <Space wrap>
              <Typography.Text strong>{current.filename}</Typography.Text>
              <Tag>{STATUS_TEXT[current.status] ?? current.status}</Tag>
              {UNIT_ACTIONS.map((a) => (
                <Tag key={a} color={UNIT_ACTION_COLORS[a]} data-testid={`unit-count-${a}`}>
                  {UNIT_ACTION_LABELS[a]}: {counts[a]}
                </Tag>
              ))}
            </Space>
            <Space>
              <Button onClick={() => setCurrent(undefined)}>Tải tệp khác</Button>
              {current.status === 'preview' && (
                <Button type="primary" icon={<CheckOutlined />} disabled={!canCommit(current)} loading={commit.isPending} onClick={() => commit.mutate(current.id)} data-testid="unit-import-commit">
                  Ghi vào hệ thống
                </Button>
              )}
            </Space>
          </Flex>
          {current.status === 'preview' && counts.rejected > 0 && (
            <Alert type="warning" showIcon title={`${counts.rejected} dòng bị từ chối sẽ không được ghi`} description="Sửa các dòng này trong tệp rồi tải lên lại, hoặc ghi phần còn lại trước." style={{ marginBottom: 12 }} />
          )}
          <Segmented<UnitAction | 'all'>
            value={filter}
            onChange={setFilter}
            options={[{ value: 'all', label: 'Tất cả' }, ...UNIT_ACTIONS.filter((a) => counts[a] > 0).map((a) => ({ value: a, label: UNIT_ACTION_LABELS[a] }))]}
            style={{ marginBottom: 12 }}
          />
          <Table<PlannedUnit>
            size="small"
            rowKey="row"
            dataSource={linesOf(current, filter)}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            data-testid="unit-import-lines"
            columns={[
              { title: 'Dòng', dataIndex: 'row', width: 70 },
              { title: 'Mã', dataIndex: 'code', width: 120 },
              { title: 'Tên đơn vị', dataIndex: 'name' },
              {
                title: 'Loại',
                key: 'kind',
                width: 150,
                render: (_, l) => (l.level ? SCHOOL_LEVEL_LABELS[l.level] : l.kind ? UNIT_KIND_LABELS[l.kind] : ''),
              },
              { title: 'Đơn vị quản lý', dataIndex: 'parentCode', width: 130 },
              {
                title: 'Kết quả',
                key: 'action',
                render: (_, l) => (
                  <Space direction="vertical" size={2}>
                    <Tag color={UNIT_ACTION_COLORS[l.action]}>{UNIT_ACTION_LABELS[l.action]}</Tag>
                    {[...l.reasons, ...describeChanges(l)].map((r) => (
                      <Typography.Text key={r} type={l.action === 'rejected' ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
                        {r}
                      </Typography.Text>
                    ))}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
