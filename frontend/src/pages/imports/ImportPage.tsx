import { Alert, App, Button, Card, Checkbox, Flex, Progress, Result, Steps, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useClass } from '../../api/queries';
import { describeError } from '../../api/problem';
import { PageHeader } from '../../components/PageHeader';
import { commitImport, discardImport, downloadImportReport, getImport, undoImport, uploadImport, type CommitOptions } from '../../features/imports/api';
import { importStatus, type ImportPreview } from '../../features/imports/contract';
import { formatNumber } from '../../text/format';
import { ImportPreviewTable, type Choice } from '../../features/imports/ImportPreviewTable';
import { commitOptions } from '../../features/imports/choices';

const ACCEPT = '.xlsx,.xls,.csv';

function ErrorAlert({ error }: { error: unknown }) {
  const { title, detail } = describeError(error);
  return <Alert type="error" showIcon title={title} description={detail} style={{ marginBottom: 12 }} />;
}

/** How often a background import (large file) is polled. */
const POLL_MS = 1000;

/** Upload → preview diff → commit, with the error workbook and undo. */
function ImportWizard({ classId, population }: { classId?: number; population: 'student' | 'staff' }) {
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [current, setCurrent] = useState<ImportPreview>();
  // A large file is read (and committed) by a background job: poll it until it settles.
  const polled = useQuery({
    queryKey: ['import', current?.id, 'poll'],
    queryFn: () => getImport(current?.id ?? ''),
    enabled: Boolean(current && importStatus(current) === 'processing'),
    refetchInterval: POLL_MS,
  });
  const preview = polled.data && current && polled.data.id === current.id && importStatus(current) === 'processing' ? polled.data : current;
  const settle = (p: ImportPreview) => {
    setCurrent(p);
    void client.invalidateQueries({ queryKey: ['imports'] });
  };
  const upload = useMutation({ mutationFn: (file: File) => uploadImport(file, { classId, population }), onSuccess: settle });
  // the clerk's decisions: changes held back that are written anyway, changes of verified records
  const [forcedChoices, setForcedChoices] = useState<Map<string, Choice>>(new Map());
  const [confirmVerified, setConfirmVerified] = useState(false);
  const forced = {
    keys: new Set(forcedChoices.keys()),
    toggle: (key: string, choice: Choice, on: boolean) =>
      setForcedChoices((prev) => {
        const next = new Map(prev);
        if (on) next.set(key, choice);
        else next.delete(key);
        return next;
      }),
  };
  // conflicts (changed in the file and on the web since the export) where the clerk takes the file's value
  const [takenChoices, setTakenChoices] = useState<Map<string, Choice>>(new Map());
  const taken = {
    keys: new Set(takenChoices.keys()),
    toggle: (key: string, choice: Choice, on: boolean) =>
      setTakenChoices((prev) => {
        const next = new Map(prev);
        if (on) next.set(key, choice);
        else next.delete(key);
        return next;
      }),
  };
  const options = (): CommitOptions => commitOptions(confirmVerified, forcedChoices, takenChoices);
  const commit = useMutation({
    mutationFn: (id: string) => commitImport(id, options()),
    onSuccess: (p) => {
      settle(p);
      void client.invalidateQueries();
      if (importStatus(p) === 'committed') void message.success('Đã ghi dữ liệu từ tệp.');
    },
  });
  const undo = useMutation({
    mutationFn: (id: string) => undoImport(id),
    onSuccess: (p) => {
      settle(p);
      void client.invalidateQueries();
      void message.success('Đã hoàn tác lượt nhập.');
    },
  });
  const discard = useMutation({ mutationFn: (id: string) => discardImport(id), onSuccess: () => setCurrent(undefined) });
  const status = preview ? importStatus(preview) : undefined;
  const step = !preview ? 0 : status === 'committed' || status === 'undone' ? 2 : 1;
  const reportable = preview ? preview.totals.rejected + preview.totals.rowsWithErrors + preview.totals.rowsWithWarnings > 0 : false;
  const reportButton = preview && (
    <Button key="report" icon={<DownloadOutlined />} data-testid="import-report" onClick={() => void downloadImportReport(preview.id)} disabled={!reportable}>
      Tải tệp lỗi
    </Button>
  );

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
            <p className="ant-upload-text">{upload.isPending ? 'Đang tải tệp lên…' : 'Kéo tệp Excel vào đây hoặc bấm để chọn'}</p>
            <p className="ant-upload-hint">
              Tệp .xlsx, .xls hoặc .csv: mẫu đã xuất từ hệ thống, hoặc tệp xuất từ CSDL ngành (cột theo tiêu đề, không cần đúng thứ tự).
              Chưa có gì được ghi cho tới khi bạn xác nhận.
            </p>
          </Upload.Dragger>
        </>
      )}
      {step === 1 && preview && status === 'processing' && (
        <Flex vertical align="center" gap={12} style={{ padding: 24 }} data-testid="import-progress">
          <Typography.Text>Đang xử lý tệp {preview.filename}…</Typography.Text>
          <Progress
            style={{ maxWidth: 480 }}
            aria-label={`Tiến độ đọc tệp ${preview.filename}`}
            percent={preview.rowsTotal > 0 ? Math.floor((preview.rowsRead / preview.rowsTotal) * 100) : 0}
            format={() => `${formatNumber(preview.rowsRead)} / ${formatNumber(preview.rowsTotal)} dòng`}
          />
        </Flex>
      )}
      {step === 1 && preview && status === 'failed' && (
        <Result
          status="error"
          title="Không xử lý được tệp"
          subTitle={preview.error ?? 'Hãy kiểm tra tệp rồi tải lên lại.'}
          extra={<Button onClick={() => setCurrent(undefined)}>Tải tệp khác</Button>}
        />
      )}
      {step === 1 && preview && status === 'ready' && (
        <>
          {commit.isError && <ErrorAlert error={commit.error} />}
          <Typography.Paragraph>
            Tệp <Typography.Text strong>{preview.filename}</Typography.Text>
            {preview.sheets.length > 1 ? ` (${preview.sheets.length} trang tính)` : ''}: kiểm tra các thay đổi dưới đây rồi bấm “Ghi vào
            hệ thống”. Các dòng bị từ chối sẽ không được ghi; tải tệp lỗi để sửa chúng trong Excel rồi nhập lại.
          </Typography.Paragraph>
          <ImportPreviewTable preview={preview} forced={forced} taken={taken} />
          {(preview.totals.verifiedChanges ?? 0) > 0 && (
            <Checkbox checked={confirmVerified} onChange={(e) => setConfirmVerified(e.target.checked)} data-testid="import-confirm-verified"
              style={{ marginTop: 12 }}>
              Sửa cả {preview.totals.verifiedChanges} hồ sơ đã được CSDL quốc gia xác thực (các hồ sơ này sẽ phải gửi xác thực lại; nếu không chọn, chúng được giữ nguyên)
            </Checkbox>
          )}
          {/* The decision stays in view at the bottom of the window, however long the preview. */}
          <Flex gap={8} justify="end" data-testid="import-actions"
            style={{ marginTop: 12, position: 'sticky', bottom: 0, zIndex: 5, background: '#fff', padding: '12px 0', borderTop: '1px solid #f0f0f0' }}>
            {reportButton}
            <Button onClick={() => discard.mutate(preview.id)} loading={discard.isPending}>
              Huỷ bỏ
            </Button>
            <Button type="primary" data-testid="import-commit" onClick={() => commit.mutate(preview.id)} loading={commit.isPending}
              disabled={preview.totals.update + preview.totals.create === 0}>
              Ghi vào hệ thống
            </Button>
          </Flex>
        </>
      )}
      {step === 2 && preview && (
        <Result
          status={status === 'undone' ? 'info' : 'success'}
          title={status === 'undone' ? 'Đã hoàn tác lượt nhập' : 'Đã ghi dữ liệu từ tệp'}
          subTitle={
            status === 'undone'
              ? `${preview.reverted} thay đổi được trả lại như cũ${preview.kept > 0 ? `, ${preview.kept} giữ nguyên vì đã được sửa sau lượt nhập` : ''}.`
              : `${preview.totals.update - preview.kept} hồ sơ được cập nhật, ${preview.totals.create} hồ sơ được thêm, ${preview.totals.rejected} dòng bị từ chối` +
                (preview.kept > 0 ? `, ${preview.kept} hồ sơ đã xác thực được giữ nguyên` : '') +
                ((preview.totals.stale ?? 0) > 0 ? `, ${preview.totals.stale} ô giữ giá trị mới hơn trên hệ thống` : '') +
                '.'
          }
          extra={[
            reportButton,
            status === 'committed' && (
              <Button key="undo" data-testid="import-undo" onClick={() => undo.mutate(preview.id)} loading={undo.isPending}>
                Hoàn tác lượt nhập
              </Button>
            ),
            // The next step of the directive: send what was just corrected.
            status === 'committed' && population === 'student' && (
              <Button key="next" type="primary" data-testid="import-next" onClick={() => navigate(classId ? `/lop/${classId}` : '/hoc-sinh')}>
                {classId ? 'Sang lớp để gửi xác thực' : 'Sang danh sách học sinh để gửi xác thực'}
              </Button>
            ),
            <Button key="again" onClick={() => setCurrent(undefined)}>
              Nhập tệp khác
            </Button>,
          ]}
        />
      )}
      {undo.isError && <ErrorAlert error={undo.error} />}
    </Card>
  );
}

export default function ImportPage() {
  const [params] = useSearchParams();
  const classId = Number(params.get('lop')) || undefined;
  const population = params.get('doi-tuong') === 'can-bo' ? 'staff' : 'student';
  const klass = useClass(classId ?? Number.NaN);
  return (
    <>
      <PageHeader title="Nhập dữ liệu từ Excel" crumbs={classId ? [{ title: 'Lớp học', to: '/lop' }, { title: klass.data ? `Lớp ${klass.data.name}` : 'Lớp', to: `/lop/${classId}` }, { title: 'Nhập Excel' }] : undefined} />
      <ImportWizard classId={classId} population={population} />
    </>
  );
}
