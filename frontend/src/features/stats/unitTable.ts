// The supervisors' per-unit table, as pure data: one row per child unit, sortable and filterable.
import { fold } from '../../text/findings';
import type { ProgressChild } from './contract';
import { shortUnitName } from './unitNames';

export interface UnitRow {
  key: number;
  child: ProgressChild;
  name: string;
  shortName: string;
  total: number;
  withId: number;
  verified: number;
  errors: number;
  du: number;
  dung: number;
  sach: number;
  song: number;
  /** ISO date, or null when no finish can be projected (stalled, no data, already complete). */
  finish: string | null;
  status: string | null;
  atRisk: boolean;
}

const share = (n: number, total: number) => (total > 0 ? n / total : 0);

export function unitRows(children: ProgressChild[]): UnitRow[] {
  return children.map((child) => {
    const c = child.counters;
    return {
      key: child.unit.id,
      child,
      name: child.unit.name,
      shortName: shortUnitName(child.unit.name),
      total: c.total,
      withId: share(c.withPersonalId, c.total),
      verified: share(c.verified, c.total),
      errors: c.total - c.noErrors,
      du: c.shares.du,
      dung: c.shares.dung,
      sach: c.shares.sach,
      song: c.shares.song,
      finish: child.projection?.projectedCompletion ?? null,
      status: child.projection?.status ?? null,
      atRisk: child.projection?.projectedToMiss ?? false,
    };
  });
}

/** Rows whose name (with or without diacritics) contains the text. */
export function filterRows(rows: UnitRow[], text: string): UnitRow[] {
  const want = fold(text.trim());
  return want ? rows.filter((r) => fold(r.name).includes(want)) : rows;
}

/**
 * Projected finish, earliest first; a unit without a projection (stalled, no data) sorts after
 * every date, as the latest finish of all — it is the one to chase. Complete units sort first.
 */
export function compareFinish(a: UnitRow, b: UnitRow): number {
  const rank = (r: UnitRow) => (r.status === 'complete' ? 0 : r.finish ? 1 : 2);
  return rank(a) - rank(b) || (a.finish ?? '').localeCompare(b.finish ?? '');
}

/** "Nguy cơ trễ hạn" in the words of the Excel report: without enough days of data, "Chưa rõ". */
export function riskLabel(r: Pick<UnitRow, 'atRisk' | 'status'>): 'Có' | 'Không' | 'Chưa rõ' {
  if (r.atRisk) return 'Có';
  return r.status === 'insufficient_data' || r.status === null ? 'Chưa rõ' : 'Không';
}
