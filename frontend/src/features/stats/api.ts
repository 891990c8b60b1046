import { useQuery } from '@tanstack/react-query';
import { download, rawRequest } from '../../api/client';
import { hasFeature } from '../../api/capabilities';
import type { Laggards, Population, Progress, Reasons, Timeline } from './contract';

type Scope = { unitId: number; population: Population };

export function useProgress(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'progress', scope],
    queryFn: () => rawRequest<Progress>('GET', '/api/v1/stats/progress', { query: scope }),
    enabled: hasFeature('statsProgress'),
  });
}

export function useTimeline(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'timeline', scope],
    queryFn: () => rawRequest<Timeline>('GET', '/api/v1/stats/timeline', { query: scope }),
    enabled: hasFeature('statsTimeline'),
  });
}

export function useReasons(scope: Scope) {
  return useQuery({
    queryKey: ['stats', 'reasons', scope],
    queryFn: () => rawRequest<Reasons>('GET', '/api/v1/stats/reasons', { query: scope }),
    enabled: hasFeature('statsReasons'),
  });
}

export function useLaggards(scope: Scope, limit = 10) {
  return useQuery({
    queryKey: ['stats', 'laggards', scope, limit],
    queryFn: () => rawRequest<Laggards>('GET', '/api/v1/stats/laggards', { query: { ...scope, limit } }),
    enabled: hasFeature('statsLaggards'),
  });
}

export const downloadStatsReport = (scope: Scope) =>
  download('/api/v1/stats/report.xlsx', scope, `bao-cao-tien-do-${scope.unitId}.xlsx`);
