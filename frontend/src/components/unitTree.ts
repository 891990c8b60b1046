import type { UnitView } from '../api/types';

export interface UnitNode {
  unit: UnitView;
  children: UnitNode[];
}

/** The flat, tree-ordered unit list of `/units` as a tree (roots: units whose parent is not listed). */
export function buildUnitTree(units: readonly UnitView[]): UnitNode[] {
  const nodes = new Map<number, UnitNode>(units.map((u) => [u.id, { unit: u, children: [] }]));
  const roots: UnitNode[] = [];
  for (const u of units) {
    const node = nodes.get(u.id);
    if (!node) continue;
    const parent = u.parentId != null ? nodes.get(u.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The chain from the root to `id` (inclusive), for breadcrumbs. */
export function unitPath(units: readonly UnitView[], id: number): UnitView[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out: UnitView[] = [];
  for (let u = byId.get(id); u; u = u.parentId != null ? byId.get(u.parentId) : undefined) out.unshift(u);
  return out;
}
