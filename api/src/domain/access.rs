//! Who is calling and what they may see or change. Reads are scoped to the caller's subtree of
//! units; writes to people are allowed on the caller's own unit (a school maintains its
//! students and staff, an office its own staff), and on the whole subtree for `admin`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A school clerk: reads and edits the school's records.
    School,
    /// A district office (Phòng GDĐT / management unit): reads its schools.
    District,
    /// The provincial Department (Sở GDĐT): reads everything below it, runs campaigns.
    Department,
    /// An operator: reads and edits everything below its unit.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::School => "school",
            Role::District => "district",
            Role::Department => "department",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "school" => Some(Role::School),
            "district" => Some(Role::District),
            "department" => Some(Role::Department),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated caller, as the access token says.
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
    /// True when a unit with this path lies in the caller's subtree.
    pub fn reads_path(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
    }

    /// True when the caller may change the people of the unit with this id and path.
    pub fn writes_unit(&self, unit_id: i64, unit_path: &str) -> bool {
        match self.role {
            Role::Admin => self.reads_path(unit_path),
            _ => unit_id == self.unit_id,
        }
    }

    /// True when the caller may write students anywhere: students belong to schools, so only a
    /// school (its own) and an admin (its subtree) do; an office writes only its own staff.
    pub fn writes_students(&self) -> bool {
        matches!(self.role, Role::School | Role::Admin)
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

    #[test]
    fn subtree_reads_and_own_unit_writes() {
        let district = caller(Role::District, 4, "/1/4/");
        assert!(district.reads_path("/1/4/17/"));
        assert!(district.reads_path("/1/4/"));
        assert!(!district.reads_path("/1/41/"), "a sibling whose id starts with the same digits");
        assert!(!district.reads_path("/1/"));
        assert!(!district.writes_unit(17, "/1/4/17/"));
        assert!(district.writes_unit(4, "/1/4/"));
        let school = caller(Role::School, 17, "/1/4/17/");
        assert!(school.writes_unit(17, "/1/4/17/"));
        assert!(!school.writes_unit(18, "/1/4/18/"));
        let admin = caller(Role::Admin, 1, "/1/");
        assert!(admin.writes_unit(17, "/1/4/17/"));
        assert!(!admin.writes_unit(99, "/99/"));
        assert!(school.writes_students() && admin.writes_students());
        assert!(!district.writes_students());
        assert!(!caller(Role::Department, 1, "/1/").writes_students());
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::School, Role::District, Role::Department, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
