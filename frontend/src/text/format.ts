// Dates and numbers the Vietnamese way: 05/03/2015, 14:30 05/03/2015, 1.234.
import dayjs from 'dayjs';
import 'dayjs/locale/vi';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(customParseFormat);
dayjs.extend(relativeTime);
dayjs.locale('vi');

export const DATE_FORMAT = 'DD/MM/YYYY';

/** An ISO date (`2015-03-05`) as `05/03/2015`; anything else is returned as it is. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = dayjs(iso, 'YYYY-MM-DD', true);
  return d.isValid() ? d.format(DATE_FORMAT) : iso;
}

/** A timestamp as `14:30 05/03/2015` in local time. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = dayjs(iso);
  return d.isValid() ? d.format(`HH:mm ${DATE_FORMAT}`) : iso;
}

export function fromNow(iso: string): string {
  return dayjs(iso).fromNow();
}

const numberFormat = new Intl.NumberFormat('vi-VN');
export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

const percentFormat = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
/** A 0–1 share as `87,5 %`. */
export function formatShare(share: number): string {
  return percentFormat.format(share);
}
