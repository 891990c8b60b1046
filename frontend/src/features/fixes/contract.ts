// PROVISIONAL contract of `POST /api/v1/fixes` and `POST /api/v1/fixes/{id}/undo` (issue 3).
// Replace with the generated types once they are in openapi/openapi.json.

export interface FixScope {
  schoolId?: number;
  classId?: number;
  personIds?: number[];
  population?: 'students' | 'staff';
}

export interface FixRun {
  id: number;
  /** Records changed and fields repaired. */
  records: number;
  changes: number;
  undone?: boolean;
}
