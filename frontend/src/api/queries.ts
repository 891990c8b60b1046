// TanStack Query hooks over the typed client: one per read of the foundation API, and the
// record update. Query keys start with the resource name so a save can invalidate its lists.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { operations } from './schema';
import type { PersonKind, PersonPatch, Person, UnitKind } from './types';

export type PeopleQuery = NonNullable<operations['list_students']['parameters']['query']>;

export const keys = {
  me: ['me'] as const,
  units: (params: { kind?: UnitKind; parentId?: number }) => ['units', params] as const,
  unit: (id: number) => ['units', 'one', id] as const,
  classes: (schoolId: number | undefined) => ['classes', { schoolId }] as const,
  class: (id: number) => ['classes', 'one', id] as const,
  people: (kind: PersonKind, query: PeopleQuery) => [kind, 'list', query] as const,
  person: (kind: PersonKind, id: number) => [kind, 'one', id] as const,
  history: (kind: PersonKind, id: number) => [kind, 'history', id] as const,
};

export function useMe(enabled = true) {
  return useQuery({
    queryKey: keys.me,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useUnits(params: { kind?: UnitKind; parentId?: number } = {}) {
  return useQuery({
    queryKey: keys.units(params),
    queryFn: () => unwrap(api.GET('/api/v1/units', { params: { query: params } })),
    staleTime: 60_000,
  });
}

export function useUnit(id: number) {
  return useQuery({
    queryKey: keys.unit(id),
    queryFn: () => unwrap(api.GET('/api/v1/units/{id}', { params: { path: { id } } })),
    enabled: Number.isFinite(id),
    staleTime: 60_000,
  });
}

export function useClasses(schoolId?: number) {
  return useQuery({
    queryKey: keys.classes(schoolId),
    queryFn: () => unwrap(api.GET('/api/v1/classes', { params: { query: { schoolId } } })),
  });
}

export function useClass(id: number) {
  return useQuery({
    queryKey: keys.class(id),
    queryFn: () => unwrap(api.GET('/api/v1/classes/{id}', { params: { path: { id } } })),
    enabled: Number.isFinite(id),
  });
}

function listPeople(kind: PersonKind, query: PeopleQuery) {
  return kind === 'student'
    ? unwrap(api.GET('/api/v1/students', { params: { query } }))
    : unwrap(api.GET('/api/v1/staff', { params: { query } }));
}

/** Largest selection a bulk action takes at once (the API's limit). */
export const MAX_SELECTION = 5000;

/** The ids of every record matching a list's filters (page by page), at most `MAX_SELECTION`. */
export async function matchingIds(kind: PersonKind, query: PeopleQuery): Promise<{ ids: number[]; total: number }> {
  const ids: number[] = [];
  let total = 0;
  for (let page = 1; ids.length < MAX_SELECTION; page++) {
    const res = await listPeople(kind, { ...query, page, pageSize: 500 });
    total = res.total;
    ids.push(...res.items.map((p) => p.id));
    if (res.items.length === 0 || ids.length >= total) break;
  }
  return { ids: ids.slice(0, MAX_SELECTION), total };
}

export function usePeople(kind: PersonKind, query: PeopleQuery, enabled = true) {
  return useQuery({
    queryKey: keys.people(kind, query),
    queryFn: () => listPeople(kind, query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** How many records match, without loading them (one-row page). */
export function usePeopleCount(kind: PersonKind, query: Omit<PeopleQuery, 'page' | 'pageSize'>) {
  return useQuery({
    queryKey: keys.people(kind, { ...query, pageSize: 1 }),
    queryFn: () => listPeople(kind, { ...query, pageSize: 1 }),
    select: (page) => page.total,
  });
}

export function usePerson(kind: PersonKind, id: number | undefined) {
  return useQuery({
    queryKey: keys.person(kind, id ?? -1),
    queryFn: () =>
      kind === 'student'
        ? unwrap(api.GET('/api/v1/students/{id}', { params: { path: { id: id ?? -1 } } }))
        : unwrap(api.GET('/api/v1/staff/{id}', { params: { path: { id: id ?? -1 } } })),
    enabled: id !== undefined,
    // A full ID number is only sent (and its view audited) on purpose: do not refetch on focus.
    refetchOnWindowFocus: false,
  });
}

export function useHistory(kind: PersonKind, id: number | undefined) {
  return useQuery({
    queryKey: keys.history(kind, id ?? -1),
    queryFn: () =>
      kind === 'student'
        ? unwrap(api.GET('/api/v1/students/{id}/history', { params: { path: { id: id ?? -1 } } }))
        : unwrap(api.GET('/api/v1/staff/{id}/history', { params: { path: { id: id ?? -1 } } })),
    enabled: id !== undefined,
  });
}

/** PATCH a record; on success the record, its history and the lists are refreshed. */
export function useUpdatePerson(kind: PersonKind) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: PersonPatch }): Promise<Person> =>
      kind === 'student'
        ? unwrap(api.PATCH('/api/v1/students/{id}', { params: { path: { id } }, body: patch }))
        : unwrap(api.PATCH('/api/v1/staff/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (person) => {
      client.setQueryData(keys.person(kind, person.id), person);
      void client.invalidateQueries({ queryKey: keys.history(kind, person.id) });
      void client.invalidateQueries({ queryKey: [kind, 'list'] });
      void client.invalidateQueries({ queryKey: ['classes'] });
    },
  });
}
