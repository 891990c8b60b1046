//! The demo's people loaded in bulk, for province-sized seeds (issue 16, step 3): the same
//! generator and damage as the people import, the same rule evaluation, row constructor and
//! sealing as a record created one by one (`store::people::{evaluate, new_person_row,
//! seal_active}`), but no workbook in between and one audit row per batch instead of one per
//! field. One blocking thread generates, evaluates and seals the rows while the async side
//! writes the previous batch (multi-row statements in one transaction per batch, the counters'
//! deltas of the batch written in it), so 5 million students take minutes, not hours.
//! Duplicate ID numbers are made true once at the end, over the whole table.

use std::collections::HashMap;

use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect};

use super::generate::{self, Person, Plan};
use super::names::NameSampler;
use super::{SeedReport, tally, truth_row};
use crate::domain::identity::{Identity, blank_to_none};
use crate::domain::org::Position;
use crate::registry::population::{Population as SimPopulation, TruthRow};
use crate::rules::PersonKind;
use crate::store::audit::{self, AuditCtx, Event, Source};
use crate::store::counters::Deltas;
use crate::store::entities::{classes, people, person_findings};
use crate::store::people as store_people;

/// Records written per transaction (and per audit row).
const BATCH: usize = 5_000;
/// Rows per multi-row `INSERT` of people (45 columns: under both databases' parameter limits).
const PEOPLE_PER_STATEMENT: usize = 400;
const FINDINGS_PER_STATEMENT: usize = 4_000;
/// Batches generated ahead of the writer.
const QUEUE: usize = 2;

/// Where the generated people go.
pub(super) struct Units {
    pub department: i64,
    pub districts: Vec<i64>,
    pub schools: Vec<i64>,
}

/// One transaction's worth of rows, generated, evaluated and sealed.
struct Batch {
    people: Vec<people::ActiveModel>,
    findings: Vec<person_findings::ActiveModel>,
    truths: Vec<TruthRow>,
    deltas: Deltas,
    first_id: i64,
    last_id: i64,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            people: Vec::with_capacity(BATCH),
            findings: Vec::new(),
            truths: Vec::with_capacity(BATCH),
            deltas: Deltas::default(),
            first_id: 0,
            last_id: 0,
        }
    }
}

/// What the entered cells of a list would carry: the values a clerk typed, damage and all.
fn identity_of(p: &Person) -> Identity {
    let e = &p.entered;
    Identity {
        full_name: e.full_name.clone(),
        date_of_birth: e.date_of_birth.clone(),
        gender: e.gender.clone(),
        personal_id: e.personal_id.clone(),
        res_province: e.res_province.clone(),
        res_district: e.res_district.clone(),
        res_commune: e.res_commune.clone(),
        res_text: e.res_text.clone(),
    }
    .cleaned()
}

/// The producer's state: the next id, the batch being filled and the channel to the writer.
struct Producer {
    next_id: i64,
    batch: Batch,
    tx: tokio::sync::mpsc::Sender<anyhow::Result<Batch>>,
    ring: Option<std::sync::Arc<crate::crypto::KeyRing>>,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    year: String,
    report: SeedReport,
}

/// Where one generated person goes.
struct Place {
    kind: PersonKind,
    unit_id: i64,
    class: Option<(i64, i32)>,
}

