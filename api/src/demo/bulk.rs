//! The demo's people loaded in bulk, for province-sized seeds (issue 16, step 3): the same
//! generator and damage as the people import, the same rule evaluation, row constructor and
//! sealing as a record created one by one (`store::people::{evaluate, new_person_row,
//! seal_active}`), but no workbook in between and one audit row per batch instead of one per
//! field. One blocking thread generates, evaluates and seals the rows while the async side
//! writes earlier batches (one `store::bulk` statement per table in one transaction per batch,
//! the counters' deltas of the batch written in it, in key order so that two writers at once
//! wait on each other rather than deadlock; two at once on PostgreSQL), so 5 million students
//! take minutes, not hours (757 s here). Duplicate ID numbers are made true once at the end,
//! over the whole table.

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

/// Batches generated ahead of the writer.
const QUEUE: usize = 2;
/// Records between two progress lines in the log.
const PROGRESS_EVERY: usize = 100_000;

/// Where the generated people go, and how many records per transaction (and audit row).
pub(super) struct Units {
    pub department: i64,
    pub districts: Vec<i64>,
    pub schools: Vec<i64>,
    pub batch: usize,
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
    fn new(size: usize) -> Batch {
        Batch {
            people: Vec::with_capacity(size),
            findings: Vec::new(),
            truths: Vec::with_capacity(size),
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
    /// Records per batch (per transaction and audit row).
    batch_size: usize,
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
        let mut outcome =
            store_people::evaluate(&identity, place.kind, grade, position.map(|p| p.as_str()), self.today);
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
        // the finding rows from the outcome before sealing seals its numbers in place
        self.batch.findings.extend(store_people::finding_rows(id, &outcome));
        // many rows at once skip the entity's hook: sealed here, as every bulk insert does
        // (from the typed outcome: its text is not parsed again)
        store_people::seal_active_with(&mut active, self.ring.as_deref(), Some(&mut outcome))?;
        // counted as the row reads back opened (the lookup columns come from sealing)
        clear.personal_id_valid = active.personal_id_valid.clone();
        clear.personal_id_index = active.personal_id_index.clone();
        let model = sea_orm::TryIntoModel::try_into_model(clear)?;
        let year = place.class.map(|_| self.year.as_str());
        self.batch.deltas.add(&model, year)?;
        if self.batch.people.is_empty() {
            self.batch.first_id = id;
        }
        self.batch.last_id = id;
        self.batch.people.push(active);
        match place.kind {
            PersonKind::Student => self.report.students += 1,
            PersonKind::Staff => self.report.staff += 1,
        }
        if self.batch.people.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.batch.people.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Batch::new(self.batch_size));
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
    for chunk in all.chunks(crate::demo::Loader::BULK_BATCH) {
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
    // one statement per table (`store::bulk`: typed arrays on PostgreSQL, JSON on SQLite)
    crate::store::bulk::insert(&txn, &batch.people).await?;
    crate::store::bulk::insert(&txn, &batch.findings).await?;
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
    let batch_size = units.batch.max(1);
    let (tx, mut rx) = tokio::sync::mpsc::channel(QUEUE);
    let plan_owned = plan.clone();
    let mut producer = Producer {
        next_id: first_id,
        batch: Batch::new(batch_size),
        batch_size,
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
    // Batches are written by several transactions at once on PostgreSQL (one per core, at
    // least two: a writer alone left a core idle, building one statement while the server ran
    // the last); SQLite takes one writer at a time. Progress goes to the log.
    let writers = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => std::thread::available_parallelism().map_or(1, |n| n.get()).max(2),
        _ => 1,
    };
    let started = std::time::Instant::now();
    let (mut written, mut logged) = (0usize, 0usize);
    let mut inflight = tokio::task::JoinSet::new();
    let mut received = |done: anyhow::Result<usize>, written: &mut usize| -> anyhow::Result<()> {
        *written += done?;
        if *written - logged >= PROGRESS_EVERY {
            logged = *written;
            let per_second = (*written as f64 / started.elapsed().as_secs_f64()) as u64;
            tracing::info!(written = *written, per_second, "seed-demo: people written");
        }
        Ok(())
    };
    while let Some(batch) = rx.recv().await {
        let mut batch = batch?;
        while inflight.len() >= writers {
            let Some(done) = inflight.join_next().await else { break };
            received(done?, &mut written)?;
        }
        let (db, ctx, population) = (db.clone(), ctx.clone(), population.clone());
        inflight.spawn(async move {
            let count = batch.people.len();
            let truths = std::mem::take(&mut batch.truths);
            write_batch(&db, &ctx, batch).await?;
            population.insert_many(truths).await?;
            anyhow::Ok(count)
        });
    }
    while let Some(done) = inflight.join_next().await {
        received(done?, &mut written)?;
    }
    tracing::info!(
        written,
        writers,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
        "seed-demo: every unit's people written"
    );
    let made = generator.await?;
    report.students = made.students;
    report.staff = made.staff;
    report.damaged = made.damaged;
    report.unregistered = made.unregistered;
    report.by_damage = made.by_damage;
    store_people::reset_id_sequence(db).await?;
    let step = std::time::Instant::now();
    // the ID numbers held twice (a copy-pasted number, a typo landing on another's) carry
    // their finding, across all units, as the import's duplicate check leaves them
    let txn = crate::store::begin_write(db).await?;
    let duplicated = store_people::duplicated_ids(&txn).await?;
    let mut deltas = Deltas::default();
    store_people::sync_duplicates_counted(&txn, &duplicated, &mut deltas).await?;
    deltas.write(&txn).await?;
    txn.commit().await?;
    tracing::info!(seconds = format!("{:.1}", step.elapsed().as_secs_f64()), "seed-demo: duplicate ID numbers marked");
    // the planner's statistics for the tables just filled
    let step = std::time::Instant::now();
    db.execute_unprepared("ANALYZE").await?;
    tracing::info!(seconds = format!("{:.1}", step.elapsed().as_secs_f64()), "seed-demo: ANALYZE");
    Ok(())
}
