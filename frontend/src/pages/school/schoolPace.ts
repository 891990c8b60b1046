// The school's own deadline and pace, in the clerk's words, from its progress figures: the
// campaign's deadline, the days left (counted from the figures' own day, the server's Vietnam
// date), the verified share, and where the pace leads.
import type { components } from '../../api/schema';
import { formatDate, formatShare } from '../../text/format';

type Progress = Pick<components['schemas']['Progress'], 'asOf' | 'campaign' | 'projection' | 'counters'>;

export interface SchoolPace {
  /** "Hạn chót 31/12/2026 · còn 26 ngày", or that no deadline is set. */
  deadline: string;
  /** "Đã xác thực 41,2% (226/548)". */
  verified: string;
  /** Where the pace leads, in one sentence. */
  outlook: string;
  tone: 'success' | 'info' | 'warning' | 'error';
}

/** Whole days from `from` to `to` (ISO dates), negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

export function schoolPace(p: Progress): SchoolPace {
  const { verified, total } = p.counters;
  const share = total > 0 ? verified / total : 0;
  const verifiedText = `Đã xác thực ${formatShare(share)} (${verified}/${total})`;
  const deadline = p.campaign?.deadline ?? p.projection?.deadline ?? null;
  const left = deadline ? daysBetween(p.asOf, deadline) : undefined;
  const deadlineText = !deadline
    ? 'Chưa có hạn chót'
    : left! > 0
      ? `Hạn chót ${formatDate(deadline)} · còn ${left} ngày`
      : left === 0
        ? `Hạn chót ${formatDate(deadline)} · hôm nay`
        : `Hạn chót ${formatDate(deadline)} · đã quá ${-left!} ngày`;
  const pace = (outlook: string, tone: SchoolPace['tone']): SchoolPace => ({ deadline: deadlineText, verified: verifiedText, outlook, tone });

  if (total === 0) return pace('Trường chưa có hồ sơ học sinh nào trong năm học này.', 'info');
  if (verified === total) return pace('Mọi hồ sơ đã xác thực.', 'success');
  const projection = p.projection;
  const finish = projection?.projectedCompletion ?? null;
  switch (projection?.status) {
    case 'complete':
      return pace('Đã đạt mục tiêu xác thực.', 'success');
    case 'on_track':
      return pace(finish ? `Với tốc độ hiện nay, trường dự kiến xong ngày ${formatDate(finish)}, kịp hạn.` : 'Với tốc độ hiện nay, trường kịp hạn.', 'success');
    case 'projected_to_miss':
      return finish
        ? pace(`Với tốc độ hiện nay, trường dự kiến xong ngày ${formatDate(finish)}, sau hạn chót: cần gửi xác thực nhanh hơn.`, 'error')
        : pace('Trường có nguy cơ trễ hạn: cần gửi xác thực nhanh hơn.', 'error');
    case 'stalled':
      return pace(
        left !== undefined && left < 0
          ? 'Đã quá hạn chót và số hồ sơ xác thực không tăng: cần gửi xác thực các lớp còn lại.'
          : 'Số hồ sơ xác thực không tăng trong những ngày gần đây: cần gửi xác thực các lớp còn lại.',
        'warning',
      );
    default:
      return pace('Chưa đủ số ngày có số liệu để dự kiến ngày xong.', 'info');
  }
}