impl Producer {
    fn push(&mut self, p: &Person, place: Place) -> anyhow::Result<()> {
        tally(&mut self.report, p);
        if p.registered {
            self.batch.truths.push(truth_row(p));
        }
        let identity = identity_of(p);
        // staff lists carry a position (a teacher when the column is empty)
        let position = (place.kind == PersonKind::Staff).then(|| p.position.unwrap_or(Position::Teacher));
        let grade = place.class.map(|(_, g)| g);
        let outcome = store_people::evaluate(&identity, place.kind, grade, position.map(|p| p.as_str()), self.today);
        let id = self.next_id;
        self.next_id += 1;
        let mut active = store_people::new_person_row(
            store_people::NewRow {
                kind: place.kind,
                unit_id: place.unit_id,
                class_id: place.class.map(|(c, _)| c),
                position: position.map(|p| p.as_str().to_owned()),
                sector_code: blank_to_none(Some(p.sector_code.trim().to_owned())),
                identity: &identity,
                outcome: &outcome,
            },
            self.now,
        );
        active.id = Set(id);
        let mut clear = active.clone();
        // many rows at once skip the entity's hook: sealed here, as every bulk insert does
        store_people::seal_active(&mut active, self.ring.as_deref())?;
        // counted as the row reads back opened (the lookup columns come from sealing)
        clear.personal_id_valid = active.personal_id_valid.clone();
        clear.personal_id_index = active.personal_id_index.clone();
        let model = sea_orm::TryIntoModel::try_into_model(clear)?;
        let year = place.class.map(|_| self.year.as_str());
        self.batch.deltas.add(&model, year)?;
        self.batch.findings.extend(store_people::finding_rows(id, &outcome));
        if self.batch.people.is_empty() {
            self.batch.first_id = id;
        }
        self.batch.last_id = id;
        self.batch.people.push(active);
        match place.kind {
            PersonKind::Student => self.report.students += 1,
            PersonKind::Staff => self.report.staff += 1,
        }
        if self.batch.people.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.batch.people.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Batch::new());
        self.tx.blocking_send(Ok(batch)).map_err(|_| anyhow::anyhow!("the writer stopped"))
    }
}

