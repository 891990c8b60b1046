//! Students and staff (one table, `kind`). Every write runs the rule engine, stores the
//! normalised values and findings, keeps the duplicate-ID finding true across all records,
//! resets verification when an identity field changes, and audits each changed field, all in
//! one transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::sea_query::{Expr, LikeExpr, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, people, person_findings, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::{Position, VerificationStatus};
use crate::domain::text::fold_ascii;
use crate::rules::{
    self, Code, Field, Finding, Outcome, PersonKind, RecordInput, ResidenceInput, RuleContext, Severity,
};

impl PersonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Student => "student",
            PersonKind::Staff => "staff",
        }
    }
}

/// The identity fields exactly as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub res_province: Option<String>,
    pub res_district: Option<String>,
    pub res_commune: Option<String>,
    pub res_text: Option<String>,
}

/// Audit names of the identity fields, in display order.
pub const IDENTITY_FIELDS: [&str; 8] = [
    "fullName",
    "dateOfBirth",
    "gender",
    "personalId",
    "residenceProvince",
    "residenceDistrict",
    "residenceCommune",
    "residenceText",
];

impl Identity {
    pub fn of(p: &people::Model) -> Identity {
        Identity {
            full_name: p.full_name.clone(),
            date_of_birth: p.date_of_birth.clone(),
            gender: p.gender.clone(),
            personal_id: p.personal_id.clone(),
            res_province: p.res_province.clone(),
            res_district: p.res_district.clone(),
            res_commune: p.res_commune.clone(),
            res_text: p.res_text.clone(),
        }
    }

    /// `(audit field name, value)` pairs in [`IDENTITY_FIELDS`] order.
    pub fn fields(&self) -> [(&'static str, &Option<String>); 8] {
        [
            (IDENTITY_FIELDS[0], &self.full_name),
            (IDENTITY_FIELDS[1], &self.date_of_birth),
            (IDENTITY_FIELDS[2], &self.gender),
            (IDENTITY_FIELDS[3], &self.personal_id),
            (IDENTITY_FIELDS[4], &self.res_province),
            (IDENTITY_FIELDS[5], &self.res_district),
            (IDENTITY_FIELDS[6], &self.res_commune),
            (IDENTITY_FIELDS[7], &self.res_text),
        ]
    }

    /// The rule engine's input for these fields.
    pub fn record_input(&self, kind: PersonKind, grade: Option<i32>, position: Option<&str>) -> RecordInput {
        let any = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let residence =
            (any(&self.res_province) || any(&self.res_district) || any(&self.res_commune)).then(|| ResidenceInput {
                province: self.res_province.clone(),
                district: self.res_district.clone(),
                commune: self.res_commune.clone(),
            });
        RecordInput {
            full_name: self.full_name.clone(),
            date_of_birth: self.date_of_birth.clone(),
            gender: self.gender.clone(),
            personal_id: self.personal_id.clone(),
            grade: grade.map(|g| g.to_string()),
            role: Some(position.unwrap_or(kind.as_str()).to_owned()),
            residence,
            residence_text: self.res_text.clone(),
        }
    }
}

/// Empty strings count as absent; everything else is kept exactly as given.
fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl Identity {
    fn cleaned(self) -> Identity {
        Identity {
            full_name: blank_to_none(self.full_name),
            date_of_birth: blank_to_none(self.date_of_birth),
            gender: blank_to_none(self.gender),
            personal_id: blank_to_none(self.personal_id),
            res_province: blank_to_none(self.res_province),
            res_district: blank_to_none(self.res_district),
            res_commune: blank_to_none(self.res_commune),
            res_text: blank_to_none(self.res_text),
        }
    }
}

/// A person to create.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub kind: PersonKind,
    /// The school (students) or the school/office (staff).
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<Position>,
    pub sector_code: Option<String>,
    pub identity: Identity,
}

/// A partial change: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub class_id: Option<i64>,
    pub position: Option<Option<Position>>,
    pub sector_code: Option<Option<String>>,
    pub full_name: Option<Option<String>>,
    pub date_of_birth: Option<Option<String>>,
    pub gender: Option<Option<String>>,
    pub personal_id: Option<Option<String>>,
    pub res_province: Option<Option<String>>,
    pub res_district: Option<Option<String>>,
    pub res_commune: Option<Option<String>>,
    pub res_text: Option<Option<String>>,
    /// When given, the change applies only if the record is still at this version.
    pub expected_version: Option<i32>,
}

