// Short names for the generated API types (src/api/schema.d.ts, from openapi/openapi.json).
import type { components } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];
export type UserView = Schemas['UserView'];
export type MeResponse = Schemas['MeResponse'];
export type LoginResponse = Schemas['LoginResponse'];
export type Role = Schemas['Role'];
export type UnitView = Schemas['UnitView'];
export type UnitKind = Schemas['UnitKind'];
export type SchoolLevel = Schemas['SchoolLevel'];
export type ClassView = Schemas['ClassView'];
export type Person = Schemas['Person'];
export type PersonKind = Schemas['PersonKind'];
export type PersonPage = Schemas['PersonPage'];
/** A record's patch as the form builds it: a student's (`classId`) or a staff member's (`position`). */
export type PersonPatch = Schemas['StudentPatch'] & Schemas['StaffPatch'];
export type Position = Schemas['Position'];
export type Finding = Schemas['Finding'];
export type FindingCode = Schemas['Code'];
export type FindingField = Schemas['Field'];
export type Severity = Schemas['Severity'];
export type VerificationStatus = Schemas['VerificationStatus'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type AuditSource = Schemas['Source'];
export type Normalized = Schemas['Normalized'];
export type Fix = Schemas['Fix'];
export type ResolvedResidence = Schemas['ResolvedResidence'];
export type RecordInput = Schemas['RecordInput'];
export type ValidateResponse = Schemas['ValidateResponse'];
export type Outcome = Schemas['Outcome'];
export type FixRequest = Schemas['FixRequest'];
export type FixBatch = Schemas['FixBatch'];
