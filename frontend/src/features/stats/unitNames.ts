// Unit names short enough for a chart axis or a narrow column: "Phòng Giáo dục và Đào tạo quận
// Ngô Quyền" → "Ngô Quyền", "Trường Trung học cơ sở Lê Lợi" → "THCS Lê Lợi". The full name stays
// in tooltips and tables.

const OFFICE = /^Phòng\s+(Giáo\s+dục\s+(và|&)\s+Đào\s+tạo|GD\s*(&|và)?\s*ĐT|GDĐT)\s+/iu;
const AREA_TYPE = /^(quận|huyện|thị\s+xã|thành\s+phố|tp\.?)\s+/iu;

const SCHOOL_TYPES: [RegExp, string][] = [
  [/^Trường\s+Tiểu\s+học\s+(và|&)\s+(THCS|Trung\s+học\s+cơ\s+sở)\s+/iu, 'TH&THCS '],
  [/^Trường\s+(THCS|Trung\s+học\s+cơ\s+sở)\s+(và|&)\s+(THPT|Trung\s+học\s+phổ\s+thông)\s+/iu, 'THCS&THPT '],
  [/^Trường\s+(Trung\s+học\s+cơ\s+sở|THCS)\s+/iu, 'THCS '],
  [/^Trường\s+(Trung\s+học\s+phổ\s+thông|THPT)\s+/iu, 'THPT '],
  [/^Trường\s+(Tiểu\s+học|TH)\s+/iu, 'TH '],
  [/^Trường\s+(Mầm\s+non|MN)\s+/iu, 'MN '],
  [/^Trường\s+(Mẫu\s+giáo|MG)\s+/iu, 'MG '],
  [/^Trung\s+tâm\s+(Giáo\s+dục\s+nghề\s+nghiệp\s*-\s*Giáo\s+dục\s+thường\s+xuyên|GDNN\s*-\s*GDTX)\s+/iu, 'TT GDNN-GDTX '],
  [/^Trường\s+/iu, ''],
];

export function shortUnitName(name: string): string {
  const n = name.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (OFFICE.test(n)) return n.replace(OFFICE, '').replace(AREA_TYPE, '');
  for (const [re, short] of SCHOOL_TYPES) if (re.test(n)) return n.replace(re, short);
  return n;
}
