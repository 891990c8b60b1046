//! Who is calling and what they may see or change: one function per right of the roles table
//! (issue 10). Reads are scoped to the caller's subtree of units; people are edited, sent for
//! verification and shown with full ID numbers by the unit that holds them (a school its
//! students and staff, an office its own staff); transfers, accounts, units and the access log
//! follow the table below. Every function here is pure: the store and the routes ask, never
//! decide.
//!
//! | role | reads | edits people | transfers | accounts | units | access log |
//! |---|---|---|---|---|---|---|
//! | `school` | its school | its school | out of its school | — | — | — |
//! | `school_admin` | its school | its school | out of its school | its school's | — | its school |
//! | `district` | its subtree | its office's staff | between its schools | — | — | — |
//! | `district_admin` | as `district` | as `district` | as `district` | its office's and schools' | contacts of its schools | its subtree |
//! | `department` | everything | its office's staff | anywhere | — | — | everything |
//! | `department_admin` | as `department` | as `department` | anywhere | everyone's | all | everything |

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::org::UnitKind;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A school clerk (văn thư): reads and edits the school's records.
    School,
    /// A school's principal: as `school`, plus the school's accounts and access log.
    SchoolAdmin,
    /// A district office (Phòng GDĐT / management unit): reads its schools, edits its own staff.
    District,
    /// As `district`, plus the accounts of the office and its schools, and its schools' contacts.
    DistrictAdmin,
    /// The provincial Department (Sở GDĐT): reads everything below it, runs campaigns.
    Department,
    /// As `department`, plus everyone's accounts and the unit tree.
    DepartmentAdmin,
}

/// The level of the unit tree a role works at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    School,
    District,
    Department,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::School,
        Role::SchoolAdmin,
        Role::District,
        Role::DistrictAdmin,
        Role::Department,
        Role::DepartmentAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::School => "school",
            Role::SchoolAdmin => "school_admin",
            Role::District => "district",
            Role::DistrictAdmin => "district_admin",
            Role::Department => "department",
            Role::DepartmentAdmin => "department_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Role::School => "Văn thư nhà trường",
            Role::SchoolAdmin => "Hiệu trưởng (quản trị trường)",
            Role::District => "Chuyên viên Phòng GDĐT",
            Role::DistrictAdmin => "Quản trị Phòng GDĐT",
            Role::Department => "Chuyên viên Sở GDĐT",
            Role::DepartmentAdmin => "Quản trị Sở GDĐT",
        }
    }

    pub fn tier(self) -> Tier {
        match self {
            Role::School | Role::SchoolAdmin => Tier::School,
            Role::District | Role::DistrictAdmin => Tier::District,
            Role::Department | Role::DepartmentAdmin => Tier::Department,
        }
    }

    /// True for the roles that manage accounts.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SchoolAdmin | Role::DistrictAdmin | Role::DepartmentAdmin)
    }

    /// True when an account of this role may sit at a unit of this kind (school roles at
    /// schools, district roles at offices, department roles at the Department).
    pub fn fits(self, kind: UnitKind) -> bool {
        matches!(
            (self.tier(), kind),
            (Tier::School, UnitKind::School)
                | (Tier::District, UnitKind::District)
                | (Tier::Department, UnitKind::Department)
        )
    }
}

/// A unit as the rights see it: its id and materialised path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef<'a> {
    pub id: i64,
    pub path: &'a str,
}

/// The authenticated caller, as the access token says (and the account confirms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub unit_id: i64,
    /// Materialised path of the caller's unit (`/1/4/`): its subtree is every path with
    /// this prefix.
    pub unit_path: String,
}

impl Caller {
    /// True when a unit with this path lies in the caller's subtree (the read right).
    pub fn reads_path(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
    }

    /// True when the caller may edit the people of the unit with this id and path, send them
    /// for verification and see their full ID numbers: its own unit only, whatever the role
    /// (a school its students and staff, an office or the Department its own staff).
    pub fn writes_unit(&self, unit_id: i64, unit_path: &str) -> bool {
        unit_id == self.unit_id && self.reads_path(unit_path)
    }

    /// True when the caller sees full ID numbers of the unit's people (where it edits them).
    pub fn reveals_ids(&self, unit_id: i64, unit_path: &str) -> bool {
        self.writes_unit(unit_id, unit_path)
    }

    /// True when the caller may write students anywhere: students belong to schools, so only
    /// the school roles do (their own); an office writes only its own staff.
    pub fn writes_students(&self) -> bool {
        self.role.tier() == Tier::School
    }

    /// True when the caller may move a person from one unit to another: a school out of
    /// itself (to any unit), a district between units of its subtree, the Department anywhere
    /// (its subtree is the province).
    pub fn transfers(&self, from: UnitRef<'_>, to: UnitRef<'_>) -> bool {
        match self.role.tier() {
            Tier::School => from.id == self.unit_id && from.id != to.id,
            Tier::District | Tier::Department => {
                self.reads_path(from.path) && self.reads_path(to.path) && from.id != to.id
            }
        }
    }

