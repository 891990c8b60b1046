import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { FixBatch } from '../../api/types';
import { ConversionPreview } from './AddressConversion';

const preview: FixBatch = {
  id: '',
  dryRun: true,
  createdAt: '2026-12-06T07:00:00Z',
  createdBy: 'demo-school',
  unitId: 4,
  classId: 7,
  population: 'student',
  findingCode: 'address_outdated_unit',
  records: 11,
  changes: 33,
  undoneAt: null,
  reverted: 0,
  kept: 0,
  samples: [
    { personId: 1, fullName: 'Bùi Ngọc Nhi', before: 'Phường Máy Chai, Quận Ngô Quyền, Thành phố Hải Phòng', after: 'Phường Ngô Quyền, Thành phố Hải Phòng' },
    { personId: 2, fullName: null, before: 'Phường Đằng Giang, Quận Ngô Quyền, Hải Phòng', after: 'Phường Gia Viên, Thành phố Hải Phòng' },
  ],
};

describe('ConversionPreview', () => {
  it('says how many records move, shows the samples old → new and how many are left', () => {
    render(<ConversionPreview preview={preview} split={15} />);
    expect(screen.getByText('11 hồ sơ')).toBeTruthy();
    expect(screen.getByText('Phường Máy Chai, Quận Ngô Quyền, Thành phố Hải Phòng')).toBeTruthy();
    expect(screen.getAllByText('Phường Ngô Quyền, Thành phố Hải Phòng')).toHaveLength(1);
    expect(screen.getByText('Hồ sơ 2')).toBeTruthy();
    expect(screen.getByText(/và 9 hồ sơ khác/)).toBeTruthy();
    expect(screen.getByText(/15 hồ sơ có phường\/xã cũ bị chia/)).toBeTruthy();
  });

  it('says nothing of split communes when there are none, nor of others when all are shown', () => {
    render(<ConversionPreview preview={{ ...preview, records: 2 }} split={0} />);
    expect(screen.queryByText(/bị chia/)).toBeNull();
    expect(screen.queryByText(/hồ sơ khác/)).toBeNull();
  });
});
