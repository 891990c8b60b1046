import { Typography } from 'antd';

/**
 * A stored value shown as it is (spaces and case kept), on a grey background in the UI font:
 * monospace fonts lack Vietnamese glyphs and would break the diacritics apart.
 */
export function ValueText({ value }: { value: string | null | undefined }) {
  if (!value) return <Typography.Text type="secondary">(trống)</Typography.Text>;
  return (
    <span style={{ background: 'rgba(0,0,0,0.04)', border: '1px solid rgba(5,5,5,0.06)', borderRadius: 4, padding: '0 4px', whiteSpace: 'pre-wrap' }}>
      {value}
    </span>
  );
}
