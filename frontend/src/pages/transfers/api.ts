// Transfers: a record moves to another unit (or leaves the province, retires, quits); the sending
// unit keeps a read-only trace listed by `GET /transfers`.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import type { PersonKind, Role } from '../../api/types';

export type TransferBody = components['schemas']['TransferBody'];
export type TransferView = components['schemas']['TransferView'];

/** Every role may move some records out (the API decides which): a school out of its school, a district between its schools, the Department anywhere. */
export const mayTransfer = (role: Role, canEdit: boolean) => canEdit || role !== 'school';

export function useTransfer(kind: PersonKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: TransferBody }) =>
      kind === 'student'
        ? unwrap(api.POST('/api/v1/students/{id}/transfer', { params: { path: { id } }, body }))
        : unwrap(api.POST('/api/v1/staff/{id}/transfer', { params: { path: { id } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: [kind] });
      void client.invalidateQueries({ queryKey: ['classes'] });
      void client.invalidateQueries({ queryKey: ['transfers'] });
    },
  });
}

export function useTransfers(unitId?: number) {
  return useQuery({
    queryKey: ['transfers', { unitId }],
    queryFn: () => unwrap(api.GET('/api/v1/transfers', { params: { query: { unitId } } })),
  });
}

/** Where a record goes without a receiving unit, and the reason sent for it. */
export const LEAVING: Record<PersonKind, { value: string; label: string }[]> = {
  student: [{ value: 'chuyển ra ngoài tỉnh', label: 'Ra ngoài tỉnh' }],
  staff: [
    { value: 'chuyển ra ngoài tỉnh', label: 'Ra ngoài tỉnh' },
    { value: 'nghỉ hưu', label: 'Nghỉ hưu' },
    { value: 'nghỉ việc', label: 'Nghỉ việc' },
  ],
};

/** Open units of the province a transfer may name, by a few letters of name or code. While the
 * answer to what was just typed loads, the previous list stays: blanking it let a click that
 * landed as the list was replaced select nothing ("Chọn đơn vị nhận."). */
export function useDestinations(kind: PersonKind, q: string) {
  return useQuery({
    queryKey: ['transfer-destinations', kind, q],
    queryFn: () =>
      unwrap(api.GET('/api/v1/transfer-destinations', { params: { query: { q, kind: kind === 'student' ? 'school' : 'any', limit: 30 } } })),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}
