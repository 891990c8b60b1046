//! Reading records in the caller's scope: filtered and paged lists, one record, its audit trail,
//! and who may edit it.

use super::*;
use sea_orm::sea_query::LikeExpr;

/// The escape character of the `LIKE` patterns built from what a user typed.
const LIKE_ESCAPE: char = '\\';

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and the escape character itself
/// matched literally (used with `ESCAPE '\\'`).
fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// What a search of three words or more asks the index of the names' word pairs
/// (`migration::NAME_PAIRS`), as a `tsquery`: every pair of its adjacent words that a
/// matching name must hold whole, the last one as a prefix. A folded key matches a name when
/// it stands anywhere in the name's key, so its first word may be the end of a longer word and
/// its last the start of one: `uyen thi hoa` asks for `'thi hoa':*` (found in "nguyen thi
/// hoang"); `nguyen van an binh` for `'van an' & 'an binh':*`. `None` for fewer than three
/// words, which the pairs cannot narrow.
fn name_pairs_query(key: &str) -> Option<String> {
    let words: Vec<&str> = key.split(' ').collect();
    if words.len() < 3 || words[1..].iter().any(|w| w.is_empty()) {
        return None;
    }
    let mut out = String::with_capacity(key.len() * 2 + 8);
    for (i, pair) in words[1..].windows(2).enumerate() {
        if i > 0 {
            out.push_str(" & ");
        }
        // a quoted lexeme: a quote doubled, a backslash escaped
        out.push('\'');
        for c in pair[0].chars().chain(std::iter::once(' ')).chain(pair[1].chars()) {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        out.push('\'');
    }
    out.push_str(":*");
    Some(out)
}

fn kind_filter(kind: PersonKind) -> Condition {
    Condition::all().add(people::Column::Kind.eq(kind.as_str())).add(people::Column::DeletedAt.is_null())
}

/// Units in the subtree rooted at a path, as a subquery; `path_pattern` is the subtree's
/// `LIKE` pattern (`/1/5/%`), matched as the equivalent range on the path index.
pub fn units_under(path_pattern: String) -> SelectStatement {
    let prefix = path_pattern.strip_suffix('%').unwrap_or(&path_pattern);
    Query::select()
        .column(units::Column::Id)
        .from(units::Entity)
        .cond_where(crate::store::units::path_starts_with(units::Column::Path, prefix))
        .to_owned()
}

/// People having a finding with this code and/or severity, as a subquery.
fn with_findings(code: Option<Code>, severity: Option<Severity>) -> SelectStatement {
    use sea_orm::sea_query::ExprTrait;
    let mut sub = Query::select();
    sub.column(person_findings::Column::PersonId).from(person_findings::Entity);
    if let Some(code) = code {
        sub.and_where(Expr::col(person_findings::Column::Code).eq(code.as_str()));
    }
    if let Some(severity) = severity {
        sub.and_where(Expr::col(person_findings::Column::Severity).eq(severity.as_str()));
    }
    sub.to_owned()
}

/// A page of people in the caller's scope, sorted by school, class, then given name. Every
/// list but a class's (one school's, the web app's most frequent read) is planned for its
/// values (`planned_read!`): a scope may be one school or the whole province.
pub async fn list(
    db: &sea_orm::DatabaseConnection,
    caller: &Caller,
    kind: PersonKind,
    filter: &ListFilter,
) -> StoreResult<(Vec<ViewRow>, u64)> {
    if filter.class_id.is_some() {
        return list_on(db, caller, kind, filter).await;
    }
    planned_read!(db, |conn| list_on(conn, caller, kind, filter).await)
}

async fn list_on<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    filter: &ListFilter,
) -> StoreResult<(Vec<ViewRow>, u64)> {
    let mut cond = kind_filter(kind);
    // the class and units read for the scope also decorate the page
    let mut known = Known::default();
    let root_pattern = match filter.unit_id {
        Some(unit_id) => {
            let unit = crate::store::units::get_scoped(conn, caller, unit_id).await?;
            let pattern = format!("{}%", unit.path);
            known.units.insert(unit.id, unit);
            pattern
        }
        None => caller.subtree_pattern(),
    };
    cond = cond.add(people::Column::UnitId.in_subquery(units_under(root_pattern.clone())));
    if let Some(class_id) = filter.class_id {
        // a class outside the caller's subtree is not found (rather than an empty page)
        let (class, school) = crate::store::classes::get_scoped(conn, caller, class_id).await?;
        known.classes.insert(class.id, class);
        known.units.insert(school.id, school);
        cond = cond.add(people::Column::ClassId.eq(class_id));
    }
    if let Some(status) = filter.status {
        cond = cond.add(people::Column::Status.eq(status.as_str()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            // the whole number only: a prefix would let a role that sees numbers masked
            // recover them digit by digit
            cond = cond.add(
                Condition::any()
                    .add(people::Column::PersonalIdIndex.eq(lookup_key(&digits)))
                    .add(people::Column::SectorCode.eq(digits.as_str())),
            );
        } else {
            // control characters (a NUL ends the pattern on SQLite, is refused by PostgreSQL)
            // are not searchable; what is left is matched literally, wildcards included
            use sea_orm::sea_query::ExprTrait;
            let visible: String = q.chars().filter(|c| !c.is_control()).collect();
            let key = crate::domain::text::collapse_whitespace(&fold_ascii(&visible));
            let pairs = match conn.get_database_backend() {
                sea_orm::DatabaseBackend::Postgres => name_pairs_query(&key),
                _ => None,
            };
            cond = cond.add(if key.trim().is_empty() {
                Expr::val(1).eq(0)
            } else if let Some(pairs) = pairs {
                // PostgreSQL, three words or more: the index of the names' word pairs finds
                // the candidates, the substring is checked on them (`STRPOS`, which no
                // trigram index answers, so the planner does not also read that one)
                Expr::cust_with_values(format!("{} @@ CAST($1 AS tsquery)", migration::NAME_PAIRS), [pairs])
                    .and(Expr::cust_with_values("STRPOS(search_key, $1) > 0", [key]))
            } else {
                Expr::col(people::Column::SearchKey).like(LikeExpr::new(like_contains(&key)).escape(LIKE_ESCAPE))
            });
        }
    }
    if filter.finding_code.is_some() || filter.severity.is_some() {
        cond = cond.add(people::Column::Id.in_subquery(with_findings(filter.finding_code, filter.severity)));
    }

    let page_size = filter.page_size.max(1);
    let mut offset = filter.page.max(1).saturating_sub(1).saturating_mul(page_size);
    let by_units = filter.class_id.is_none()
        && filter.q.as_deref().is_none_or(|q| q.trim().is_empty())
        && filter.finding_code.is_none()
        && filter.severity.is_none();
    let counted = if by_units {
        // Scope, kind and status only: the statistics counters hold every unit's count, so the
        // total is a sum over units and the page is read from the few units it falls in
        // (the order starts with the unit), instead of counting and sorting every record.
        let counts = unit_counts(conn, kind, filter.status, &root_pattern).await?;
        let total = counts.iter().map(|(_, n)| n).sum::<i64>().max(0) as u64;
        let (units, skipped) = units_of_page(&counts, offset, page_size);
        offset -= skipped;
        cond = cond.add(people::Column::UnitId.is_in(units));
        Some(total)
    } else {
        None
    };
    let base = people::Entity::find().filter(cond);
    let ordered = if filter.class_id.is_some() {
        // one class (of one school): by name, the order of the class's index (no sort, no join)
        base.clone()
    } else {
        base.clone()
            .join(JoinType::LeftJoin, people::Relation::Class.def())
            .order_by_asc(people::Column::UnitId)
            .order_by_asc(classes::Column::Grade)
            .order_by_asc(classes::Column::Name)
    };
    let items = ordered
        .order_by_asc(people::Column::SortKey)
        .order_by_asc(people::Column::Id)
        .offset(offset)
        .limit(page_size)
        .into_partial_model::<PersonView>()
        .all(conn)
        .await?;
    let total = match counted {
        Some(total) => total,
        // a first page that is not full holds every match (a class's page, most often): no count
        None if offset == 0 && (items.len() as u64) < page_size => items.len() as u64,
        None => base.count(conn).await?,
    };
    let rows = decorate_knowing(conn, items, known).await?;
    Ok((rows.into_iter().map(|(person, class, unit)| ViewRow { person, class, unit }).collect(), total))
}

/// The counter column that counts records of this status (`total` for any status).
fn status_column(status: Option<VerificationStatus>) -> &'static str {
    match status {
        None => "total",
        Some(VerificationStatus::NotSent) => "not_sent",
        Some(VerificationStatus::Queued) => "queued",
        Some(VerificationStatus::Verified) => "verified",
        Some(VerificationStatus::Mismatched) => "mismatched",
        Some(VerificationStatus::NotFound) => "not_found",
        Some(VerificationStatus::AwaitingEvidence) => "awaiting_evidence",
        Some(VerificationStatus::Error) => "send_failed",
    }
}

