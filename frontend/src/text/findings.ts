// Short Vietnamese names of the rules' finding codes, for filters, tags and summaries. The
// server's `message` on each finding is the full sentence for one record; these are the names
// of the codes themselves. A test checks that every code of the API has one.
import type { FindingCode, FindingField } from '../api/types';
import { FIELD_LABELS } from './labels';

export const FINDING_LABELS: Partial<Record<FindingCode, string>> & Record<string, string> = {
  name_missing: 'Thiếu họ tên',
  name_invalid_chars: 'Họ tên có ký tự lạ',
  name_single_word: 'Họ tên chỉ có một chữ',
  name_legacy_encoding: 'Họ tên gõ bằng phông cũ (đã chuyển)',
  name_not_nfc: 'Họ tên sai chuẩn Unicode (đã sửa)',
  name_whitespace: 'Họ tên thừa dấu cách (đã sửa)',
  name_case: 'Họ tên sai chữ hoa/thường (đã sửa)',
  name_lookalike_chars: 'Họ tên có chữ giống nhau (đã sửa)',
  dob_missing: 'Thiếu ngày sinh',
  dob_unparseable: 'Ngày sinh không đọc được',
  dob_impossible: 'Ngày sinh không tồn tại',
  dob_excel_serial: 'Ngày sinh dạng số Excel (đã chuyển)',
  dob_ambiguous: 'Ngày sinh có thể nhầm ngày/tháng',
  dob_implausible_for_grade: 'Tuổi không hợp với khối lớp',
  dob_two_digit_year: 'Năm sinh viết 2 chữ số (đã đổi)',
  dob_incomplete: 'Ngày sinh thiếu ngày hoặc tháng',
  gender_missing: 'Thiếu giới tính',
  gender_unrecognized: 'Giới tính không nhận ra',
  gender_normalized: 'Giới tính viết lại (đã sửa)',
  id_missing: 'Thiếu số định danh',
  id_legacy_cmnd: 'Số CMND 9 số (cần số định danh 12 số)',
  id_bad_length: 'Số định danh sai độ dài',
  id_non_digit: 'Số định danh có ký tự không phải số',
  id_separators_removed: 'Số định danh có dấu cách/chấm (đã bỏ)',
  id_leading_zeros_restored: 'Số định danh mất số 0 đầu (đã thêm lại)',
  id_scientific_notation: 'Số định danh bị Excel đổi sang dạng 3,1E+11',
  id_prefix_unknown: 'Mã tỉnh đầu số định danh lạ',
  id_sex_mismatch: 'Số định danh không khớp giới tính',
  id_century_mismatch: 'Số định danh không khớp thế kỷ sinh',
  id_birth_year_mismatch: 'Số định danh không khớp năm sinh',
  id_duplicate: 'Số định danh trùng với hồ sơ khác',
  address_missing: 'Thiếu nơi thường trú',
  address_province_unknown: 'Không nhận ra tỉnh/thành phố',
  address_district_unknown: 'Không nhận ra quận/huyện',
  address_commune_unknown: 'Không nhận ra xã/phường',
  address_hierarchy_mismatch: 'Xã không thuộc huyện/tỉnh đã ghi',
  address_outdated_unit: 'Đơn vị hành chính cũ (trước 2025)',
  address_split_unit: 'Xã cũ đã bị chia, cần chọn xã mới',
  address_ambiguous: 'Địa chỉ khớp nhiều đơn vị, cần ghi rõ',
  address_incomplete: 'Địa chỉ thiếu xã/phường',
  address_unit_inferred: 'Đã điền tỉnh/huyện theo xã (đã sửa)',
  address_historical_unit: 'Đơn vị thời kỳ trước, đã chuyển sang đơn vị tương ứng (đã sửa)',
};

export function findingLabel(code: string): string {
  return FINDING_LABELS[code] ?? code;
}

/** The field a code is about, from its prefix (`name_`, `dob_`, `gender_`, `id_`, `address_`). */
const FIELD_OF_PREFIX: Record<string, FindingField> = {
  name: 'fullName',
  dob: 'dateOfBirth',
  gender: 'gender',
  id: 'personalId',
  address: 'residence',
};

export function findingField(code: string): FindingField | undefined {
  return FIELD_OF_PREFIX[code.slice(0, code.indexOf('_'))];
}

/** Lower case without diacritics (đ → d), for searching Vietnamese labels as people type them. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

/** The finding-code filter's options, grouped by field in form order, labels sorted within. */
export function findingOptions(codes: readonly string[] = Object.keys(FINDING_LABELS)) {
  const fields = Object.keys(FIELD_LABELS) as FindingField[];
  return fields
    .map((field) => ({
      label: FIELD_LABELS[field],
      title: FIELD_LABELS[field],
      options: codes
        .filter((code) => findingField(code) === field)
        .map((code) => ({ value: code, label: findingLabel(code) }))
        .sort((a, b) => a.label.localeCompare(b.label, 'vi')),
    }))
    .filter((group) => group.options.length > 0);
}