    /// True when the caller may close a record leaving the province (or a staff member retiring
    /// or quitting) from this unit: a school its own, an office or the Department its subtree's.
    pub fn closes_leaving(&self, from: UnitRef<'_>) -> bool {
        match self.role.tier() {
            Tier::School => from.id == self.unit_id && self.reads_path(from.path),
            Tier::District | Tier::Department => self.reads_path(from.path),
        }
    }

    /// True when the caller may roll the school year over for the schools under this unit: a
    /// school its own, an office or the Department every school of its subtree (in bulk or one
    /// by one).
    pub fn rolls_over(&self, unit_path: &str) -> bool {
        self.reads_path(unit_path)
    }

    /// True when the caller may create, change and reset the accounts held at this unit: a
    /// school admin its school's, a district admin its office's and its schools', a department
    /// admin everyone's.
    pub fn manages_accounts_at(&self, unit: UnitRef<'_>) -> bool {
        match self.role {
            Role::SchoolAdmin => unit.id == self.unit_id && self.reads_path(unit.path),
            Role::DistrictAdmin | Role::DepartmentAdmin => self.reads_path(unit.path),
            _ => false,
        }
    }

    /// True when the caller may give an account this role: never a tier above its own.
    pub fn grants_role(&self, role: Role) -> bool {
        self.role.is_admin() && role.tier() <= self.role.tier()
    }

    /// True when the caller may create, rename, move and close units under this one (and this
    /// one): the department admin only.
    pub fn manages_units(&self, unit_path: &str) -> bool {
        self.role == Role::DepartmentAdmin && self.reads_path(unit_path)
    }

    /// True when the caller may change the contacts (address, phone, e-mail, principal) of
    /// this unit: the department admin everywhere, a district admin its schools (not its own
    /// office).
    pub fn edits_unit_contacts(&self, unit: UnitRef<'_>) -> bool {
        match self.role {
            Role::DepartmentAdmin => self.reads_path(unit.path),
            Role::DistrictAdmin => unit.id != self.unit_id && self.reads_path(unit.path),
            _ => false,
        }
    }

    /// True when the caller may read the access log of this unit.
    pub fn reads_access_log(&self, unit_path: &str) -> bool {
        match self.role {
            Role::School | Role::District => false,
            _ => self.reads_path(unit_path),
        }
    }

    /// True when the caller may run province-wide campaigns and snapshots.
    pub fn runs_campaigns(&self) -> bool {
        self.role.tier() == Tier::Department
    }