impl PersonChanges {
    fn apply_identity(&self, mut id: Identity) -> Identity {
        let set = |slot: &mut Option<String>, change: &Option<Option<String>>| {
            if let Some(v) = change {
                *slot = blank_to_none(v.clone());
            }
        };
        set(&mut id.full_name, &self.full_name);
        set(&mut id.date_of_birth, &self.date_of_birth);
        set(&mut id.gender, &self.gender);
        set(&mut id.personal_id, &self.personal_id);
        set(&mut id.res_province, &self.res_province);
        set(&mut id.res_district, &self.res_district);
        set(&mut id.res_commune, &self.res_commune);
        set(&mut id.res_text, &self.res_text);
        id
    }
}

/// List filters; scoping to the caller is applied on top.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub status: Option<VerificationStatus>,
    pub q: Option<String>,
    pub finding_code: Option<Code>,
    pub severity: Option<Severity>,
    /// 1-based.
    pub page: u64,
    pub page_size: u64,
}

/// A person with the class and unit it belongs to.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub person: people::Model,
    pub class: Option<classes::Model>,
    pub unit: units::Model,
}

impl PersonRow {
    /// The stored rule outcome (normalised values and findings).
    pub fn outcome(&self) -> Outcome {
        parse_outcome(&self.person.outcome)
    }
}

pub fn parse_outcome(json: &str) -> Outcome {
    serde_json::from_str(json).unwrap_or_default()
}

/// The sort key of a name: given name first (the last word), as Vietnamese class lists sort.
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

pub fn sort_key(search_key: &str) -> String {
    let given = search_key.rsplit(' ').next().unwrap_or(search_key);
    format!("{given} {search_key}")
}

/// Runs the rules on a person's identity fields.
pub fn evaluate(identity: &Identity, kind: PersonKind, grade: Option<i32>, position: Option<&str>) -> Outcome {
    let ctx = RuleContext::new(crate::domain::clock::today(), kind);
    rules::check_record(&identity.record_input(kind, grade, position), &ctx)
}

/// Writes the derived columns of an outcome onto an active model.
pub fn apply_outcome(active: &mut people::ActiveModel, outcome: &Outcome) {
    let n = &outcome.normalized;
    active.norm_full_name = Set(n.full_name.clone());
    active.norm_dob = Set(n.date_of_birth);
    active.norm_gender = Set(n.gender.clone());
    active.norm_personal_id = Set(n.personal_id.clone());
    let r = n.residence.as_ref();
    active.res_scheme = Set(r.map(|r| r.scheme.as_str().to_owned()));
    active.res_province_code = Set(r.and_then(|r| r.province_code.clone()));
    active.res_district_code = Set(r.and_then(|r| r.district_code.clone()));
    active.res_commune_code = Set(r.and_then(|r| r.commune_code.clone()));
    active.res_new_province_code = Set(r.and_then(|r| r.post2025.as_ref()).map(|u| u.province_code.clone()));
    active.res_new_commune_code = Set(r.and_then(|r| r.post2025.as_ref()).and_then(|u| u.commune_code.clone()));
    active.name_key = Set(n.name_key.clone());
    active.search_key = Set(n.search_key.clone());
    active.sort_key = Set(n.search_key.as_deref().map(sort_key));
    active.outcome = Set(serde_json::to_string(outcome).unwrap_or_else(|_| "{}".to_owned()));
    active.error_count = Set(count(outcome, Severity::Error));
    active.warning_count = Set(count(outcome, Severity::Warning));
    active.fixed_count = Set(count(outcome, Severity::Fixed));
}

fn count(outcome: &Outcome, severity: Severity) -> i32 {
    i32::try_from(outcome.findings.iter().filter(|f| f.severity == severity).count()).unwrap_or(i32::MAX)
}

