import { Alert, App, Button, List, Tooltip, Typography } from 'antd';
import { SwapOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { describeError } from '../../api/problem';
import { usePeopleCount } from '../../api/queries';
import type { FixBatch } from '../../api/types';
import { formatNumber } from '../../text/format';
import { previewFixes, useApplyFixes } from './api';
import { FixResult, type FixTarget } from './SafeFixes';
import { fixScopeKey, lastBatch } from './summary';

/** The rule engine's conversion the action applies: an old commune that became exactly one new commune. */
export const ADDRESS_CONVERSION = 'address_outdated_unit' as const;

/** The preview of a conversion: counts, the first records old → new, and what is left to the clerk. */
export function ConversionPreview({ preview, split }: { preview: FixBatch; split: number }) {
  return (
    <div data-testid="conversion-preview">
      <Typography.Paragraph>
        Sẽ chuyển địa chỉ thường trú của <strong>{formatNumber(preview.records)} hồ sơ</strong> từ đơn vị hành chính cũ (trước 01/7/2025) sang
        phường/xã, tỉnh/thành phố mới tương ứng duy nhất (bỏ quận/huyện). Giá trị cũ được lưu trong lịch sử; có thể hoàn tác.
      </Typography.Paragraph>
      <List
        size="small"
        bordered
        dataSource={preview.samples}
        renderItem={(s) => (
          <List.Item>
            <div>
              <Typography.Text strong>{s.fullName ?? `Hồ sơ ${s.personId}`}</Typography.Text>
              <div>
                <Typography.Text delete type="secondary">{s.before}</Typography.Text> → <Typography.Text>{s.after}</Typography.Text>
              </div>
            </div>
          </List.Item>
        )}
      />
      {preview.records > preview.samples.length && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          … và {formatNumber(preview.records - preview.samples.length)} hồ sơ khác.
        </Typography.Paragraph>
      )}
      {split > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          title={`${formatNumber(split)} hồ sơ có phường/xã cũ bị chia cho nhiều đơn vị mới không được chuyển: cần mở từng hồ sơ và chọn đúng phường/xã mới.`}
        />
      )}
    </div>
  );
}

/**
 * "Chuyển địa chỉ sang đơn vị mới": the safe repair `/fixes` applies for `address_outdated_unit`,
 * previewed by a dry run (counts and a sample old → new), confirmed, then its result with
 * "Hoàn tác" stays on the page (remembered for the tab, like "Sửa tự động").
 */
export function useAddressConversion(target: FixTarget) {
  const { modal, notification } = App.useApp();
  const key = `${fixScopeKey(target.kind, target.classId)}.address`;
  const [remembered, setRemembered] = useState(() => ({ key, id: lastBatch.get(key) }));
  const batchId = remembered.key === key ? remembered.id : lastBatch.get(key);
  const apply = useApplyFixes(target.kind);
  const [previewing, setPreviewing] = useState(false);
  const pending = usePeopleCount(target.kind, { classId: target.classId, findingCode: ADDRESS_CONVERSION });
  const split = usePeopleCount(target.kind, { classId: target.classId, findingCode: 'address_split_unit' });
  const request = {
    classId: target.classId,
    personIds: target.personIds.length > 0 ? target.personIds : undefined,
    findingCode: ADDRESS_CONVERSION,
  };
  const fail = (error: unknown) => {
    const { title, detail } = describeError(error);
    notification.error({ title, description: detail });
  };

  const start = async () => {
    setPreviewing(true);
    try {
      const preview = await previewFixes(target.kind, request);
      const splitCount = target.personIds.length > 0 ? 0 : (split.data ?? 0);
      if (preview.records === 0) {
        notification.info({
          title: `Không có địa chỉ nào chuyển tự động được (${target.scopeText})`,
          description:
            splitCount > 0
              ? `${formatNumber(splitCount)} hồ sơ có phường/xã cũ bị chia: cần chọn phường/xã mới trong từng hồ sơ.`
              : 'Các địa chỉ đã theo đơn vị hành chính mới, hoặc được nhập trong một ô nên cần sửa tay.',
        });
        return;
      }
      modal.confirm({
        title: `Chuyển địa chỉ sang đơn vị mới (${target.scopeText})?`,
        width: 560,
        content: <ConversionPreview preview={preview} split={splitCount} />,
        okText: `Chuyển ${formatNumber(preview.records)} hồ sơ`,
        cancelText: 'Không chuyển',
        onOk: async () => {
          try {
            const batch = await apply.mutateAsync(request);
            lastBatch.set(key, batch.id);
            setRemembered({ key, id: batch.id });
          } catch (error) {
            fail(error);
          }
        },
      });
    } catch (error) {
      fail(error);
    } finally {
      setPreviewing(false);
    }
  };

  const nothing = target.personIds.length === 0 && pending.data === 0;
  const button = (
    <Tooltip
      title={
        nothing
          ? 'Không có hồ sơ nào ở đơn vị hành chính cũ.'
          : `${formatNumber(pending.data ?? 0)} hồ sơ còn địa chỉ theo đơn vị hành chính cũ; xem trước khi chuyển`
      }
    >
      <Button icon={<SwapOutlined />} disabled={nothing} loading={previewing || apply.isPending} onClick={() => void start()} data-testid="convert-addresses">
        Chuyển địa chỉ sang đơn vị mới
      </Button>
    </Tooltip>
  );
  const forget = () => {
    lastBatch.clear(key);
    setRemembered({ key, id: undefined });
  };
  const result = batchId ? <FixResult kind={target.kind} id={batchId} onClose={forget} testId="conversion-result" /> : null;
  return { button, result };
}
