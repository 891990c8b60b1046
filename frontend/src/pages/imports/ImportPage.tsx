import { Alert, App, Button, Card, Flex, Result, Steps, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { hasFeature } from '../../api/capabilities';
import { describeError } from '../../api/problem';
import { FeatureUnavailable } from '../../components/FeatureUnavailable';
import { PageHeader } from '../../components/PageHeader';
import { commitImport, discardImport, downloadImportReport, uploadImport } from '../../features/imports/api';
import type { ImportPreview } from '../../features/imports/contract';
import { ImportPreviewTable } from '../../features/imports/ImportPreviewTable';

const ACCEPT = '.xlsx,.xls,.csv';

function ErrorAlert({ error }: { error: unknown }) {
  const { title, detail } = describeError(error);
  return <Alert type="error" showIcon title={title} description={detail} style={{ marginBottom: 12 }} />;
}

/** Upload → preview diff → commit, with the error workbook. */
function ImportWizard({ classId }: { classId?: number }) {
  const { message } = App.useApp();
  const [preview, setPreview] = useState<ImportPreview>();
  const upload = useMutation({ mutationFn: (file: File) => uploadImport(file, { classId }), onSuccess: setPreview });
  const commit = useMutation({
    mutationFn: (id: number) => commitImport(id),
    onSuccess: (p) => {
      setPreview(p);
      void message.success('Đã ghi dữ liệu từ tệp.');
    },
  });
  const discard = useMutation({ mutationFn: (id: number) => discardImport(id), onSuccess: () => setPreview(undefined) });
  const step = !preview ? 0 : preview.status === 'committed' ? 2 : 1;

  return (
    <Card>
      <Steps current={step} style={{ marginBottom: 24 }}
        items={[{ title: 'Tải tệp lên' }, { title: 'Xem trước thay đổi' }, { title: 'Ghi vào hệ thống' }]} />
      {step === 0 && (
        <>
          {upload.isError && <ErrorAlert error={upload.error} />}
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
            <p className="ant-upload-text">Kéo tệp Excel vào đây hoặc bấm để chọn</p>
            <p className="ant-upload-hint">Tệp .xlsx, .xls hoặc .csv theo mẫu đã xuất; chưa có gì được ghi cho tới khi bạn xác nhận.</p>
          </Upload.Dragger>
        </>
      )}
      {step === 1 && preview && (
        <>
          {commit.isError && <ErrorAlert error={commit.error} />}
          <Typography.Paragraph>
            Tệp <Typography.Text strong>{preview.fileName}</Typography.Text>: kiểm tra các thay đổi dưới đây rồi bấm “Ghi vào hệ
            thống”. Các dòng bị từ chối sẽ không được ghi.
          </Typography.Paragraph>
          <ImportPreviewTable preview={preview} />
          <Flex gap={8} justify="end" style={{ marginTop: 12 }}>
            <Button icon={<DownloadOutlined />} onClick={() => void downloadImportReport(preview.id)} disabled={preview.totals.rejected === 0}>
              Tải tệp lỗi
            </Button>
            <Button onClick={() => discard.mutate(preview.id)} loading={discard.isPending}>
              Huỷ bỏ
            </Button>
            <Button type="primary" onClick={() => commit.mutate(preview.id)} loading={commit.isPending}
              disabled={preview.totals.update + preview.totals.create === 0}>
              Ghi vào hệ thống
            </Button>
          </Flex>
        </>
      )}
      {step === 2 && preview && (
        <Result
          status="success"
          title="Đã ghi dữ liệu từ tệp"
          subTitle={`${preview.totals.update} hồ sơ được cập nhật, ${preview.totals.create} hồ sơ được thêm, ${preview.totals.rejected} dòng bị từ chối.`}
          extra={[
            <Button key="report" icon={<DownloadOutlined />} onClick={() => void downloadImportReport(preview.id)} disabled={preview.totals.rejected === 0}>
              Tải tệp lỗi
            </Button>,
            <Button key="again" type="primary" onClick={() => setPreview(undefined)}>
              Nhập tệp khác
            </Button>,
          ]}
        />
      )}
    </Card>
  );
}

export default function ImportPage() {
  const [params] = useSearchParams();
  const classId = Number(params.get('lop')) || undefined;
  return (
    <>
      <PageHeader title="Nhập dữ liệu từ Excel" crumbs={classId ? [{ title: 'Lớp học', to: '/lop' }, { title: 'Lớp', to: `/lop/${classId}` }, { title: 'Nhập Excel' }] : undefined} />
      {hasFeature('imports') ? (
        <ImportWizard classId={classId} />
      ) : (
        <Card>
          <FeatureUnavailable
            title="Chưa nhập được từ Excel"
            description="Máy chủ này chưa có chức năng nhập tệp Excel (tải lên, xem trước, ghi vào hệ thống). Trong lúc chờ, hãy sửa từng hồ sơ trong danh sách học sinh."
          />
        </Card>
      )}
    </>
  );
}
