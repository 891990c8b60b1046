import { rawRequest } from '../../api/client';
import type { FixRun, FixScope } from './contract';

export const applyFixes = (scope: FixScope) => rawRequest<FixRun>('POST', '/api/v1/fixes', { json: scope });
export const undoFixes = (id: number) => rawRequest<FixRun>('POST', `/api/v1/fixes/${id}/undo`);
