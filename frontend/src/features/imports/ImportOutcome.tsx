// What an import came to, as the list of imports shows it (issue 11): its totals, or why it
// wrote nothing.
import { ExclamationCircleOutlined } from '@ant-design/icons';
import { Flex, Typography } from 'antd';
import { formatDateTime, formatNumber } from '../../text/format';
import { importStatus, type ImportPreview } from './contract';

/** The totals of an import; a failed or expired one shows its reason instead (it wrote nothing),
 * a preview whose requested commit did not happen shows why under its totals, and an import whose
 * planned rows the retention task deleted says so (its report can no longer be downloaded). */
export function ImportOutcome({ item }: { item: ImportPreview }) {
  const status = importStatus(item);
  if ((status === 'failed' || status === 'expired') && item.error) {
    return <Reason text={item.error} />;
  }
  const totals =
    `${formatNumber(item.totals.update)} cập nhật, ${formatNumber(item.totals.create)} thêm, ${formatNumber(item.totals.rejected)} từ chối` +
    (status === 'undone' ? ` (hoàn tác: ${formatNumber(item.reverted)} trả lại, ${formatNumber(item.kept)} giữ)` : '');
  if (status === 'ready' && item.error) {
    return (
      <Flex vertical>
        <span>{totals}</span>
        <Reason text={item.error} />
      </Flex>
    );
  }
  if (item.rowsPurgedAt) {
    return (
      <Flex vertical>
        <span>{totals}</span>
        <Typography.Text type="secondary" data-testid="import-rows-purged">
          Chi tiết từng dòng đã được xoá lúc {formatDateTime(item.rowsPurgedAt)} theo thời hạn lưu giữ dữ liệu cá nhân; số liệu
          tổng vẫn giữ.
        </Typography.Text>
      </Flex>
    );
  }
  return <span>{totals}</span>;
}

/** A reason in the text colour (AA contrast), marked by an icon. */
function Reason({ text }: { text: string }) {
  return (
    <Typography.Text data-testid="import-reason">
      <ExclamationCircleOutlined aria-hidden style={{ color: '#d46b08', marginInlineEnd: 4 }} />
      {text}
    </Typography.Text>
  );
}
