import { Button, Result } from 'antd';
import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <Result
      status="404"
      title="Không có trang này"
      subTitle="Địa chỉ không đúng, hoặc trang đã được chuyển."
      extra={
        <Link to="/">
          <Button type="primary">Về trang đầu</Button>
        </Link>
      }
    />
  );
}
