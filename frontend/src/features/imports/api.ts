import { download, rawRequest } from '../../api/client';
import type { ImportPreview } from './contract';

/** Uploads a filled template (multipart `file`) and returns the preview; nothing is written yet. */
export function uploadImport(file: File, scope: { classId?: number; schoolId?: number }): Promise<ImportPreview> {
  const body = new FormData();
  body.append('file', file, file.name);
  return rawRequest<ImportPreview>('POST', '/api/v1/imports', { query: scope, body });
}

export const getImport = (id: number) => rawRequest<ImportPreview>('GET', `/api/v1/imports/${id}`);
export const commitImport = (id: number) => rawRequest<ImportPreview>('POST', `/api/v1/imports/${id}/commit`);
export const discardImport = (id: number) => rawRequest<void>('DELETE', `/api/v1/imports/${id}`);
export const downloadImportReport = (id: number) =>
  download(`/api/v1/imports/${id}/report.xlsx`, undefined, `loi-nhap-du-lieu-${id}.xlsx`);
