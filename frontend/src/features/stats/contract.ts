// PROVISIONAL contracts of the statistics API (issue 6), written from the text.
// Replace with the generated types once the endpoints are in openapi/openapi.json.
import type { UnitView } from '../../api/types';

export type Population = 'students' | 'staff';

/** The four dimensions of "đúng, đủ, sạch, sống" as 0–1 shares. */
export interface Shares {
  du: number;
  dung: number;
  sach: number;
  song: number;
}

export interface Counters {
  total: number;
  withPersonalId: number;
  validPersonalId: number;
  noErrors: number;
  sent: number;
  verified: number;
  mismatched: number;
  notFound: number;
  awaitingEvidence: number;
  notSent: number;
  shares: Shares;
}

/** A child of the unit: a unit (office, school) or, under a school, a class. */
export interface ProgressChild {
  unit: Pick<UnitView, 'id' | 'name' | 'kind'> & { classId?: number };
  counters: Counters;
}

export interface Campaign {
  id: number;
  name: string;
  deadline: string;
}

export interface Progress {
  unit: UnitView;
  counters: Counters;
  children: ProgressChild[];
  campaign?: Campaign | null;
}

export interface TimelinePoint {
  date: string;
  total: number;
  withPersonalId: number;
  verified: number;
}

export interface Timeline {
  points: TimelinePoint[];
  deadline?: string | null;
  /** When verification finishes at the current pace. */
  projectedFinish?: string | null;
}

export interface Reasons {
  findingCodes: { code: string; count: number }[];
  mismatchFields: { field: string; count: number }[];
}

export interface Laggard {
  unit: Pick<UnitView, 'id' | 'name' | 'kind' | 'phone' | 'email'>;
  verifiedShare: number;
  projectedToMiss: boolean;
  topReasons: { code: string; count: number }[];
}

export interface Laggards {
  items: Laggard[];
}