    /// `LIKE` pattern matching the caller's subtree (paths hold only digits and slashes, so
    /// nothing needs escaping).
    pub fn subtree_pattern(&self) -> String {
        format!("{}%", self.unit_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, unit_id: i64, path: &str) -> Caller {
        Caller { user_id: 1, username: "u".into(), role, unit_id, unit_path: path.into() }
    }

    /// Where a role's account sits in the test tree `/1/` (Department) → `/1/4/` (office) →
    /// `/1/4/17/` (school).
    fn seat(role: Role) -> Caller {
        match role.tier() {
            Tier::School => caller(role, 17, "/1/4/17/"),
            Tier::District => caller(role, 4, "/1/4/"),
            Tier::Department => caller(role, 1, "/1/"),
        }
    }

    /// The four places every right is asked about, relative to the caller's unit: the unit
    /// itself, a unit below it, a sibling whose path shares the caller's path as a text
    /// prefix (`/1/4/17/` vs `/1/4/171/`), and a unit outside the caller's subtree.
    fn places(c: &Caller) -> [(&'static str, i64, String); 4] {
        let parent = c.unit_path.trim_end_matches('/').rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        [
            ("own", c.unit_id, c.unit_path.clone()),
            ("child", 170, format!("{}170/", c.unit_path)),
            ("prefix sibling", c.unit_id * 10 + 1, format!("{parent}/{}/", c.unit_id * 10 + 1)),
            ("outside", 99, "/99/".to_owned()),
        ]
    }

    type Right = fn(&Caller, i64, &str) -> bool;

    #[test]
    fn every_right_by_role_and_place() {
        let rights: [(&str, Right); 6] = [
            ("reads", |c, _, p| c.reads_path(p)),
            ("edits people", |c, id, p| c.writes_unit(id, p)),
            ("accounts", |c, id, p| c.manages_accounts_at(UnitRef { id, path: p })),
            ("units", |c, _, p| c.manages_units(p)),
            ("unit contacts", |c, id, p| c.edits_unit_contacts(UnitRef { id, path: p })),
            ("access log", |c, _, p| c.reads_access_log(p)),
        ];
        // per role, per right: [own, child, prefix sibling, outside]
        let t = true;
        let f = false;
        let table: &[(Role, [[bool; 4]; 6])] = &[
            (Role::School, [[t, t, f, f], [t, f, f, f], [f, f, f, f], [f, f, f, f], [f, f, f, f], [f, f, f, f]]),
            (Role::SchoolAdmin, [[t, t, f, f], [t, f, f, f], [t, f, f, f], [f, f, f, f], [f, f, f, f], [t, t, f, f]]),
            (Role::District, [[t, t, f, f], [t, f, f, f], [f, f, f, f], [f, f, f, f], [f, f, f, f], [f, f, f, f]]),
            (Role::DistrictAdmin, [[t, t, f, f], [t, f, f, f], [t, t, f, f], [f, f, f, f], [f, t, f, f], [t, t, f, f]]),
            (Role::Department, [[t, t, f, f], [t, f, f, f], [f, f, f, f], [f, f, f, f], [f, f, f, f], [t, t, f, f]]),
            (
                Role::DepartmentAdmin,
                [[t, t, f, f], [t, f, f, f], [t, t, f, f], [t, t, f, f], [t, t, f, f], [t, t, f, f]],
            ),
        ];
        assert_eq!(table.len(), Role::ALL.len(), "every role has a row");
        for (role, expected) in table {
            let c = seat(*role);
            for ((right_name, right), want) in rights.iter().zip(expected) {
                for ((place, id, path), want) in places(&c).iter().zip(want) {
                    assert_eq!(right(&c, *id, path), *want, "{} · {right_name} · {place} ({path})", role.as_str());
                }
            }
        }
    }

    #[test]
    fn transfers_by_role() {
        let own_school = UnitRef { id: 17, path: "/1/4/17/" };
        let sibling_school = UnitRef { id: 18, path: "/1/4/18/" };
        let prefix_school = UnitRef { id: 41, path: "/1/41/" };
        let other_district_school = UnitRef { id: 50, path: "/1/5/50/" };
        let outside = UnitRef { id: 99, path: "/99/" };
        let cases: &[(Role, UnitRef, UnitRef, bool)] = &[
            (Role::School, own_school, sibling_school, true),
            (Role::School, own_school, other_district_school, true),
            (Role::School, sibling_school, own_school, false),
            (Role::School, own_school, own_school, false),
            (Role::SchoolAdmin, own_school, other_district_school, true),
            (Role::District, own_school, sibling_school, true),
            (Role::District, own_school, other_district_school, false),
            (Role::District, own_school, prefix_school, false),
            (Role::DistrictAdmin, sibling_school, own_school, true),
            (Role::DistrictAdmin, other_district_school, own_school, false),
            (Role::Department, own_school, other_district_school, true),
            (Role::DepartmentAdmin, other_district_school, prefix_school, true),
            (Role::Department, own_school, outside, false),
        ];
        for (role, from, to, want) in cases {
            assert_eq!(seat(*role).transfers(*from, *to), *want, "{} {} → {}", role.as_str(), from.path, to.path);
        }
    }

    #[test]
    fn roles_granted_and_where_they_sit() {
        assert!(seat(Role::SchoolAdmin).grants_role(Role::School));
        assert!(seat(Role::SchoolAdmin).grants_role(Role::SchoolAdmin));
        assert!(!seat(Role::SchoolAdmin).grants_role(Role::District));
        assert!(seat(Role::DistrictAdmin).grants_role(Role::SchoolAdmin));
        assert!(!seat(Role::DistrictAdmin).grants_role(Role::Department));
        assert!(seat(Role::DepartmentAdmin).grants_role(Role::DepartmentAdmin));
        assert!(!seat(Role::Department).grants_role(Role::School), "not an admin");
        assert!(Role::School.fits(UnitKind::School) && !Role::School.fits(UnitKind::District));
        assert!(Role::DistrictAdmin.fits(UnitKind::District) && !Role::DistrictAdmin.fits(UnitKind::Department));
        assert!(Role::DepartmentAdmin.fits(UnitKind::Department));
        assert!(seat(Role::School).writes_students() && seat(Role::SchoolAdmin).writes_students());
        assert!(!seat(Role::District).writes_students() && !seat(Role::DepartmentAdmin).writes_students());
        assert!(seat(Role::Department).runs_campaigns() && seat(Role::DepartmentAdmin).runs_campaigns());
        assert!(!seat(Role::DistrictAdmin).runs_campaigns());
        assert!(seat(Role::School).rolls_over("/1/4/17/") && !seat(Role::School).rolls_over("/1/4/18/"));
        assert!(seat(Role::District).rolls_over("/1/4/18/") && !seat(Role::District).rolls_over("/1/5/50/"));
        assert!(seat(Role::Department).rolls_over("/1/5/50/"));
        let own = UnitRef { id: 17, path: "/1/4/17/" };
        let sibling = UnitRef { id: 18, path: "/1/4/18/" };
        let elsewhere = UnitRef { id: 50, path: "/1/5/50/" };
        assert!(seat(Role::School).closes_leaving(own) && !seat(Role::School).closes_leaving(sibling));
        assert!(seat(Role::District).closes_leaving(sibling) && !seat(Role::District).closes_leaving(elsewhere));
        assert!(seat(Role::DepartmentAdmin).closes_leaving(elsewhere));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
            assert_eq!(serde_json::to_value(r).expect("json"), serde_json::json!(r.as_str()));
        }
        assert_eq!(Role::parse("admin"), None, "the old role is migrated, not read");
        assert_eq!(Role::parse("root"), None);
    }
}