/// Replaces a person's rows in `person_findings`.
pub async fn write_finding_rows<C: ConnectionTrait>(conn: &C, person_id: i64, outcome: &Outcome) -> StoreResult<()> {
    person_findings::Entity::delete_many().filter(person_findings::Column::PersonId.eq(person_id)).exec(conn).await?;
    let rows = finding_rows(person_id, outcome);
    if !rows.is_empty() {
        person_findings::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// One `person_findings` row per distinct (code, field).
pub fn finding_rows(person_id: i64, outcome: &Outcome) -> Vec<person_findings::ActiveModel> {
    let mut seen = BTreeSet::new();
    outcome
        .findings
        .iter()
        .filter(|f| seen.insert((f.code.as_str(), f.field.as_str())))
        .map(|f| person_findings::ActiveModel {
            person_id: Set(person_id),
            code: Set(f.code.as_str().to_owned()),
            field: Set(f.field.as_str().to_owned()),
            severity: Set(f.severity.as_str().to_owned()),
        })
        .collect()
}

fn is_structurally_valid_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn duplicate_finding(others: usize) -> Finding {
    let mut f = Finding::new(Field::PersonalId, Code::IdDuplicate);
    f.message = format!(
        "Số định danh cá nhân này đang có ở {others} hồ sơ khác; hãy kiểm tra lại với giấy tờ của người học/người lao động."
    );
    f.params.insert("otherRecords".to_owned(), serde_json::json!(others));
    f
}

/// Makes the `id_duplicate` finding true for every active record holding one of these ID
/// numbers, across all units.
pub async fn sync_duplicates<C: ConnectionTrait>(conn: &C, personal_ids: &[String]) -> StoreResult<()> {
    for pid in personal_ids.iter().filter(|p| is_structurally_valid_id(p)) {
        let holders = people::Entity::find()
            .filter(people::Column::NormPersonalId.eq(pid.as_str()))
            .filter(people::Column::DeletedAt.is_null())
            .all(conn)
            .await?;
        let n = holders.len();
        for holder in holders {
            let mut outcome = parse_outcome(&holder.outcome);
            let had = outcome.findings.iter().any(|f| f.code == Code::IdDuplicate);
            let want = n > 1;
            let others = n.saturating_sub(1);
            let current_others = outcome
                .findings
                .iter()
                .find(|f| f.code == Code::IdDuplicate)
                .and_then(|f| f.params.get("otherRecords"))
                .and_then(serde_json::Value::as_u64);
            if had == want && (!want || current_others == Some(others as u64)) {
                continue;
            }
            outcome.findings.retain(|f| f.code != Code::IdDuplicate);
            if want {
                outcome.findings.push(duplicate_finding(others));
            }
            let id = holder.id;
            let before = holder.clone();
            let mut active: people::ActiveModel = holder.into();
            apply_outcome(&mut active, &outcome);
            let after = active.update(conn).await?;
            write_finding_rows(conn, id, &outcome).await?;
            super::counters::apply_change(conn, Some(&before), Some(&after)).await?;
        }
    }
    Ok(())
}

fn kind_filter(kind: PersonKind) -> Condition {
    Condition::all().add(people::Column::Kind.eq(kind.as_str())).add(people::Column::DeletedAt.is_null())
}

/// Units in the subtree rooted at a path, as a subquery.
pub(crate) fn units_under(path_pattern: String) -> SelectStatement {
    use sea_orm::sea_query::ExprTrait;
    Query::select()
        .column(units::Column::Id)
        .from(units::Entity)
        .and_where(Expr::col(units::Column::Path).like(path_pattern))
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

/// A page of people in the caller's scope, sorted by school, class, then given name.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    filter: &ListFilter,
) -> StoreResult<(Vec<PersonRow>, u64)> {
    let mut cond = kind_filter(kind);
    let root_pattern = match filter.unit_id {
        Some(unit_id) => format!("{}%", super::units::get_scoped(conn, caller, unit_id).await?.path),
        None => caller.subtree_pattern(),
    };
    cond = cond.add(people::Column::UnitId.in_subquery(units_under(root_pattern)));
    if let Some(class_id) = filter.class_id {
        cond = cond.add(people::Column::ClassId.eq(class_id));
    }
    if let Some(status) = filter.status {
        cond = cond.add(people::Column::Status.eq(status.as_str()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            cond = cond.add(
                Condition::any()
                    .add(people::Column::NormPersonalId.starts_with(&digits))
                    .add(people::Column::SectorCode.eq(digits.as_str())),
            );
        } else {
            // control characters (a NUL ends the pattern on SQLite, is refused by PostgreSQL)
            // are not searchable; what is left is matched literally, wildcards included
            use sea_orm::sea_query::ExprTrait;
            let visible: String = q.chars().filter(|c| !c.is_control()).collect();
            let key = crate::domain::text::collapse_whitespace(&fold_ascii(&visible));
            cond = cond.add(if key.trim().is_empty() {
                Expr::val(1).eq(0)
            } else {
                Expr::col(people::Column::SearchKey).like(LikeExpr::new(like_contains(&key)).escape(LIKE_ESCAPE))
            });
        }
    }
    if filter.finding_code.is_some() || filter.severity.is_some() {
        cond = cond.add(people::Column::Id.in_subquery(with_findings(filter.finding_code, filter.severity)));
    }

    let base = people::Entity::find().filter(cond);
    let total = base.clone().count(conn).await?;
    let page_size = filter.page_size.max(1);
    let offset = filter.page.max(1).saturating_sub(1).saturating_mul(page_size);
    let items = base
        .join(JoinType::LeftJoin, people::Relation::Class.def())
        .order_by_asc(people::Column::UnitId)
        .order_by_asc(classes::Column::Grade)
        .order_by_asc(classes::Column::Name)
        .order_by_asc(people::Column::SortKey)
        .order_by_asc(people::Column::Id)
        .offset(offset)
        .limit(page_size)
        .all(conn)
        .await?;
    Ok((decorate(conn, items).await?, total))
}

/// Attaches classes and units to people (two queries for the whole page).
pub async fn decorate<C: ConnectionTrait>(conn: &C, items: Vec<people::Model>) -> StoreResult<Vec<PersonRow>> {
    let class_ids: BTreeSet<i64> = items.iter().filter_map(|p| p.class_id).collect();
    let unit_ids: BTreeSet<i64> = items.iter().map(|p| p.unit_id).collect();
    let classes: HashMap<i64, classes::Model> =
        super::classes::by_ids(conn, class_ids.into_iter().collect()).await?.into_iter().map(|c| (c.id, c)).collect();
    let units: HashMap<i64, units::Model> = if unit_ids.is_empty() {
        HashMap::new()
    } else {
        units::Entity::find()
            .filter(units::Column::Id.is_in(unit_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };
    items
        .into_iter()
        .map(|p| {
            let unit = units.get(&p.unit_id).cloned().ok_or(StoreError::NotFound)?;
            let class = p.class_id.and_then(|id| classes.get(&id).cloned());
            Ok(PersonRow { person: p, class, unit })
        })
        .collect()
}

/// One active person of this kind in the caller's scope.
pub async fn get<C: ConnectionTrait>(conn: &C, caller: &Caller, kind: PersonKind, id: i64) -> StoreResult<PersonRow> {
    let person =
        people::Entity::find_by_id(id).filter(kind_filter(kind)).one(conn).await?.ok_or(StoreError::NotFound)?;
    let row = decorate(conn, vec![person]).await?.pop().ok_or(StoreError::NotFound)?;
    if !caller.reads_path(&row.unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok(row)
}

/// Records that the caller was shown a full ID number.
pub async fn audit_full_id_view<C: ConnectionTrait>(conn: &C, ctx: &AuditCtx, person_id: i64) -> StoreResult<()> {
    audit::record(
        conn,
        ctx,
        vec![Event {
            action: "view_personal_id",
            entity: "person",
            entity_id: Some(person_id),
            field: Some("personalId"),
            old_value: None,
            new_value: None,
        }],
    )
    .await
}

/// True when the caller may change this person.
pub fn can_write(caller: &Caller, row: &PersonRow) -> bool {
    caller.writes_unit(row.unit.id, &row.unit.path)
}

async fn writable_class<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    class_id: i64,
) -> StoreResult<(classes::Model, units::Model)> {
    let (class, school) = super::classes::get_scoped(conn, caller, class_id).await.map_err(|_| {
        StoreError::invalid("/classId", "not_found", "Không tìm thấy lớp này trong phạm vi của tài khoản.")
    })?;
    if !caller.writes_unit(school.id, &school.path) {
        return Err(StoreError::Forbidden(
            "Chỉ trường quản lý lớp này mới được thêm hoặc sửa học sinh của lớp.".to_owned(),
        ));
    }
    Ok((class, school))
}

/// Creates a person; audits every field entered.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewPerson,
) -> StoreResult<PersonRow> {
    let txn = super::begin_write(db).await?;
    let kind = new.kind;
    let person = create_in(&txn, caller, ctx, new).await?;
    txn.commit().await?;
    get(db, caller, kind, person.id).await
}

/// The body of [`create`], inside the caller's transaction (imports reuse it).
pub async fn create_in<C: ConnectionTrait>(
    txn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewPerson,
) -> StoreResult<people::Model> {
    let (unit_id, class) = match new.kind {
        PersonKind::Student => {
            let class_id = new
                .class_id
                .ok_or_else(|| StoreError::invalid("/classId", "required", "Hãy chọn lớp của học sinh."))?;
            let (class, school) = writable_class(txn, caller, class_id).await?;
            (school.id, Some(class))
        }
        PersonKind::Staff => {
            let unit = super::units::get_scoped(txn, caller, new.unit_id).await.map_err(|_| {
                StoreError::invalid("/unitId", "not_found", "Không tìm thấy đơn vị này trong phạm vi của tài khoản.")
            })?;
            if !caller.writes_unit(unit.id, &unit.path) {
                return Err(StoreError::Forbidden(
                    "Chỉ đơn vị quản lý cán bộ này mới được thêm hoặc sửa hồ sơ.".to_owned(),
                ));
            }
            (unit.id, None)
        }
    };
    let identity = new.identity.cleaned();
    let position = new.position.map(|p| p.as_str());
    let outcome = evaluate(&identity, new.kind, class.as_ref().map(|c| c.grade), position);
    let now = Utc::now();
    let mut active = people::ActiveModel {
        kind: Set(new.kind.as_str().to_owned()),
        unit_id: Set(unit_id),
        class_id: Set(class.as_ref().map(|c| c.id)),
        position: Set(position.map(str::to_owned)),
        sector_code: Set(blank_to_none(new.sector_code.map(|s| s.trim().to_owned()))),
        full_name: Set(identity.full_name.clone()),
        date_of_birth: Set(identity.date_of_birth.clone()),
        gender: Set(identity.gender.clone()),
        personal_id: Set(identity.personal_id.clone()),
        res_province: Set(identity.res_province.clone()),
        res_district: Set(identity.res_district.clone()),
        res_commune: Set(identity.res_commune.clone()),
        res_text: Set(identity.res_text.clone()),
        status: Set(VerificationStatus::NotSent.as_str().to_owned()),
        mismatch_fields: Set(None),
        registry_values: Set(None),
        status_at: Set(Some(now)),
        verified_at: Set(None),
        version: Set(1),
        identity_changed_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    };
    apply_outcome(&mut active, &outcome);
    let person = active.insert(txn).await.map_err(sector_code_conflict)?;
    write_finding_rows(txn, person.id, &outcome).await?;
    super::counters::apply_change(txn, None, Some(&person)).await?;
    let mut events = vec![Event {
        action: "create",
        entity: "person",
        entity_id: Some(person.id),
        field: None,
        old_value: None,
        new_value: Some(new.kind.as_str().to_owned()),
    }];
    for (field, value) in identity.fields() {
        if value.is_some() {
            events.push(field_event("create", person.id, field, None, value.clone()));
        }
    }
    if let Some(code) = &person.sector_code {
        events.push(field_event("create", person.id, "sectorCode", None, Some(code.clone())));
    }
    audit::record(txn, ctx, events).await?;
    if let Some(pid) = &person.norm_personal_id {
        sync_duplicates(txn, std::slice::from_ref(pid)).await?;
    }
    Ok(person)
}

fn sector_code_conflict(err: sea_orm::DbErr) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict { .. } => StoreError::Conflict {
            pointer: Some("/sectorCode".to_owned()),
            message: "Mã định danh ngành này đã được dùng cho một hồ sơ khác.".to_owned(),
        },
        other => other,
    }
}

fn field_event(
    action: &'static str,
    id: i64,
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
) -> Event<'static> {
    Event { action, entity: "person", entity_id: Some(id), field: Some(field), old_value: old, new_value: new }
}

/// Applies a change; audits each field whose value changed. Returns the updated row.
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
    changes: PersonChanges,
) -> StoreResult<PersonRow> {
    let txn = super::begin_write(db).await?;
    let row = get(&txn, caller, kind, id).await?;
    if !can_write(caller, &row) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    update_in(&txn, caller, ctx, row, changes).await?;
    txn.commit().await?;
    get(db, caller, kind, id).await
}

