import { describe, expect, it } from 'vitest';
import { difference, differenceNote, differingPart } from './compare';

describe('difference', () => {
  it.each([
    ['Nguyễn Thị Thuỷ', 'Nguyễn Thị Thủy', 'tone'],
    ['Lê Văn Hoà', 'Lê Văn Hòa', 'tone'],
    ['Trần Minh Khôi', 'Trần Minh Khối', 'tone'],
    ['NGUYỄN VĂN AN', 'Nguyễn Văn An', 'case'],
    ['Nguyễn Văn An', 'Nguyễn  Văn An ', 'same'],
    // NFD input equals its NFC form.
    ['Nguye\u0302\u0303n Văn An', 'Nguyễn Văn An', 'same'],
    ['Phạm Thu Hà', 'Phạm Thu Hằng', 'different'],
    // A vowel's shape (ă, â, ơ) is not a tone mark.
    ['Lê Văn Tâm', 'Lê Văn Tam', 'different'],
    ['', 'Nguyễn Văn An', 'different'],
  ])('%s / %s → %s', (a, b, want) => expect(difference(a, b)).toBe(want));

  it('names the easy-to-miss kinds in Vietnamese', () => {
    expect(differenceNote('tone')).toMatch(/dấu thanh/);
    expect(differenceNote('case')).toMatch(/chữ hoa/);
    expect(differenceNote('different')).toBeUndefined();
  });
});

describe('differingPart', () => {
  it.each([
    ['Nguyễn Thị Thuỷ', 'Nguyễn Thị Thủy', { head: 'Nguyễn Thị Th', diff: 'ủy', tail: '' }],
    ['17/07/2015', '18/07/2015', { head: '1', diff: '8', tail: '/07/2015' }],
    ['Phạm Thu Hà', 'Phạm Thu Hằng', { head: 'Phạm Thu H', diff: 'ằng', tail: '' }],
    ['', 'Nam', { head: '', diff: 'Nam', tail: '' }],
    ['Nam', 'Nam', { head: 'Nam', diff: '', tail: '' }],
  ])('%s → %s', (a, b, want) => expect(differingPart(a, b)).toEqual(want));
});

describe('describeBulk', () => {
  it('says what a bulk action will do and what it leaves alone, reason by reason', async () => {
    const { describeBulk } = await import('./api');
    expect(describeBulk('đánh dấu chờ giấy tờ', 12, [{ code: 'not_allowed' }, { code: 'not_allowed' }, { code: 'already_awaiting_evidence' }])).toBe(
      'Sẽ đánh dấu chờ giấy tờ 12 hồ sơ · bỏ qua 2 đã xác thực hoặc đang xác thực · bỏ qua 1 đã ở trạng thái chờ giấy tờ',
    );
    expect(describeBulk('nhận giá trị CSDLQG cho', 3, [])).toBe('Sẽ nhận giá trị CSDLQG cho 3 hồ sơ');
    expect(describeBulk('bỏ chờ giấy tờ', 0, [{ code: 'something_new' }])).toBe('Sẽ bỏ chờ giấy tờ 0 hồ sơ · bỏ qua 1 something_new');
  });
});
