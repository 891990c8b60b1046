import { Alert, Descriptions, Divider, Tag } from 'antd';
import type { Person } from '../../api/types';
import { hasFeature } from '../../api/capabilities';
import { FeatureUnavailable } from '../../components/FeatureUnavailable';
import { StatusTag } from '../../components/StatusTag';
import { formatDateTime } from '../../text/format';
import { FIELD_LABELS } from '../../text/labels';

/**
 * A record's standing with the national population database: its status and the fields the
 * registry disagreed on (both in the foundation API), then — once issue 5's endpoints exist —
 * our values beside the registry's with "accept".
 */
export function RegistryPanel({ person }: { person: Person }) {
  return (
    <>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label="Trạng thái">
          <StatusTag status={person.status} mismatchFields={person.mismatchFields} />
        </Descriptions.Item>
        <Descriptions.Item label="Xác thực lúc">{person.verifiedAt ? formatDateTime(person.verifiedAt) : 'Chưa xác thực'}</Descriptions.Item>
        {person.mismatchFields.length > 0 && (
          <Descriptions.Item label="CSDLQG ghi khác ở">
            {person.mismatchFields.map((f) => (
              <Tag key={f} color="error">
                {FIELD_LABELS[f as keyof typeof FIELD_LABELS] ?? f}
              </Tag>
            ))}
          </Descriptions.Item>
        )}
      </Descriptions>
      {person.quality.errors > 0 && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          title="Hồ sơ còn lỗi: hãy sửa trước khi gửi xác thực, để không tốn lượt tra cứu."
        />
      )}
      <Divider titlePlacement="start" plain>
        Giá trị theo CSDLQG về dân cư
      </Divider>
      {hasFeature('acceptRegistryValues') ? (
        <Alert type="info" showIcon title="Máy chủ đã có chức năng nhận giá trị từ CSDLQG; giao diện đối chiếu sẽ được nối ở bản sau." />
      ) : (
        <FeatureUnavailable
          compact
          title="Chưa có đối chiếu với CSDLQG"
          description="Máy chủ này chưa có chức năng xác thực, nên chưa có giá trị của CSDLQG để đặt cạnh giá trị của trường."
        />
      )}
    </>
  );
}
