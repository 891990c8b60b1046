// A minimal ECharts host: one chart instance per element, options replaced on change, resized
// with its container, disposed on unmount. Written here rather than taken from a wrapper package
// because the wrappers ship CommonJS whose default export breaks in the production bundle.
import { useEffect, useRef, type CSSProperties } from 'react';
import { echarts } from './echarts';

type Handler = (params: { dataIndex: number }) => void;

export function EChart({ option, style, onClick }: { option: Record<string, unknown>; style?: CSSProperties; onClick?: Handler }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const click = useRef<Handler | undefined>(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const instance = echarts.init(el);
    chart.current = instance;
    instance.on('click', (params) => click.current?.(params as { dataIndex: number }));
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => instance.resize());
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={host} style={style} data-testid="echart" />;
}
