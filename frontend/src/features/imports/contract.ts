// The Excel import's types (issue 4), as generated from openapi/openapi.json.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

/** An import: status and progress, totals, how each sheet was read, and a page of rows. */
export type ImportPreview = Schemas['Import'];
export type ImportPreviewRow = Schemas['ImportRow'];
export type ImportRowAction = Schemas['RowAction'];
/** `processing` (a background job reading or committing), `ready` (previewed), `committed`, `undone`, `failed`, `expired` (the last two with their `error`). */
export type ImportStatus = Schemas['ImportStatus'];

export const importStatus = (i: ImportPreview): ImportStatus => i.status;