/// The body of [`update`], inside the caller's transaction (imports and bulk fixes reuse it).
pub async fn update_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    row: PersonRow,
    changes: PersonChanges,
) -> StoreResult<people::Model> {
    let PersonRow { person, class, unit } = row;
    if let Some(expected) = changes.expected_version
        && expected != person.version
    {
        return Err(StoreError::VersionConflict { current: person.version });
    }
    let kind = if person.kind == "staff" { PersonKind::Staff } else { PersonKind::Student };
    let mut events = Vec::new();
    let mut class = class;
    if let Some(new_class_id) = changes.class_id
        && Some(new_class_id) != person.class_id
    {
        if kind == PersonKind::Staff {
            return Err(StoreError::invalid(
                "/classId",
                "not_allowed",
                "Cán bộ, giáo viên, nhân viên không thuộc lớp.",
            ));
        }
        let (new_class, school) = writable_class(conn, caller, new_class_id).await?;
        if school.id != unit.id {
            return Err(StoreError::invalid(
                "/classId",
                "other_school",
                "Chỉ chuyển được sang lớp cùng trường; học sinh chuyển trường cần làm thủ tục chuyển trường.",
            ));
        }
        events.push(field_event(
            "update",
            person.id,
            "classId",
            person.class_id.map(|c| c.to_string()),
            Some(new_class_id.to_string()),
        ));
        class = Some(new_class);
    }
    let old_identity = Identity::of(&person);
    let new_identity = changes.apply_identity(old_identity.clone());
    for ((field, old), (_, new)) in old_identity.fields().into_iter().zip(new_identity.fields()) {
        if old != new {
            events.push(field_event("update", person.id, field, old.clone(), new.clone()));
        }
    }
    let identity_changed = old_identity != new_identity;
    let new_position = match &changes.position {
        Some(p) => p.map(|p| p.as_str().to_owned()),
        None => person.position.clone(),
    };
    if new_position != person.position {
        events.push(field_event("update", person.id, "position", person.position.clone(), new_position.clone()));
    }
    let new_sector = match &changes.sector_code {
        Some(s) => blank_to_none(s.as_ref().map(|s| s.trim().to_owned())),
        None => person.sector_code.clone(),
    };
    if new_sector != person.sector_code {
        events.push(field_event("update", person.id, "sectorCode", person.sector_code.clone(), new_sector.clone()));
    }
    if events.is_empty() {
        return Ok(person);
    }
    let grade_changed = class.as_ref().map(|c| c.id) != person.class_id;
    let old_pid = person.norm_personal_id.clone();
    let now = Utc::now();
    let mut active: people::ActiveModel = person.clone().into();
    active.class_id = Set(class.as_ref().map(|c| c.id));
    active.position = Set(new_position.clone());
    active.sector_code = Set(new_sector);
    active.updated_at = Set(now);
    let mut verified_values_changed = false;
    if identity_changed || grade_changed {
        let outcome = evaluate(&new_identity, kind, class.as_ref().map(|c| c.grade), new_position.as_deref());
        verified_values_changed =
            identity_changed && VerifiedValues::of_outcome(&outcome) != VerifiedValues::of(&person);
        apply_outcome(&mut active, &outcome);
        write_finding_rows(conn, person.id, &outcome).await?;
    }
    if identity_changed {
        active.full_name = Set(new_identity.full_name.clone());
        active.date_of_birth = Set(new_identity.date_of_birth.clone());
        active.gender = Set(new_identity.gender.clone());
        active.personal_id = Set(new_identity.personal_id.clone());
        active.res_province = Set(new_identity.res_province.clone());
        active.res_district = Set(new_identity.res_district.clone());
        active.res_commune = Set(new_identity.res_commune.clone());
        active.res_text = Set(new_identity.res_text.clone());
    }
    // Only a change of what the registry compares (the normalised values) makes the record a
    // different request: a repaired spelling of the same values keeps its verification.
    if verified_values_changed {
        active.version = Set(person.version + 1);
        active.identity_changed_at = Set(now);
        if person.status != VerificationStatus::NotSent.as_str() {
            events.push(field_event(
                "update",
                person.id,
                "status",
                Some(person.status.clone()),
                Some(VerificationStatus::NotSent.as_str().to_owned()),
            ));
            active.status = Set(VerificationStatus::NotSent.as_str().to_owned());
            active.mismatch_fields = Set(None);
            active.status_at = Set(Some(now));
        }
    }
    let updated = active.update(conn).await.map_err(sector_code_conflict)?;
    super::counters::apply_change(conn, Some(&person), Some(&updated)).await?;
    audit::record(conn, ctx, events).await?;
    if identity_changed {
        let mut ids: Vec<String> = old_pid.into_iter().collect();
        ids.extend(updated.norm_personal_id.clone());
        ids.dedup();
        sync_duplicates(conn, &ids).await?;
    }
    Ok(updated)
}

