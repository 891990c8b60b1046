import { Empty, Typography } from 'antd';
import { ApiOutlined } from '@ant-design/icons';

/**
 * The honest empty state of a feature whose endpoints this server does not offer yet (see
 * src/api/capabilities.ts): it says so instead of showing invented numbers.
 */
export function FeatureUnavailable({ title, description, compact = false }: { title: string; description?: string; compact?: boolean }) {
  return (
    <Empty
      data-testid="feature-unavailable"
      image={compact ? Empty.PRESENTED_IMAGE_SIMPLE : <ApiOutlined style={{ fontSize: 48, color: '#bfbfbf' }} />}
      styles={{ image: compact ? undefined : { height: 56 } }}
      description={
        <>
          <Typography.Text strong>{title}</Typography.Text>
          <br />
          <Typography.Text type="secondary">
            {description ?? 'Chức năng này chưa có trên máy chủ này. Khi máy chủ được cập nhật, dữ liệu sẽ hiện ở đây.'}
          </Typography.Text>
        </>
      }
    />
  );
}
