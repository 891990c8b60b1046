// PROVISIONAL contract of `POST /api/v1/validate` (issue 3), written from the text.
// Replace with the generated types (components['schemas'][...]) once the endpoint is in
// openapi/openapi.json.
import type { Finding, Normalized } from '../../api/types';

export interface ValidateRecord {
  fullName?: string | null;
  dateOfBirth?: string | null;
  gender?: string | null;
  personalId?: string | null;
  grade?: string | null;
  role?: string | null;
  residence?: { province?: string | null; district?: string | null; commune?: string | null } | null;
  residenceText?: string | null;
}

export interface ValidateResponse {
  results: { normalized: Normalized; findings: Finding[] }[];
}