/// What `revalidate` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RevalidateReport {
    pub scanned: u64,
    /// Records whose findings or normalised values changed.
    pub changed: u64,
    /// Records whose normalised identity changed: their verification no longer applies.
    pub requeued: u64,
}

/// Re-runs the rules on every active record (after a rule change), in chunks of a thousand,
/// updating normalised values, findings and counters where they changed. Entered values are
/// never touched. A record whose normalised identity changed goes back to `not_sent`.
pub async fn revalidate_all(
    db: &DatabaseConnection,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<RevalidateReport> {
    const CHUNK: u64 = 1_000;
    let total = people::Entity::find().filter(people::Column::DeletedAt.is_null()).count(db).await?;
    let mut report = RevalidateReport::default();
    let mut after_id = 0i64;
    loop {
        let txn = super::begin_write(db).await?;
        let batch = people::Entity::find()
            .filter(people::Column::DeletedAt.is_null())
            .filter(people::Column::Id.gt(after_id))
            .order_by_asc(people::Column::Id)
            .limit(CHUNK)
            .all(&txn)
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        let class_ids: Vec<i64> = batch.iter().filter_map(|p| p.class_id).collect();
        let grades: HashMap<i64, i32> =
            super::classes::by_ids(&txn, class_ids).await?.into_iter().map(|c| (c.id, c.grade)).collect();
        let mut touched_ids = Vec::new();
        for person in batch {
            report.scanned += 1;
            let kind = if person.kind == "staff" { PersonKind::Staff } else { PersonKind::Student };
            let grade = person.class_id.and_then(|c| grades.get(&c).copied());
            let mut outcome = evaluate(&Identity::of(&person), kind, grade, person.position.as_deref());
            // The duplicate finding belongs to the store; carry it over, then re-sync below.
            outcome
                .findings
                .extend(parse_outcome(&person.outcome).findings.into_iter().filter(|f| f.code == Code::IdDuplicate));
            let json = serde_json::to_string(&outcome).unwrap_or_default();
            if json == person.outcome {
                continue;
            }
            report.changed += 1;
            let requeue = VerifiedValues::of_outcome(&outcome) != VerifiedValues::of(&person);
            touched_ids.extend(person.norm_personal_id.clone());
            touched_ids.extend(outcome.normalized.personal_id.clone());
            let before = person.clone();
            let mut active: people::ActiveModel = person.into();
            apply_outcome(&mut active, &outcome);
            if requeue {
                report.requeued += 1;
                let now = Utc::now();
                active.version = Set(before.version + 1);
                active.identity_changed_at = Set(now);
                if before.status != VerificationStatus::NotSent.as_str() {
                    active.status = Set(VerificationStatus::NotSent.as_str().to_owned());
                    active.mismatch_fields = Set(None);
                    active.status_at = Set(Some(now));
                }
            }
            let after = active.update(&txn).await?;
            write_finding_rows(&txn, after.id, &outcome).await?;
            super::counters::apply_change(&txn, Some(&before), Some(&after)).await?;
        }
        touched_ids.sort();
        touched_ids.dedup();
        sync_duplicates(&txn, &touched_ids).await?;
        txn.commit().await?;
        progress(report.scanned, total);
    }
    Ok(report)
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
    pub fn of(p: &people::Model) -> VerifiedValues {
        VerifiedValues {
            full_name: p.norm_full_name.clone(),
            date_of_birth: p.norm_dob,
            gender: p.norm_gender.clone(),
            personal_id: p.norm_personal_id.clone(),
            province_code: p.res_new_province_code.clone(),
            commune_code: p.res_new_commune_code.clone(),
        }
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

/// Soft-deletes a person: it leaves lists; the audit keeps it.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let row = get(&txn, caller, kind, id).await?;
    if !can_write(caller, &row) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không xoá được.".to_owned()));
    }
    delete_in(&txn, ctx, row).await?;
    txn.commit().await?;
    Ok(())
}

/// The body of [`delete`], inside the caller's transaction (undoing an import reuses it).
pub async fn delete_in<C: ConnectionTrait>(txn: &C, ctx: &AuditCtx, row: PersonRow) -> StoreResult<()> {
    let id = row.person.id;
    let pid = row.person.norm_personal_id.clone();
    let before = row.person.clone();
    let mut active: people::ActiveModel = row.person.into();
    active.deleted_at = Set(Some(Utc::now()));
    active.update(txn).await?;
    super::counters::apply_change(txn, Some(&before), None).await?;
    audit::record(
        txn,
        ctx,
        vec![Event {
            action: "delete",
            entity: "person",
            entity_id: Some(id),
            field: None,
            old_value: None,
            new_value: None,
        }],
    )
    .await?;
    if let Some(pid) = pid {
        sync_duplicates(txn, &[pid]).await?;
    }
    Ok(())
}

/// The audit trail of a person in the caller's scope (deleted ones included).
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    id: i64,
) -> StoreResult<(PersonRow, Vec<super::entities::audit_events::Model>)> {
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

/// A person for [`bulk_insert`]: the id is chosen by the caller (see [`next_id`]).
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub id: i64,
    pub kind: PersonKind,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<Position>,
    pub sector_code: Option<String>,
    pub identity: Identity,
    pub outcome: Outcome,
}

