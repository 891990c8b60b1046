import { Breadcrumb, Flex, Typography } from 'antd';
import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';

export interface Crumb {
  title: string;
  to?: string;
}

/** A page's breadcrumb, title and actions. */
export function PageHeader({ title, crumbs, extra, subTitle }: { title: ReactNode; crumbs?: Crumb[]; extra?: ReactNode; subTitle?: ReactNode }) {
  useDocumentTitle(typeof title === 'string' ? title : crumbs?.at(-1)?.title);
  return (
    <div style={{ marginBottom: 16 }}>
      {crumbs && crumbs.length > 0 && (
        <Breadcrumb
          style={{ marginBottom: 8 }}
          items={crumbs.map((c) => ({ title: c.to ? <Link to={c.to}>{c.title}</Link> : c.title }))}
        />
      )}
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          {subTitle && <Typography.Text type="secondary">{subTitle}</Typography.Text>}
        </div>
        {extra && (
          <Flex gap={8} wrap>
            {extra}
          </Flex>
        )}
      </Flex>
    </div>
  );
}

/** The browser tab names the page ("Lớp 6A · Định danh"), so tabs and history can be told apart. */
export function useDocumentTitle(title: string | undefined) {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Định danh`;
    return () => {
      document.title = before;
    };
  }, [title]);
}
