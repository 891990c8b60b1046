// The dashboard's charts; loaded lazily so ECharts stays out of the first page load.
import { useMemo } from 'react';
import { formatDate, formatShare } from '../../text/format';
import type { ProgressChild, Timeline } from './contract';
import { EChart } from './EChart';
import { shortUnitName } from './unitNames';

export const SHARE_NAMES = { du: 'Đủ', dung: 'Đúng', sach: 'Sạch', song: 'Sống' } as const;
const SHARE_COLORS = ['#1677ff', '#52c41a', '#13c2c2', '#722ed1'];

/** One group of four bars (đủ/đúng/sạch/sống) per child unit. */
export default function SharesChart({ items, onPick }: { items: ProgressChild[]; onPick?: (child: ProgressChild) => void }) {
  const option = useMemo(() => sharesOption(items), [items]);
  return (
    <EChart
      option={option}
      style={{ height: 320 }}
      onClick={(e) => { const child = items[e.dataIndex]; if (child) onPick?.(child); }}
    />
  );
}

function sharesOption(items: ProgressChild[]) {
  const keys = Object.keys(SHARE_NAMES) as (keyof typeof SHARE_NAMES)[];
  return {
    color: SHARE_COLORS,
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatShare(v) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: items.map((c) => shortUnitName(c.unit.name)), axisLabel: { interval: 0, rotate: items.length > 8 ? 30 : 0, width: 120, overflow: 'truncate' } },
    yAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => formatShare(v) } },
    series: keys.map((k) => ({ name: SHARE_NAMES[k], type: 'bar', data: items.map((c) => c.counters.shares[k]) })),
  };
}

/** Records with an ID number and verified, day by day, with the deadline and the projected finish. */
export function TimelineChart({ timeline }: { timeline: Timeline }) {
  const option = useMemo(() => timelineOption(timeline), [timeline]);
  return <EChart option={option} style={{ height: 300 }} />;
}

function timelineOption(timeline: Timeline) {
  const dates = timeline.points.map((p) => formatDate(p.date));
  const marks = [
    timeline.deadline && { name: 'Hạn chót', xAxis: formatDate(timeline.deadline), lineStyle: { color: '#ff4d4f' } },
    timeline.projectedFinish && { name: 'Dự kiến xong', xAxis: formatDate(timeline.projectedFinish), lineStyle: { color: '#faad14' } },
  ].filter(Boolean);
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value' },
    series: [
      { name: 'Tổng số hồ sơ', type: 'line', data: timeline.points.map((p) => p.total), showSymbol: false, lineStyle: { type: 'dashed' } },
      { name: 'Có số định danh', type: 'line', data: timeline.points.map((p) => p.withPersonalId), showSymbol: false },
      {
        name: 'Đã xác thực',
        type: 'line',
        data: timeline.points.map((p) => p.verified),
        showSymbol: false,
        markLine: { symbol: 'none', label: { formatter: '{b}' }, data: marks },
      },
    ],
  };
  return option;
}