/// The next free person id (for bulk inserts that assign ids themselves).
pub async fn next_id<C: ConnectionTrait>(conn: &C) -> StoreResult<i64> {
    use sea_orm::QuerySelect;
    let max: Option<Option<i64>> =
        people::Entity::find().select_only().column_as(people::Column::Id.max(), "m").into_tuple().one(conn).await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Inserts many people at once (seeding, benchmarks): people rows, their finding rows and
/// one `create` audit row each, in statements of a few hundred rows. The caller owns the
/// transaction and must call [`sync_duplicates`] and `counters::rebuild` afterwards.
pub async fn bulk_insert<C: ConnectionTrait>(conn: &C, ctx: &AuditCtx, rows: Vec<BulkPerson>) -> StoreResult<()> {
    const CHUNK: usize = 400;
    let now = Utc::now();
    let mut findings = Vec::new();
    let mut events = Vec::new();
    let mut batch = Vec::with_capacity(CHUNK);
    for row in rows {
        findings.extend(finding_rows(row.id, &row.outcome));
        events.push(Event {
            action: "create",
            entity: "person",
            entity_id: Some(row.id),
            field: None,
            old_value: None,
            new_value: Some(row.kind.as_str().to_owned()),
        });
        let identity = row.identity;
        let mut active = people::ActiveModel {
            id: Set(row.id),
            kind: Set(row.kind.as_str().to_owned()),
            unit_id: Set(row.unit_id),
            class_id: Set(row.class_id),
            position: Set(row.position.map(|p| p.as_str().to_owned())),
            sector_code: Set(row.sector_code),
            full_name: Set(identity.full_name),
            date_of_birth: Set(identity.date_of_birth),
            gender: Set(identity.gender),
            personal_id: Set(identity.personal_id),
            res_province: Set(identity.res_province),
            res_district: Set(identity.res_district),
            res_commune: Set(identity.res_commune),
            res_text: Set(identity.res_text),
            status: Set(VerificationStatus::NotSent.as_str().to_owned()),
            mismatch_fields: Set(None),
            registry_values: Set(None),
            status_at: Set(Some(now)),
            verified_at: Set(None),
            version: Set(1),
            identity_changed_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
            ..Default::default()
        };
        apply_outcome(&mut active, &row.outcome);
        batch.push(active);
        if batch.len() == CHUNK {
            people::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(conn).await?;
        }
    }
    if !batch.is_empty() {
        people::Entity::insert_many(batch).exec_without_returning(conn).await?;
    }
    for chunk in findings.chunks(2_000) {
        person_findings::Entity::insert_many(chunk.to_vec()).exec_without_returning(conn).await?;
    }
    for chunk in events.chunks(1_000) {
        audit::record(conn, ctx, chunk.to_vec()).await?;
    }
    Ok(())
}

/// ID numbers held by more than one active record.
pub async fn duplicated_ids<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<String>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::ExprTrait;
    let rows: Vec<Option<String>> = people::Entity::find()
        .select_only()
        .column(people::Column::NormPersonalId)
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::NormPersonalId.is_not_null())
        .group_by(people::Column::NormPersonalId)
        .having(Expr::col(people::Column::Id).count().gt(1))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// After inserting rows with explicit ids, PostgreSQL's sequence must move past them.
pub async fn reset_id_sequence<C: ConnectionTrait>(conn: &C) -> StoreResult<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('people', 'id'), COALESCE((SELECT MAX(id) FROM people), 0) + 1, false)",
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_puts_the_given_name_first() {
        assert_eq!(sort_key("nguyen van an"), "an nguyen van an");
        assert_eq!(sort_key("an"), "an an");
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

    #[test]
    fn changes_apply_and_clear() {
        let id = Identity { full_name: Some("A".into()), gender: Some("Nam".into()), ..Identity::default() };
        let changes = PersonChanges {
            full_name: Some(Some("Nguyễn An".into())),
            gender: Some(None),
            date_of_birth: Some(Some("   ".into())),
            ..PersonChanges::default()
        };
        let out = changes.apply_identity(id);
        assert_eq!(out.full_name.as_deref(), Some("Nguyễn An"));
        assert_eq!(out.gender, None);
        assert_eq!(out.date_of_birth, None, "blank counts as absent");
    }
}
