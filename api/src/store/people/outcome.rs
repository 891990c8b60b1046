//! A record's rule outcome: running the rules on its identity, reading the stored outcome back
//! (an unreadable one is an error), writing the derived columns and the `person_findings` rows,
//! and the values verification compares.

use super::*;

/// A record's stored rule outcome; one that does not parse is an error, never a clean default.
/// Its ID numbers are opened field by field ([`open_outcome`]); a reader that needs none of
/// them takes [`parse_outcome_sealed`].
pub fn parse_outcome(p: &people::Model) -> StoreResult<Outcome> {
    let mut outcome = parse_outcome_sealed(p)?;
    open_outcome(p.id, &mut outcome)?;
    Ok(outcome)
}

/// Runs the rules on a person's identity fields.
/// `today` is the date the rules measure ages against (the operation's, by the application's clock).
pub fn evaluate(
    identity: &Identity,
    kind: PersonKind,
    grade: Option<i32>,
    position: Option<&str>,
    today: chrono::NaiveDate,
) -> Outcome {
    let ctx = RuleContext::new(today, kind);
    rules::check_record(&RecordInput::of_identity(identity, kind, grade, position), &ctx)
}

/// Writes the derived columns of an outcome onto an active model.
pub fn apply_outcome(active: &mut people::ActiveModel, outcome: &Outcome) {
    let n = &outcome.normalized;
    active.norm_full_name = Set(capped(n.full_name.as_deref(), 255));
    active.norm_dob = Set(n.date_of_birth);
    active.norm_gender = Set(capped(n.gender.as_deref(), 8));
    // sealed (and indexed) by `seal_active` when written
    active.norm_personal_id = Set(n.personal_id.clone());
    let r = n.residence.as_ref();
    active.res_scheme = Set(r.map(|r| r.scheme.as_str().to_owned()));
    active.res_province_code = Set(r.and_then(|r| r.province_code.clone()));
    active.res_district_code = Set(r.and_then(|r| r.district_code.clone()));
    active.res_commune_code = Set(r.and_then(|r| r.commune_code.clone()));
    active.res_new_province_code = Set(r.and_then(|r| r.post2025.as_ref()).map(|u| u.province_code.clone()));
    active.res_new_commune_code = Set(r.and_then(|r| r.post2025.as_ref()).and_then(|u| u.commune_code.clone()));
    active.name_key = Set(capped(n.name_key.as_deref(), 255));
    active.search_key = Set(capped(n.search_key.as_deref(), 255));
    active.sort_key = Set(capped(n.search_key.as_deref().map(sort_key).as_deref(), 255));
    active.outcome = Set(serde_json::to_string(outcome).unwrap_or_else(|_| "{}".to_owned()));
    active.error_count = Set(count(outcome, Severity::Error));
    active.warning_count = Set(count(outcome, Severity::Warning));
    active.fixed_count = Set(count(outcome, Severity::Fixed));
}

/// A derived value cut to its column's length (`VARCHAR(n)` on PostgreSQL counts characters):
/// normalising can lengthen a valid input (lower-casing `İ` gives two characters, the sort key
/// repeats the given name), and a derived column must never refuse a record.
fn capped(v: Option<&str>, max: usize) -> Option<String> {
    v.map(|s| match s.char_indices().nth(max) {
        Some((cut, _)) => s[..cut].to_owned(),
        None => s.to_owned(),
    })
}

fn count(outcome: &Outcome, severity: Severity) -> i32 {
    i32::try_from(outcome.findings.iter().filter(|f| f.severity == severity).count()).unwrap_or(i32::MAX)
}

/// Replaces a person's rows in `person_findings`.
/// On PostgreSQL one statement (a round trip fewer for every edit): the rows kept or added are
/// upserted and the others deleted; elsewhere the rows are deleted and inserted again.
pub async fn write_finding_rows<C: ConnectionTrait>(conn: &C, person_id: i64, outcome: &Outcome) -> StoreResult<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.execute_raw(replace_findings_pg(person_id, outcome)).await?;
        return Ok(());
    }
    person_findings::Entity::delete_many().filter(person_findings::Column::PersonId.eq(person_id)).exec(conn).await?;
    let rows = finding_rows(person_id, outcome);
    if !rows.is_empty() {
        person_findings::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// The `person_findings` rows of a record made the outcome's in one statement: the main
/// `DELETE` and the `INSERT … ON CONFLICT` in its `WITH` see the same snapshot and touch
/// disjoint rows (those not in the outcome; those in it).
fn replace_findings_pg(person_id: i64, outcome: &Outcome) -> sea_orm::Statement {
    let findings: Vec<_> = distinct_findings(outcome).collect();
    let mut values: Vec<sea_orm::Value> = vec![person_id.into()];
    let mut rows = Vec::with_capacity(findings.len());
    let mut keys = Vec::with_capacity(findings.len());
    for (code, field, severity) in findings {
        let n = values.len();
        rows.push(format!("($1, ${}, ${}, ${})", n + 1, n + 2, n + 3));
        keys.push(format!("(${}, ${})", n + 1, n + 2));
        values.extend([code.into(), field.into(), severity.into()]);
    }
    let sql = if rows.is_empty() {
        "DELETE FROM person_findings WHERE person_id = $1".to_owned()
    } else {
        format!(
            "WITH put AS (INSERT INTO person_findings (person_id, code, field, severity) VALUES {} \
             ON CONFLICT (person_id, code, field) DO UPDATE SET severity = excluded.severity) \
             DELETE FROM person_findings WHERE person_id = $1 AND (code, field) NOT IN (VALUES {})",
            rows.join(", "),
            keys.join(", ")
        )
    };
    sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, values)
}

/// One `person_findings` row per distinct (code, field).
pub fn finding_rows(person_id: i64, outcome: &Outcome) -> Vec<person_findings::ActiveModel> {
    distinct_findings(outcome)
        .map(|(code, field, severity)| person_findings::ActiveModel {
            person_id: Set(person_id),
            code: Set(code.to_owned()),
            field: Set(field.to_owned()),
            severity: Set(severity.to_owned()),
        })
        .collect()
}

/// The outcome's findings as (code, field, severity), the first of each (code, field).
fn distinct_findings(outcome: &Outcome) -> impl Iterator<Item = (&str, &str, &str)> {
    let mut seen = BTreeSet::new();
    outcome
        .findings
        .iter()
        .filter(move |f| seen.insert((f.code.as_str(), f.field.as_str())))
        .map(|f| (f.code.as_str(), f.field.as_str(), f.severity.as_str()))
}

/// The values verification compares: the normalised identity. Two entries that normalise to
/// the same values are the same request to the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedValues {
    pub full_name: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

impl VerifiedValues {
    pub fn of(p: &people::Model) -> StoreResult<VerifiedValues> {
        Ok(VerifiedValues {
            full_name: p.norm_full_name.clone(),
            date_of_birth: p.norm_dob,
            gender: p.norm_gender.clone(),
            personal_id: norm_personal_id_of(p)?,
            province_code: p.res_new_province_code.clone(),
            commune_code: p.res_new_commune_code.clone(),
        })
    }

    pub fn of_outcome(o: &Outcome) -> VerifiedValues {
        let n = &o.normalized;
        let new = n.residence.as_ref().and_then(|r| r.post2025.as_ref());
        VerifiedValues {
            full_name: n.full_name.clone(),
            date_of_birth: n.date_of_birth,
            gender: n.gender.clone(),
            personal_id: n.personal_id.clone(),
            province_code: new.map(|u| u.province_code.clone()),
            commune_code: new.and_then(|u| u.commune_code.clone()),
        }
    }
}
