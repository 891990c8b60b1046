import { Button, Result, Typography } from 'antd';
import { ApiProblem, describeError } from '../api/problem';

/**
 * A failed load, in Vietnamese. A 404 says the thing does not exist *or is outside the account's
 * units*: the API answers both the same way, on purpose.
 */
export function ErrorResult({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
  const { title, detail, requestId } = describeError(error);
  const notFound = error instanceof ApiProblem && error.isNotFound;
  return (
    <Result
      status={notFound ? '404' : error instanceof ApiProblem && error.status === 403 ? '403' : 'error'}
      title={notFound ? `Không tìm thấy ${what ?? 'dữ liệu'}` : title}
      subTitle={
        <>
          {notFound
            ? `${what ? `${what[0]?.toUpperCase()}${what.slice(1)}` : 'Dữ liệu'} không tồn tại hoặc không thuộc phạm vi đơn vị của tài khoản này.`
            : detail}
          {requestId && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              Mã yêu cầu: <Typography.Text copyable>{requestId}</Typography.Text>
            </Typography.Paragraph>
          )}
        </>
      }
      extra={onRetry && !notFound ? <Button onClick={onRetry}>Thử lại</Button> : undefined}
    />
  );
}
