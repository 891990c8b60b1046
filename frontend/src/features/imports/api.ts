import { download, rawRequest } from '../../api/client';
import type { ImportPreview, ImportRowAction } from './contract';

/** Uploads a filled template (multipart `file`) and returns the preview; nothing is written yet. */
export function uploadImport(
  file: File,
  scope: { classId?: number; schoolId?: number; population?: 'student' | 'staff' },
): Promise<ImportPreview> {
  const body = new FormData();
  body.append('file', file, file.name);
  return rawRequest<ImportPreview>('POST', '/api/v1/imports', { query: scope, body });
}

export const getImport = (id: string, rows: { page?: number; pageSize?: number; action?: ImportRowAction } = {}) =>
  rawRequest<ImportPreview>('GET', `/api/v1/imports/${id}`, { query: rows });
export const commitImport = (id: string) => rawRequest<ImportPreview>('POST', `/api/v1/imports/${id}/commit`);
export const undoImport = (id: string) => rawRequest<ImportPreview>('POST', `/api/v1/imports/${id}/undo`);
export const discardImport = (id: string) => rawRequest<void>('DELETE', `/api/v1/imports/${id}`);
export const downloadImportReport = (id: string) =>
  download(`/api/v1/imports/${id}/report.xlsx`, undefined, `loi-nhap-du-lieu-${id}.xlsx`);