/// `(unit id, active records of this kind and status)` of every unit under the path pattern
/// that has any, in unit id order, from `stat_unit_counters` (kept equal to a recount in the
/// same transaction as every write).
async fn unit_counts<C: ConnectionTrait>(
    conn: &C,
    kind: PersonKind,
    status: Option<VerificationStatus>,
    path_pattern: &str,
) -> StoreResult<Vec<(i64, i64)>> {
    let backend = conn.get_database_backend();
    let column = status_column(status);
    let prefix = path_pattern.strip_suffix('%').unwrap_or(path_pattern);
    let (subtree, [lower, upper]) = crate::store::units::path_range_sql("u.path", prefix);
    let sql = format!(
        "SELECT sc.unit_id AS unit_id, CAST(SUM(sc.{column}) AS BIGINT) AS n FROM stat_unit_counters sc \
         INNER JOIN units u ON u.id = sc.unit_id WHERE sc.kind = ? AND {subtree} \
         GROUP BY sc.unit_id HAVING SUM(sc.{column}) > 0 ORDER BY sc.unit_id"
    );
    let rows = conn
        .query_all_raw(crate::store::counters::statement(backend, &sql, vec![kind.as_str().into(), lower, upper]))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64>("", "unit_id")?, r.try_get::<i64>("", "n")?)))
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// The units a page (`offset`, `size`, in unit order) falls in, and how many records the
/// units before them hold.
fn units_of_page(counts: &[(i64, i64)], offset: u64, size: u64) -> (Vec<i64>, u64) {
    let (mut before, mut taken) = (0u64, 0u64);
    let mut units = Vec::new();
    for (unit, n) in counts {
        let n = (*n).max(0) as u64;
        if units.is_empty() && before + n <= offset {
            before += n;
            continue;
        }
        if before + taken >= offset + size {
            break;
        }
        units.push(*unit);
        taken += n;
    }
    (units, before)
}

