// The unit management screen's pure part: who may change what (as the roles table says: the
// Department's administrator every unit, a district administrator only the contacts of its
// schools), the tree as indented rows filtered by a search (diacritics optional), and the PATCH
// body of an edit (only what changed).
import type { components } from '../../api/schema';
import type { Role, SchoolLevel, UnitKind, UnitView } from '../../api/types';
import { fold } from '../../text/findings';

export type NewUnitBody = components['schemas']['NewUnitBody'];
export type UnitPatchBody = components['schemas']['UnitPatchBody'];

/** The unit form's values (create and edit). */
export interface UnitFormValues {
  kind: Exclude<UnitKind, 'department'>;
  code: string;
  name: string;
  level?: SchoolLevel;
  parentId: number;
  communeCode?: string;
  address?: string;
  phone?: string;
  email?: string;
  principal?: string;
  closed?: boolean;
}

/** The roles that open the screen. */
export const UNIT_MANAGERS: Role[] = ['department_admin', 'district_admin'];

/** Creates, renames, moves, closes units: the Department's administrator, not its own unit. */
export function editsStructure(role: Role, unit: Pick<UnitView, 'id'>, ownUnitId: number): boolean {
  return role === 'department_admin' && unit.id !== ownUnitId;
}

/** Changes address, phone, e-mail, principal: the Department's administrator, a district administrator for its schools. */
export function editsContacts(role: Role, unit: Pick<UnitView, 'id'>, ownUnitId: number): boolean {
  if (role === 'department_admin') return true;
  return role === 'district_admin' && unit.id !== ownUnitId;
}

export interface UnitRow {
  unit: UnitView;
  depth: number;
}

/**
 * The tree-ordered list as rows with their depth; with a search, the units whose name or code
 * holds it (diacritics and case optional) and the units above them, so each stays in its place.
 */
export function unitRows(units: readonly UnitView[], search = ''): UnitRow[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const depth = (u: UnitView): number => {
    let d = 0;
    for (let p = u.parentId != null ? byId.get(u.parentId) : undefined; p && d < 16; p = p.parentId != null ? byId.get(p.parentId) : undefined) d++;
    return d;
  };
  const q = fold(search.trim()).replace(/\s+/g, ' ');
  if (!q) return units.map((unit) => ({ unit, depth: depth(unit) }));
  const keep = new Set<number>();
  for (const u of units) {
    if (!fold(`${u.name} ${u.code}`).replace(/\s+/g, ' ').includes(q)) continue;
    for (let p: UnitView | undefined = u; p && !keep.has(p.id); p = p.parentId != null ? byId.get(p.parentId) : undefined) keep.add(p.id);
  }
  return units.filter((u) => keep.has(u.id)).map((unit) => ({ unit, depth: depth(unit) }));
}

/** The units a new or moved unit may sit under: the Department and its open district offices. */
export function parentChoices(units: readonly UnitView[]): UnitView[] {
  return units.filter((u) => u.kind === 'department' || (u.kind === 'district' && !u.closedAt));
}

/** The form's values of a unit being edited. */
export function formValuesOf(u: UnitView): UnitFormValues {
  return {
    kind: u.kind === 'school' ? 'school' : 'district',
    code: u.code,
    name: u.name,
    level: u.level ?? undefined,
    parentId: u.parentId ?? 0,
    communeCode: u.communeCode ?? undefined,
    address: u.address ?? undefined,
    phone: u.phone ?? undefined,
    email: u.email ?? undefined,
    principal: u.principal ?? undefined,
    closed: Boolean(u.closedAt),
  };
}

const text = (v: string | null | undefined) => (v ?? '').trim();
/** An empty optional field is left out of a new unit. */
const optional = (v: string | null | undefined) => (text(v) === '' ? undefined : text(v));

/** The body of `POST /units`. */
export function newUnitBody(v: UnitFormValues): NewUnitBody {
  return {
    kind: v.kind,
    code: text(v.code),
    name: text(v.name),
    level: v.kind === 'school' ? v.level : undefined,
    parentId: v.parentId,
    communeCode: optional(v.communeCode),
    address: optional(v.address),
    phone: optional(v.phone),
    email: optional(v.email),
    principal: optional(v.principal),
  };
}

/**
 * The body of `PATCH /units/{id}`: the fields that differ from the unit, only those the caller
 * may change (a district administrator never sends a name, a level, a parent or a closing).
 */
export function unitPatch(u: UnitView, v: UnitFormValues, structure: boolean): UnitPatchBody {
  const patch: UnitPatchBody = {};
  if (structure) {
    if (text(v.name) !== u.name) patch.name = text(v.name);
    if (u.kind === 'school' && v.level && v.level !== u.level) patch.level = v.level;
    if (v.parentId && v.parentId !== u.parentId) patch.parentId = v.parentId;
    if (Boolean(v.closed) !== Boolean(u.closedAt)) patch.closed = Boolean(v.closed);
  }
  const contacts = ['communeCode', 'address', 'phone', 'email', 'principal'] as const;
  for (const field of contacts) {
    const next = text(v[field]);
    // an emptied field is sent empty: the contact is cleared
    if (next !== text(u[field])) patch[field] = next;
  }
  return patch;
}