/// Creates every school's classes (multi-row statements, one audit row per statement) and
/// answers, per school, its classes' (id, grade) in the plan's order.
async fn create_classes(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    plan: &Plan,
    schools: &[i64],
    year: &str,
) -> anyhow::Result<Vec<Vec<(i64, i32)>>> {
    let now = ctx.at;
    let all: Vec<classes::ActiveModel> = plan
        .schools
        .iter()
        .zip(schools)
        .flat_map(|(s, id)| {
            s.classes.iter().map(move |c| classes::ActiveModel {
                school_id: Set(*id),
                school_year: Set(year.to_owned()),
                grade: Set(c.grade),
                name: Set(c.name.clone()),
                homeroom_teacher: Set(None),
                created_at: Set(now),
                ..Default::default()
            })
        })
        .collect();
    for chunk in all.chunks(BATCH) {
        let txn = crate::store::begin_write(db).await?;
        for rows in chunk.chunks(1_000) {
            classes::Entity::insert_many(rows.to_vec()).exec_without_returning(&txn).await?;
        }
        let event = Event {
            action: "seed",
            entity: "class",
            entity_id: None,
            field: None,
            old_value: None,
            new_value: Some(format!("{} classes", chunk.len())),
        };
        audit::record(&txn, ctx, vec![event]).await?;
        txn.commit().await?;
    }
    let rows: Vec<(i64, i64, String)> = classes::Entity::find()
        .select_only()
        .column(classes::Column::Id)
        .column(classes::Column::SchoolId)
        .column(classes::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let by_key: HashMap<(i64, String), i64> = rows.into_iter().map(|(id, s, n)| ((s, n), id)).collect();
    plan.schools
        .iter()
        .zip(schools)
        .map(|(s, school_id)| {
            s.classes
                .iter()
                .map(|c| {
                    by_key
                        .get(&(*school_id, c.name.clone()))
                        .map(|id| (*id, c.grade))
                        .ok_or_else(|| anyhow::anyhow!("class {} of {} not created", c.name, s.unit.code))
                })
                .collect()
        })
        .collect()
}

/// Writes one batch in one transaction: people, findings, one audit row, the counters' deltas.
async fn write_batch(db: &DatabaseConnection, ctx: &AuditCtx, mut batch: Batch) -> anyhow::Result<()> {
    let txn = crate::store::begin_write(db).await?;
    let count = batch.people.len();
    let mut rows = std::mem::take(&mut batch.people).into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<people::ActiveModel> = rows.by_ref().take(PEOPLE_PER_STATEMENT).collect();
        people::Entity::insert_many(chunk).exec_without_returning(&txn).await?;
    }
    let mut findings = std::mem::take(&mut batch.findings).into_iter().peekable();
    while findings.peek().is_some() {
        let chunk: Vec<person_findings::ActiveModel> = findings.by_ref().take(FINDINGS_PER_STATEMENT).collect();
        person_findings::Entity::insert_many(chunk).exec_without_returning(&txn).await?;
    }
    let event = Event {
        action: "seed",
        entity: "person",
        entity_id: None,
        field: None,
        old_value: None,
        new_value: Some(format!("{count} records, ids {}–{}", batch.first_id, batch.last_id)),
    };
    audit::record(&txn, ctx, vec![event]).await?;
    batch.deltas.write(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Loads every unit's people (the Department's and district offices' staff, then each school's
/// students and staff) in bulk; fills the counts of `report` and the simulator's population.
pub(super) async fn load_people(
    db: &DatabaseConnection,
    population: &SimPopulation,
    plan: &Plan,
    units: Units,
    clock: &crate::domain::clock::Clock,
    year: &str,
    report: &mut SeedReport,
) -> anyhow::Result<()> {
    let ctx = AuditCtx::system(Source::Seed, Some(format!("seed-demo:{}", plan.seed)), clock.now());
    let class_ids = create_classes(db, &ctx, plan, &units.schools, year).await?;
    report.classes = class_ids.iter().map(Vec::len).sum();
    population.replace_all(Vec::new()).await?;
    let first_id = store_people::next_id(db).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(QUEUE);
    let plan_owned = plan.clone();
    let mut producer = Producer {
        next_id: first_id,
        batch: Batch::new(),
        tx: tx.clone(),
        ring: crate::crypto::installed(),
        now: ctx.at,
        today: ctx.today(),
        year: year.to_owned(),
        report: SeedReport::default(),
    };
    let generator = tokio::task::spawn_blocking(move || {
        let plan = plan_owned;
        let names = NameSampler::default();
        let mut ids = generate::Registry::default();
        let mut run = |producer: &mut Producer| -> anyhow::Result<()> {
            let staff = |kind_unit: i64| Place { kind: PersonKind::Staff, unit_id: kind_unit, class: None };
            for p in generate::office_staff(&plan, None, &mut ids, &names) {
                producer.push(&p, staff(units.department))?;
            }
            for (i, district) in units.districts.iter().enumerate() {
                for p in generate::office_staff(&plan, Some(i), &mut ids, &names) {
                    producer.push(&p, staff(*district))?;
                }
            }
            for (index, school) in units.schools.iter().enumerate() {
                let people = generate::school_people(&plan, index, &mut ids, &names);
                for (class, p) in &people.students {
                    let class = class_ids[index].get(*class).copied();
                    producer.push(p, Place { kind: PersonKind::Student, unit_id: *school, class })?;
                }
                for p in &people.staff {
                    producer.push(p, staff(*school))?;
                }
            }
            producer.flush()
        };
        if let Err(e) = run(&mut producer) {
            let _ = producer.tx.blocking_send(Err(e));
        }
        producer.report
    });
    drop(tx);
    while let Some(batch) = rx.recv().await {
        let mut batch = batch?;
        let truths = std::mem::take(&mut batch.truths);
        write_batch(db, &ctx, batch).await?;
        population.insert_many(truths).await?;
    }
    let made = generator.await?;
    report.students = made.students;
    report.staff = made.staff;
    report.damaged = made.damaged;
    report.unregistered = made.unregistered;
    report.by_damage = made.by_damage;
    store_people::reset_id_sequence(db).await?;
    // the ID numbers held twice (a copy-pasted number, a typo landing on another's) carry
    // their finding, across all units, as the import's duplicate check leaves them
    let txn = crate::store::begin_write(db).await?;
    let duplicated = store_people::duplicated_ids(&txn).await?;
    let mut deltas = Deltas::default();
    store_people::sync_duplicates_counted(&txn, &duplicated, &mut deltas).await?;
    deltas.write(&txn).await?;
    txn.commit().await?;
    // the planner's statistics for the tables just filled
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
