//! Classes a people import names that the school does not have yet (issue 10, item 4): the
//! preview lists them as "lớp mới" — their rows carry a provisional negative class id — and the
//! commit creates them in the current school year (audited) before writing the rows.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// A class the commit creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewClassPlan {
    /// The provisional (negative) class id the preview's rows carry until the commit.
    pub temp_id: i64,
    pub name: String,
    /// 0 for preschool, 1–12, read from the name.
    pub grade: i32,
    /// "lớp mới".
    pub label: String,
}

/// The classes the file's `Lớp` column names that are not among `known` and whose grade the
/// name tells (`8C`, `Lớp 10A2`, `Lá 1`) and the school's level teaches (no `12A` at a lower
/// secondary school); the others stay unknown classes (row errors).
pub(super) fn find(
    kind: PersonKind,
    level: Option<crate::domain::org::SchoolLevel>,
    layout: &Layout,
    known: &[ClassInfo],
) -> Vec<NewClassPlan> {
    if kind != PersonKind::Student {
        return Vec::new();
    }
    let known: HashSet<String> = known.iter().map(|c| plan::class_key(&c.name)).collect();
    let mut out: Vec<NewClassPlan> = Vec::new();
    for row in &layout.rows {
        let Some(Some(text)) = row.get(import::Column::Class) else { continue };
        let name = text.trim();
        let key = plan::class_key(name);
        if name.is_empty() || name.chars().count() > 32 || known.contains(&key) {
            continue;
        }
        if out.iter().any(|c| plan::class_key(&c.name) == key) {
            continue;
        }
        let grade = match crate::domain::grade::parse_grade(name) {
            Some(crate::domain::grade::Grade::School(g)) => i32::from(g),
            Some(crate::domain::grade::Grade::Preschool { .. }) => 0,
            None => continue,
        };
        if level.is_some_and(|l| !l.grades().contains(&grade)) {
            continue;
        }
        let temp_id = -(out.len() as i64 + 1);
        out.push(NewClassPlan { temp_id, name: name.to_owned(), grade, label: "lớp mới".to_owned() });
    }
    out
}

/// The new classes an import holds.
pub fn of(m: &imports::Model) -> Vec<NewClassPlan> {
    m.new_classes.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

/// Creates the new classes of the school (or finds one made since the preview), audited;
/// answers the real id of each provisional one.
pub(super) async fn create<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    school_id: i64,
    year: &str,
    plans: &[NewClassPlan],
) -> StoreResult<HashMap<i64, i64>> {
    let mut ids = HashMap::new();
    for p in plans {
        let id = match crate::store::classes::by_name(txn, school_id, year, &p.name).await? {
            Some(c) => c.id,
            None => {
                let created = classes::ActiveModel {
                    school_id: Set(school_id),
                    school_year: Set(year.to_owned()),
                    grade: Set(p.grade),
                    name: Set(p.name.clone()),
                    homeroom_teacher: Set(None),
                    created_at: Set(ctx.at),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                crate::store::audit::record(txn, ctx, vec![crate::store::class_changes::created_event(&created)])
                    .await?;
                created.id
            }
        };
        ids.insert(p.temp_id, id);
    }
    Ok(ids)
}
