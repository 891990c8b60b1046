// The statistics API's types (issue 6), as generated from openapi/openapi.json.
import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type Population = Schemas['Population'];
/** The four dimensions of "đúng, đủ, sạch, sống" as 0–1 shares. */
export type Shares = Schemas['Shares'];
export type Counters = Schemas['Counters'];
/** A child of the unit: a unit (office, school) or, under a school, a class (`unit.kind === 'class'`). */
export type ProgressChild = Schemas['UnitProgress'];
export type Campaign = Schemas['Campaign'];
export type Progress = Schemas['Progress'];
export type TimelinePoint = Schemas['TimelinePoint'];
export type Timeline = Schemas['Timeline'];
export type Reasons = Schemas['Reasons'];
export type Laggard = Schemas['Laggard'];
export type Laggards = Schemas['Laggards'];

/** Where a statistics row leads: a class page for a class, else the unit page. */
export const statUnitPath = (unit: Schemas['StatUnit']) => (unit.kind === 'class' ? `/lop/${unit.id}` : `/don-vi/${unit.id}`);
