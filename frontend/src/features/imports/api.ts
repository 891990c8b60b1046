import { api, download, rawRequest, unwrap } from '../../api/client';
import type { ImportPreview, ImportRowAction } from './contract';

const path = (id: string) => ({ params: { path: { id } } });

/**
 * Uploads a filled template (multipart `file`) and returns the preview; nothing is written yet.
 * Sent raw: the generated client would serialise the FormData body as JSON.
 */
export function uploadImport(
  file: File,
  scope: { classId?: number; schoolId?: number; population?: 'student' | 'staff' },
): Promise<ImportPreview> {
  const body = new FormData();
  body.append('file', file, file.name);
  return rawRequest<ImportPreview>('POST', '/api/v1/imports', { query: scope, body });
}

export const listImports = () => unwrap(api.GET('/api/v1/imports'));
export const getImport = (id: string, rows: { page?: number; pageSize?: number; action?: ImportRowAction } = {}) =>
  unwrap(api.GET('/api/v1/imports/{id}', { params: { path: { id }, query: rows } }));
export type CommitOptions = {
  confirmVerifiedChanges: boolean;
  choices: { row: number; sheet?: string | null; field: string; force: boolean; take?: 'file' | 'current' }[];
};
export const commitImport = (id: string, options?: CommitOptions) =>
  unwrap(api.POST('/api/v1/imports/{id}/commit', { ...path(id), body: options }));
export const undoImport = (id: string) => unwrap(api.POST('/api/v1/imports/{id}/undo', path(id)));
export const discardImport = (id: string) => unwrap(api.DELETE('/api/v1/imports/{id}', path(id)));
export const downloadImportReport = (id: string) =>
  download(`/api/v1/imports/${id}/report.xlsx`, undefined, `loi-nhap-du-lieu-${id}.xlsx`);
