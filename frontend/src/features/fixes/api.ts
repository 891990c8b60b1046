// Bulk safe repairs (`/fixes`, issue 3) over the typed client: apply them to a class, the
// school or a selection, read one batch, undo it as a whole. A batch or its undo changes
// records, so the lists, records and histories of the population are refreshed after either.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { FixBatch, FixRequest, PersonKind } from '../../api/types';

export const fixKeys = {
  batch: (id: string) => ['fixes', id] as const,
};

function refresh(client: QueryClient, kind: PersonKind, batch: FixBatch) {
  client.setQueryData(fixKeys.batch(batch.id), batch);
  void client.invalidateQueries({ queryKey: [kind] });
  void client.invalidateQueries({ queryKey: ['classes'] });
}

/** `POST /fixes`: writes every safe repair in scope back as the entered value. */
export function useApplyFixes(kind: PersonKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: FixRequest) => unwrap(api.POST('/api/v1/fixes', { body: { ...request, population: kind } })),
    onSuccess: (batch) => refresh(client, kind, batch),
  });
}

/** `POST /fixes/{id}/undo`: puts each repaired field back unless it was changed again since. */
export function useUndoFixes(kind: PersonKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/fixes/{id}/undo', { params: { path: { id } } })),
    onSuccess: (batch) => refresh(client, kind, batch),
  });
}

/** `GET /fixes/{id}`: one batch, e.g. the last one of a class after a reload. */
export function useFixBatch(id: string | undefined) {
  return useQuery({
    queryKey: fixKeys.batch(id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/fixes/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== undefined,
  });
}

/** `POST /fixes` with `dryRun`: what a batch would change (counts and a few records), nothing written. */
export const previewFixes = (kind: PersonKind, request: Omit<FixRequest, 'dryRun' | 'population'>) =>
  unwrap(api.POST('/api/v1/fixes', { body: { ...request, population: kind, dryRun: true } }));
