// Our value beside the registry's: what differs, and whether it is only a tone mark or the case.

/** Vietnamese tone marks (sắc, huyền, hỏi, ngã, nặng) as combining characters after NFD. */
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

const withoutTones = (s: string) => s.normalize('NFD').replace(TONE_MARKS, '').normalize('NFC');
const squash = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ');

/**
 * How two values differ: `same`; `tone` when only a tone mark or its place differs
 * (Thuỷ / Thủy, Hòa / Hoà); `case` when only upper/lower case differs; else `different`.
 */
export function difference(ours: string | null | undefined, theirs: string | null | undefined): 'same' | 'tone' | 'case' | 'different' {
  const a = squash(ours ?? '');
  const b = squash(theirs ?? '');
  if (a === b) return 'same';
  if (a.toLocaleLowerCase('vi') === b.toLocaleLowerCase('vi')) return 'case';
  if (a && b && withoutTones(a).toLocaleLowerCase('vi') === withoutTones(b).toLocaleLowerCase('vi')) return 'tone';
  return 'different';
}

/**
 * `theirs` cut in three around the part that differs from `ours` (common head and tail kept
 * whole words' characters, compared in NFC), for highlighting.
 */
export function differingPart(ours: string | null | undefined, theirs: string): { head: string; diff: string; tail: string } {
  const a = [...squash(ours ?? '')];
  const b = [...squash(theirs)];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { head: b.slice(0, head).join(''), diff: b.slice(head, b.length - tail).join(''), tail: b.slice(b.length - tail).join('') };
}

/** The Vietnamese note on a difference that is easy to miss. */
export function differenceNote(kind: ReturnType<typeof difference>): string | undefined {
  if (kind === 'tone') return 'Chỉ khác dấu thanh (hoặc vị trí dấu thanh)';
  if (kind === 'case') return 'Chỉ khác chữ hoa/chữ thường';
  return undefined;
}
