// PROVISIONAL contract of the Excel import (issue 4): `POST /api/v1/imports` returns this
// preview; `POST /api/v1/imports/{id}/commit` applies it; `GET /api/v1/imports/{id}/report.xlsx`
// is the error workbook. Written from the text; replace with the generated types once
// the endpoints are in openapi/openapi.json.
import type { Finding } from '../../api/types';

export type ImportRowAction = 'unchanged' | 'update' | 'create' | 'rejected';

export type ImportStatus = 'running' | 'previewed' | 'committed' | 'discarded' | 'failed';

/** One field of an `update`: the stored value and the file's. */
export interface ImportFieldChange {
  field: string;
  old: string | null;
  new: string | null;
}

export interface ImportRejection {
  /** The column header as in the file, when the reason is about one cell. */
  column?: string | null;
  reason: string;
}

export interface ImportPreviewRow {
  /** The row number in the sheet, as Excel shows it. */
  row: number;
  sheet?: string | null;
  action: ImportRowAction;
  recordId?: number | null;
  fullName?: string | null;
  changes: ImportFieldChange[];
  rejections?: ImportRejection[];
  /** What the rules say about the new values. */
  findings: Finding[];
}

export interface ImportTotals {
  rows: number;
  unchanged: number;
  update: number;
  create: number;
  rejected: number;
}

export interface ImportPreview {
  id: number;
  status: ImportStatus;
  fileName: string;
  totals: ImportTotals;
  rows: ImportPreviewRow[];
  /** Progress of a large import running as a job. */
  rowsRead?: number;
  rowsTotal?: number;
  createdAt?: string;
}
