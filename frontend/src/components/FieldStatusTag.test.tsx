import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../api/types';
import { FieldStatusTag } from './FieldStatusTag';
import { fieldStatus } from './fieldStatus';

const finding = (f: Partial<Finding> & Pick<Finding, 'field' | 'code' | 'severity'>): Finding => ({ message: '', params: {}, ...f });

const findings: Finding[] = [
  finding({ field: 'personalId', code: 'id_separators_removed', severity: 'fixed', message: 'Đã bỏ dấu cách trong số định danh.' }),
  finding({ field: 'personalId', code: 'id_legacy_cmnd', severity: 'error', message: 'Đây là số CMND 9 số; cần số định danh 12 số.' }),
  finding({ field: 'dateOfBirth', code: 'dob_ambiguous', severity: 'warning', message: 'Ngày 05/04 có thể là 04/05.' }),
  finding({ field: 'fullName', code: 'name_case', severity: 'fixed', message: 'Đã viết hoa chữ cái đầu.' }),
];

describe('fieldStatus', () => {
  it('takes the worst severity of the field, worst finding first', () => {
    const s = fieldStatus(findings, 'personalId');
    expect(s.level).toBe('error');
    expect(s.findings.map((f) => f.code)).toEqual(['id_legacy_cmnd', 'id_separators_removed']);
    expect(fieldStatus(findings, 'dateOfBirth').level).toBe('warning');
    expect(fieldStatus(findings, 'fullName').level).toBe('fixed');
    expect(fieldStatus(findings, 'gender')).toEqual({ level: 'ok', findings: [] });
  });
});

describe('FieldStatusTag', () => {
  it('shows the level in Vietnamese and the findings as a tooltip', async () => {
    render(<FieldStatusTag field="personalId" findings={findings} />);
    const tag = screen.getByLabelText('Số định danh cá nhân: Lỗi');
    expect(tag.dataset.level).toBe('error');
    expect(tag.textContent).toContain('Lỗi');
    fireEvent.mouseEnter(tag);
    expect(await screen.findByText('Đây là số CMND 9 số; cần số định danh 12 số.')).toBeTruthy();
    expect(screen.getByText('Đã bỏ dấu cách trong số định danh.')).toBeTruthy();
  });

  it('names warnings and automatic fixes differently from errors', () => {
    render(
      <>
        <FieldStatusTag field="dateOfBirth" findings={findings} />
        <FieldStatusTag field="fullName" findings={findings} />
      </>,
    );
    expect(screen.getByLabelText('Ngày sinh: Kiểm tra').dataset.level).toBe('warning');
    expect(screen.getByLabelText('Họ và tên: Đã sửa').dataset.level).toBe('fixed');
  });

  it('says a clean field passed, or nothing when asked to hide it', () => {
    const { container } = render(<FieldStatusTag field="gender" findings={findings} hideOk />);
    expect(container.textContent).toBe('');
    render(<FieldStatusTag field="gender" findings={findings} />);
    expect(screen.getByLabelText('Giới tính: Đạt').dataset.level).toBe('ok');
  });
});
