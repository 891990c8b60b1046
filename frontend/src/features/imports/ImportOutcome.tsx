// What an import came to, as the list of imports shows it (issue 11): its totals, or why it
// wrote nothing.
import { Flex, Typography } from 'antd';
import { formatNumber } from '../../text/format';
import { importStatus, type ImportPreview } from './contract';

/** The totals of an import; a failed or expired one shows its reason instead (it wrote nothing),
 * and a preview whose requested commit did not happen shows why under its totals. */
export function ImportOutcome({ item }: { item: ImportPreview }) {
  const status = importStatus(item);
  if ((status === 'failed' || status === 'expired') && item.error) {
    return (
      <Typography.Text type={status === 'failed' ? 'danger' : 'secondary'} data-testid="import-reason">
        {item.error}
      </Typography.Text>
    );
  }
  const totals =
    `${formatNumber(item.totals.update)} cập nhật, ${formatNumber(item.totals.create)} thêm, ${formatNumber(item.totals.rejected)} từ chối` +
    (status === 'undone' ? ` (hoàn tác: ${formatNumber(item.reverted)} trả lại, ${formatNumber(item.kept)} giữ)` : '');
  if (status === 'ready' && item.error) {
    return (
      <Flex vertical>
        <span>{totals}</span>
        <Typography.Text type="warning" data-testid="import-reason">
          {item.error}
        </Typography.Text>
      </Flex>
    );
  }
  return <span>{totals}</span>;
}
