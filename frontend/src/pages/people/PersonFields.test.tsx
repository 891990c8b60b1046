import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../api/types';
import { FieldFindings } from './PersonFields';

const whitespace: Finding = {
  field: 'fullName',
  code: 'name_whitespace',
  severity: 'fixed',
  message: 'Đã bỏ khoảng trắng thừa trong họ tên.',
  params: {},
  fix: { from: '  nguyễn  văn AN', to: 'nguyễn văn AN' },
};
const nameCase: Finding = { ...whitespace, code: 'name_case', message: 'Đã viết hoa chữ cái đầu mỗi tiếng trong họ tên.', fix: { from: 'nguyễn văn AN', to: 'Nguyễn Văn An' } };

describe('FieldFindings', () => {
  it('lists each finding in Vietnamese and the value the repair writes, once, to take into the form', () => {
    const onUse = vi.fn();
    render(<FieldFindings field="fullName" entered="  nguyễn  văn AN" outcome={{ findings: [whitespace, nameCase], normalized: { fullName: 'Nguyễn Văn An' } }} onUse={onUse} />);
    expect(screen.getByText(/Đã bỏ khoảng trắng thừa/)).toBeTruthy();
    expect(screen.getByText(/Đã viết hoa chữ cái đầu/)).toBeTruthy();
    const suggestion = screen.getByTestId('suggestion-fullName');
    expect(suggestion.textContent).toContain('Sẽ sửa thành “Nguyễn Văn An”');
    fireEvent.click(screen.getByRole('button', { name: 'Dùng giá trị này' }));
    expect(onUse).toHaveBeenCalledWith('Nguyễn Văn An');
  });

  it('offers no button when the form cannot be edited', () => {
    render(<FieldFindings field="fullName" entered="  nguyễn  văn AN" outcome={{ findings: [whitespace], normalized: { fullName: 'Nguyễn Văn An' } }} />);
    expect(screen.getByTestId('suggestion-fullName')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows how a value without findings is read when it differs, and nothing when it does not', () => {
    const { container } = render(<FieldFindings field="dateOfBirth" entered="14/12/2015" outcome={{ findings: [], normalized: { dateOfBirth: '2015-12-14' } }} />);
    expect(container.textContent).toBe('');
    render(<FieldFindings field="dateOfBirth" entered="14.12.2015" outcome={{ findings: [], normalized: { dateOfBirth: '2015-12-14' } }} />);
    expect(screen.getByTestId('normalized-dateOfBirth').textContent).toContain('Hệ thống đọc là: 14/12/2015');
  });

  it('gives an error its message and no repair', () => {
    const impossible: Finding = { field: 'dateOfBirth', code: 'dob_impossible', severity: 'error', message: 'Ngày sinh “31/02/2015” không tồn tại.', params: {} };
    render(<FieldFindings field="dateOfBirth" entered="31/02/2015" outcome={{ findings: [impossible], normalized: {} }} onUse={vi.fn()} />);
    expect(screen.getByText(/không tồn tại/).closest('[data-severity]')?.getAttribute('data-severity')).toBe('error');
    expect(screen.queryByTestId('suggestion-dateOfBirth')).toBeNull();
  });
});