/// Classes and units already read, by id.
#[derive(Default)]
struct Known {
    classes: HashMap<i64, classes::Model>,
    units: HashMap<i64, units::Model>,
}

/// What places a record: its unit and class.
trait Placed {
    fn unit_id(&self) -> i64;
    fn class_id(&self) -> Option<i64>;
}

impl Placed for people::Model {
    fn unit_id(&self) -> i64 {
        self.unit_id
    }
    fn class_id(&self) -> Option<i64> {
        self.class_id
    }
}

impl Placed for PersonView {
    fn unit_id(&self) -> i64 {
        self.unit_id
    }
    fn class_id(&self) -> Option<i64> {
        self.class_id
    }
}

/// Attaches classes and units to people (two queries for the whole page).
pub async fn decorate<C: ConnectionTrait>(conn: &C, items: Vec<people::Model>) -> StoreResult<Vec<PersonRow>> {
    let rows = decorate_knowing(conn, items, Known::default()).await?;
    Ok(rows.into_iter().map(|(person, class, unit)| PersonRow { person, class, unit }).collect())
}

/// [`decorate`], reading only the classes and units not already `known` (none for a class's
/// page: its class and school were read for the scope).
async fn decorate_knowing<C: ConnectionTrait, P: Placed>(
    conn: &C,
    items: Vec<P>,
    known: Known,
) -> StoreResult<Vec<(P, Option<classes::Model>, units::Model)>> {
    let Known { mut classes, mut units } = known;
    let class_ids: BTreeSet<i64> =
        items.iter().filter_map(|p| p.class_id()).filter(|id| !classes.contains_key(id)).collect();
    let unit_ids: BTreeSet<i64> = items.iter().map(|p| p.unit_id()).filter(|id| !units.contains_key(id)).collect();
    classes.extend(
        crate::store::classes::by_ids(conn, class_ids.into_iter().collect()).await?.into_iter().map(|c| (c.id, c)),
    );
    if !unit_ids.is_empty() {
        units.extend(
            units::Entity::find()
                .filter(units::Column::Id.is_in(unit_ids))
                .all(conn)
                .await?
                .into_iter()
                .map(|u| (u.id, u)),
        );
    }
    items
        .into_iter()
        .map(|p| {
            let unit = units.get(&p.unit_id()).cloned().ok_or(StoreError::NotFound)?;
            let class = p.class_id().and_then(|id| classes.get(&id).cloned());
            Ok((p, class, unit))
        })
        .collect()
}

