// A field's status from a record's findings: the worst severity wins (error > warning > fixed),
// no finding means the field passed the rules.
import type { Finding, FindingField } from '../api/types';

export type FieldLevel = 'ok' | 'error' | 'warning' | 'fixed';

export interface FieldStatus {
  level: FieldLevel;
  /** The findings about the field, worst first. */
  findings: Finding[];
}

const RANK: Record<Finding['severity'], number> = { error: 0, warning: 1, fixed: 2 };

export function fieldStatus(findings: readonly Finding[], field: FindingField): FieldStatus {
  const mine = findings.filter((f) => f.field === field).sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const first = mine[0];
  return { level: first ? first.severity : 'ok', findings: mine };
}

/** Findings grouped by field, for summaries. */
export function findingsByField(findings: readonly Finding[]): Map<FindingField, Finding[]> {
  const out = new Map<FindingField, Finding[]>();
  for (const f of findings) out.set(f.field, [...(out.get(f.field) ?? []), f]);
  return out;
}
