import { describe, expect, it } from 'vitest';
import { shortUnitName } from './unitNames';

describe('shortUnitName', () => {
  it.each([
    ['Phòng Giáo dục và Đào tạo quận Ngô Quyền', 'Ngô Quyền'],
    ['Phòng Giáo dục và Đào tạo huyện Thủy Nguyên', 'Thủy Nguyên'],
    ['Phòng GD&ĐT thành phố Thủy Nguyên', 'Thủy Nguyên'],
    ['Phòng GDĐT Kiến An', 'Kiến An'],
    ['Trường THCS Lê Lợi', 'THCS Lê Lợi'],
    ['Trường Trung học cơ sở Chu Văn An', 'THCS Chu Văn An'],
    ['Trường Tiểu học Đằng Giang', 'TH Đằng Giang'],
    ['Trường Tiểu học và THCS Tân Liên', 'TH&THCS Tân Liên'],
    ['Trường Mầm non Hoa Sen', 'MN Hoa Sen'],
    ['Trường THPT Trần Phú', 'THPT Trần Phú'],
    ['Trung tâm GDNN-GDTX quận Hải An', 'TT GDNN-GDTX quận Hải An'],
    ['Sở Giáo dục và Đào tạo Hải Phòng', 'Sở Giáo dục và Đào tạo Hải Phòng'],
    ['  Trường   THCS  Lê Lợi ', 'THCS Lê Lợi'],
    ['6A1', '6A1'],
  ])('%s → %s', (name, want) => expect(shortUnitName(name)).toBe(want));
});