/// One active person of this kind in the caller's scope.
pub async fn get<C: ConnectionTrait>(conn: &C, caller: &Caller, kind: PersonKind, id: i64) -> StoreResult<PersonRow> {
    // the record, its class and its unit in one statement
    let (person, class, unit) = people::Entity::find_by_id(id)
        .filter(kind_filter(kind))
        .find_also_related(classes::Entity)
        .find_also_related(units::Entity)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let unit = unit.ok_or(StoreError::NotFound)?;
    if !caller.reads_path(&unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok(PersonRow { person, class, unit })
}

/// The clear ID number of a record, as entered: the one way the store hands a full number out
/// (the reveal, the templates and reports for the roles that see numbers in full). Every
/// caller records the access; how the number is stored (sealed) is this function's business.
pub fn personal_id_clear(person: &people::Model) -> StoreResult<Option<String>> {
    super::personal_id_of(person)
}

/// True when the caller may change this person.
pub fn can_write(caller: &Caller, unit: &units::Model) -> bool {
    caller.writes_unit(unit.id, &unit.path)
}

/// The audit trail of a person in the caller's scope (deleted ones included).
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    id: i64,
) -> StoreResult<(PersonRow, Vec<crate::store::entities::audit_events::Model>)> {
    let person = people::Entity::find_by_id(id)
        .filter(people::Column::Kind.eq(kind.as_str()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let row = decorate(conn, vec![person]).await?.pop().ok_or(StoreError::NotFound)?;
    if !caller.reads_path(&row.unit.path) {
        return Err(StoreError::NotFound);
    }
    let events = audit::history(conn, "person", id).await?;
    Ok((row, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_from_the_units_it_falls_in() {
        let counts = [(1, 30), (2, 30), (5, 100), (9, 10)];
        // (offset, size) -> (units, records in the units skipped)
        type Case = ((u64, u64), (&'static [i64], u64));
        let cases: &[Case] = &[
            ((0, 50), (&[1, 2], 0)),
            ((0, 30), (&[1], 0)),
            ((30, 30), (&[2], 30)),
            ((50, 50), (&[2, 5], 30)),
            ((100, 50), (&[5], 60)),
            ((150, 50), (&[5, 9], 60)),
            ((170, 50), (&[], 170)),
            ((500, 50), (&[], 170)),
        ];
        for ((offset, size), (units, before)) in cases {
            assert_eq!(units_of_page(&counts, *offset, *size), (units.to_vec(), *before), "{offset} {size}");
        }
    }

    #[test]
    fn a_search_of_three_words_asks_for_its_inner_pairs() {
        let cases: &[(&str, Option<&str>)] = &[
            ("hoa", None),
            ("thi hoa", None),
            ("nguyen thi hoa", Some("'thi hoa':*")),
            ("uyen thi ho", Some("'thi ho':*")),
            ("nguyen van an binh", Some("'van an' & 'an binh':*")),
            ("a b c d e", Some("'b c' & 'c d' & 'd e':*")),
            ("o'neil van a\\b", Some("'van a\\\\b':*")),
            ("x d'arc y", Some("'d''arc y':*")),
            ("50% off sale", Some("'off sale':*")),
            // an empty inner word cannot come from a collapsed key: no pairs asked
            ("a  b", None),
            ("a b  c", None),
        ];
        for (key, want) in cases {
            assert_eq!(name_pairs_query(key).as_deref(), *want, "{key}");
        }
    }

    #[test]
    fn typed_wildcards_are_matched_literally() {
        let cases: &[(&str, &str)] = &[
            ("nguyen van", "%nguyen van%"),
            ("%", "%\\%%"),
            ("_", "%\\_%"),
            ("a\\b", "%a\\\\b%"),
            ("50%_off", "%50\\%\\_off%"),
        ];
        for (text, want) in cases {
            assert_eq!(like_contains(text), *want, "{text}");
        }
    }
}
