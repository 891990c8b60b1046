// Vietnamese labels for the API's enumerations. Keys are the API's stable values.
import type {
  AuditSource,
  FindingField,
  PersonKind,
  Position,
  Role,
  SchoolLevel,
  Severity,
  UnitKind,
  VerificationStatus,
} from '../api/types';

export const ROLE_LABELS: Record<Role, string> = {
  school: 'Nhà trường',
  school_admin: 'Quản trị nhà trường',
  district: 'Phòng GDĐT',
  district_admin: 'Quản trị Phòng GDĐT',
  department: 'Sở GDĐT',
  department_admin: 'Quản trị Sở GDĐT',
};

export const UNIT_KIND_LABELS: Record<UnitKind, string> = {
  department: 'Sở GDĐT',
  district: 'Phòng GDĐT',
  school: 'Trường',
};

export const SCHOOL_LEVEL_LABELS: Record<SchoolLevel, string> = {
  mam_non: 'Mầm non',
  tieu_hoc: 'Tiểu học',
  thcs: 'THCS',
  thpt: 'THPT',
  lien_cap: 'Liên cấp',
  gdnn_gdtx: 'GDNN-GDTX',
};

export const POSITION_LABELS: Record<Position, string> = {
  manager: 'Cán bộ quản lý',
  teacher: 'Giáo viên',
  employee: 'Nhân viên',
};

export const PERSON_KIND_LABELS: Record<PersonKind, string> = {
  student: 'Học sinh',
  staff: 'Cán bộ',
};

export const FIELD_LABELS: Record<FindingField, string> = {
  fullName: 'Họ và tên',
  dateOfBirth: 'Ngày sinh',
  gender: 'Giới tính',
  personalId: 'Số định danh cá nhân',
  residence: 'Nơi thường trú',
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  error: 'Lỗi',
  warning: 'Cần kiểm tra',
  fixed: 'Đã tự sửa',
};

export const STATUS_LABELS: Record<VerificationStatus, string> = {
  not_sent: 'Chưa gửi',
  queued: 'Đang xác thực',
  verified: 'Đã xác thực',
  mismatched: 'Sai lệch CSDLQG',
  not_found: 'Không có trong CSDLQG',
  awaiting_evidence: 'Chờ giấy tờ',
  error: 'Lỗi khi xác thực',
};

/** antd Tag colours per verification status. */
export const STATUS_COLORS: Record<VerificationStatus, string> = {
  not_sent: 'default',
  queued: 'processing',
  verified: 'success',
  mismatched: 'error',
  not_found: 'magenta',
  awaiting_evidence: 'gold',
  error: 'volcano',
};

export const HISTORY_ACTION_LABELS: Record<string, string> = {
  create: 'Tạo hồ sơ',
  update: 'Sửa',
  delete: 'Xoá khỏi danh sách',
  view_personal_id: 'Xem số định danh đầy đủ',
  force: 'Ghi dù làm phát sinh lỗi (đã xác nhận)',
  confirm_verified_change: 'Sửa hồ sơ đã xác thực (đã xác nhận)',
  export: 'Xuất ra tệp',
  transfer: 'Chuyển trường',
};

export const HISTORY_SOURCE_LABELS: Record<AuditSource, string> = {
  manual: 'Nhập tay',
  import: 'Nhập từ Excel',
  registry: 'Theo CSDLQG về dân cư',
  auto_fix: 'Sửa tự động',
  seed: 'Dữ liệu mẫu',
};

/** Labels of record fields as they appear in audit entries and patches. */
export const RECORD_FIELD_LABELS: Record<string, string> = {
  ...FIELD_LABELS,
  sectorCode: 'Mã định danh ngành',
  classId: 'Lớp',
  position: 'Chức vụ',
  residenceText: 'Địa chỉ (một dòng)',
  residenceProvince: 'Tỉnh/thành phố thường trú',
  residenceDistrict: 'Quận/huyện thường trú',
  residenceCommune: 'Xã/phường thường trú',
  status: 'Trạng thái xác thực',
};
