// The commit body from the clerk's decisions in the preview: values written anyway although they
// bring an error (`force`), and conflicts where the file's value is taken (`take: "file"`).
import type { CommitOptions } from './api';
import type { Choice } from './ImportPreviewTable';

export function commitOptions(confirmVerifiedChanges: boolean, forced: Map<string, Choice>, taken: Map<string, Choice>): CommitOptions {
  const keys = [...new Set([...forced.keys(), ...taken.keys()])];
  return {
    confirmVerifiedChanges,
    choices: keys.map((key) => {
      const c = (forced.get(key) ?? taken.get(key)) as Choice;
      return { sheet: c.sheet, row: c.row, field: c.field, force: forced.has(key), ...(taken.has(key) ? { take: 'file' as const } : {}) };
    }),
  };
}
