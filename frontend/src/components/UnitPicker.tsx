import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useUnits } from '../api/queries';
import { buildUnitTree, type UnitNode } from './unitTree';

interface Option {
  value: number;
  title: string;
  children: Option[];
}

const toOption = (n: UnitNode): Option => ({ value: n.unit.id, title: n.unit.name, children: n.children.map(toOption) });

/** A unit of the caller's subtree, searchable by name. */
export function UnitPicker({ value, onChange }: { value?: number; onChange: (id: number | undefined) => void }) {
  const units = useUnits();
  const tree = useMemo(() => buildUnitTree(units.data?.items ?? []).map(toOption), [units.data]);
  return (
    <TreeSelect<number>
      allowClear
      showSearch
      treeNodeFilterProp="title"
      placeholder="Tất cả đơn vị"
      loading={units.isPending}
      value={value}
      onChange={(v) => onChange(v ?? undefined)}
      treeData={tree}
      treeDefaultExpandAll={(units.data?.items.length ?? 0) < 40}
      style={{ width: 320 }}
      aria-label="Lọc theo đơn vị"
    />
  );
}
