import { Empty, Skeleton } from 'antd';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorResult } from './ErrorResult';

/**
 * Loading, error and empty states of one query around the content that shows its data, so no
 * screen forgets one of them.
 */
export function QueryState<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  /** What is loaded, for messages ("lớp học"). */
  what?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (query.isError) return <ErrorResult error={query.error} what={what} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <>{empty ?? <Empty description={`Chưa có ${what ?? 'dữ liệu'}.`} />}</>;
  return <>{children(data)}</>;
}
