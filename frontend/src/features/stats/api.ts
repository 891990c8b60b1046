import { useQuery } from '@tanstack/react-query';
import { api, download, unwrap } from '../../api/client';
import type { Population } from './contract';

type Scope = { unitId: number; population: Population };

export function useProgress(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'progress', scope],
    queryFn: () => unwrap(api.GET('/api/v1/stats/progress', { params: { query: scope } })),
  });
}

export function useTimeline(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'timeline', scope],
    queryFn: () => unwrap(api.GET('/api/v1/stats/timeline', { params: { query: scope } })),
  });
}

export function useReasons(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'reasons', scope],
    queryFn: () => unwrap(api.GET('/api/v1/stats/reasons', { params: { query: scope } })),
  });
}

export function useLaggards(scope: Scope, limit = 10) {
  return useQuery({
    queryKey: ['stats', 'laggards', scope, limit],
    queryFn: () => unwrap(api.GET('/api/v1/stats/laggards', { params: { query: { ...scope, limit } } })),
  });
}
export const downloadStatsReport = (scope: Scope) =>
  download('/api/v1/stats/report.xlsx', scope, `bao-cao-tien-do-${scope.unitId}.xlsx`);
