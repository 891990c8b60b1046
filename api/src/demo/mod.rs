//! Demo data: a realistic Hải Phòng education sector with accounts, seeded into an empty
//! database by `dinhdanh seed-demo` and `dinhdanh serve --demo`. The generator ([`generate`])
//! is also the test and benchmark corpus: people come with the truth the registry simulator
//! serves and the damage schools really produce ([`damage`]). The truth goes into the
//! simulator's own database ([`SimPopulation`]), never into dinhdanh's.

pub mod damage;
pub mod generate;
pub mod names;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

use sea_orm::TransactionTrait;

use crate::config::Settings;
use crate::domain::access::{Caller, Role};
use crate::domain::clock::Clock;
use crate::domain::org::{Position, UnitKind};
use crate::registry::population::{Population as SimPopulation, TruthRow};
use crate::rules::PersonKind;
use crate::stats::Population;
use crate::store::audit::{AuditCtx, Source};
use crate::store::campaigns::NewCampaign;
use crate::store::people::BulkPerson;
use crate::store::{Store, campaigns, classes, counters, people, stats, units, users};
use generate::PlannedUnit;

/// Password of the demo accounts.
pub const DEMO_PASSWORD: &str = "demo";
/// Seed used by `serve --demo`.
pub const DEFAULT_SEED: u64 = 2025;

/// What a seeding run created.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub districts: usize,
    pub schools: usize,
    pub classes: usize,
    pub students: usize,
    pub staff: usize,
    pub damaged: usize,
    pub unregistered: usize,
    pub by_damage: BTreeMap<&'static str, usize>,
    pub school_levels: BTreeMap<&'static str, usize>,
    pub campaigns: usize,
    pub seconds: f64,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Seeded Hải Phòng in {:.1} s: 1 department, {} district offices, {} schools, {} classes, {} students, {} staff",
            self.seconds, self.districts, self.schools, self.classes, self.students, self.staff
        )?;
        let levels: Vec<String> = self.school_levels.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(f, "  schools by level: {}", levels.join(", "))?;
        let people = (self.students + self.staff).max(1);
        writeln!(
            f,
            "  damaged records: {} ({:.1} %), not in the national registry: {}",
            self.damaged,
            100.0 * self.damaged as f64 / people as f64,
            self.unregistered
        )?;
        let damage: Vec<String> = self.by_damage.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(f, "  damage: {}", damage.join(", "))?;
        writeln!(f, "  campaigns (students and staff, deadline in {DEMO_DEADLINE_DAYS} days): {}", self.campaigns)?;
        write!(f, "  accounts (password \"{DEMO_PASSWORD}\"): demo-department, demo-district, demo-school, demo-admin")
    }
}

/// Days from the seeding day to the demo campaigns' deadline.
pub const DEMO_DEADLINE_DAYS: i64 = 21;

/// The Department's campaigns of the demo, one per population, started a month before seeding
/// and due three weeks after it, as a directive gives schools a few weeks to finish.
fn demo_campaigns(today: chrono::NaiveDate, year: &str) -> Vec<NewCampaign> {
    let start = today - chrono::Duration::days(30);
    let deadline = today + chrono::Duration::days(DEMO_DEADLINE_DAYS);
    [
        (Population::Students, "Thu thập, xác thực số định danh cá nhân học sinh"),
        (Population::Staff, "Thu thập, xác thực số định danh cá nhân cán bộ, giáo viên"),
    ]
    .into_iter()
    .map(|(population, name)| NewCampaign { name: format!("{name} năm học {year}"), population, start, deadline })
    .collect()
}

/// Seeds the demo data when the database holds no unit yet, and the registry's truth into the
/// simulator's population.
pub async fn seed_if_empty(store: &Store, population: &SimPopulation, settings: &Settings) -> anyhow::Result<()> {
    if !units::is_empty(&store.db).await? {
        tracing::info!("database already holds data: demo seeding skipped");
        if population.count().await? == 0 {
            tracing::warn!(
                database = %crate::db::redact_url(&settings.registry_sim.database_url),
                "the registry simulator's population is empty: every demo record will come back not found \
                 (delete var/ to seed both again)"
            );
        }
        return Ok(());
    }
    tracing::info!(
        students = settings.demo_students,
        "empty database: seeding the demo data (takes a little while the first time)"
    );
    let report = seed(store, population, settings.demo_students, DEFAULT_SEED, &settings.clock).await?;
    tracing::info!("{report}");
    Ok(())
}

fn new_unit(parent: Option<i64>, kind: UnitKind, u: &PlannedUnit) -> units::NewUnit {
    units::NewUnit {
        parent_id: parent,
        kind,
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level,
        province_code: Some(generate::PROVINCE.to_owned()),
        district_code: u.district_code.clone(),
        commune_code: u.commune_code.clone(),
        address: Some(u.address.clone()),
        phone: Some(u.phone.clone()),
        email: Some(u.email.clone()),
    }
}

/// Seeds the demo data into an empty database, and replaces the simulator's population with
/// the truth of the people it generated; returns what it created.
pub async fn seed(
    store: &Store,
    population: &SimPopulation,
    students: u32,
    seed: u64,
    clock: &Clock,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let db = &store.db;
    if !units::is_empty(db).await? {
        anyhow::bail!(
            "the database already holds data: seed-demo only fills an empty database (for SQLite, delete var/ to start over)"
        );
    }
    let mut truths = Vec::new();
    let today = clock.today();
    let year = Settings::default().current_school_year(today);
    let year_start: i32 = year.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let plan = generate::plan(students, seed, year_start);
    let mut report =
        SeedReport { districts: plan.districts.len(), schools: plan.schools.len(), ..SeedReport::default() };
    let ctx = AuditCtx::system(Source::Seed, Some(format!("seed-demo:{seed}")), clock.now());
    let names = names::NameSampler::default();
    let mut ids = generate::Registry::default();
    let mut next_id = people::next_id(db).await?;

    let txn = db.begin().await?;
    let department = units::create(&txn, new_unit(None, UnitKind::Department, &plan.department)).await?;
    let mut district_ids = Vec::with_capacity(plan.districts.len());
    for d in &plan.districts {
        district_ids.push(units::create(&txn, new_unit(Some(department.id), UnitKind::District, &d.unit)).await?.id);
    }
    let mut school_ids = Vec::with_capacity(plan.schools.len());
    for s in &plan.schools {
        school_ids
            .push(units::create(&txn, new_unit(Some(district_ids[s.district]), UnitKind::School, &s.unit)).await?.id);
        *report.school_levels.entry(s.unit.level.map(|l| l.label()).unwrap_or("?")).or_default() += 1;
    }
    let hash = crate::auth::password::hash(DEMO_PASSWORD)?;
    let accounts = [
        ("demo-department", Role::Department, Some(department.id), "Chuyên viên Sở GDĐT"),
        ("demo-district", Role::District, district_ids.first().copied(), "Chuyên viên Phòng GDĐT"),
        ("demo-school", Role::School, school_ids.first().copied(), "Văn thư nhà trường"),
        // The Department's administrator: accounts and units (the demo is not a deployment, so
        // it keeps the password "demo" and no forced change).
        ("demo-admin", Role::DepartmentAdmin, Some(department.id), "Quản trị Sở GDĐT"),
    ];
    for (username, role, unit_id, display) in accounts {
        let Some(unit_id) = unit_id else { continue };
        users::create(
            &txn,
            users::NewUser {
                username: username.to_owned(),
                password_hash: hash.clone(),
                role,
                unit_id,
                display_name: display.to_owned(),
            },
        )
        .await?;
    }
    let department_staff = generate::office_staff(&plan, None, &mut ids, &names);
    truths.extend(insert_people(&txn, &ctx, &mut next_id, department.id, department_staff, &mut report).await?);
    for (i, district_id) in district_ids.iter().enumerate() {
        let staff = generate::office_staff(&plan, Some(i), &mut ids, &names);
        truths.extend(insert_people(&txn, &ctx, &mut next_id, *district_id, staff, &mut report).await?);
    }
    txn.commit().await?;

    for (index, school_id) in school_ids.iter().enumerate() {
        let txn = db.begin().await?;
        let school = &plan.schools[index];
        let mut class_rows = Vec::with_capacity(school.classes.len());
        for c in &school.classes {
            let created = classes::create(
                &txn,
                classes::NewClass {
                    school_id: *school_id,
                    school_year: year.clone(),
                    grade: c.grade,
                    name: c.name.clone(),
                },
            )
            .await?;
            class_rows.push((created.id, c.grade));
        }
        report.classes += class_rows.len();
        let generated = generate::school_people(&plan, index, &mut ids, &names);
        let students = generated.students;
        truths.extend(insert_students(&txn, &ctx, &mut next_id, *school_id, &class_rows, students, &mut report).await?);
        truths.extend(insert_people(&txn, &ctx, &mut next_id, *school_id, generated.staff, &mut report).await?);
        txn.commit().await?;
    }

    let txn = db.begin().await?;
    let duplicated = people::duplicated_ids(&txn).await?;
    people::sync_duplicates(&txn, &duplicated).await?;
    people::reset_id_sequence(&txn).await?;
    counters::rebuild(&txn).await?;
    let department_caller = Caller {
        user_id: 0,
        username: "seed-demo".to_owned(),
        role: Role::Department,
        unit_id: department.id,
        unit_path: department.path.clone(),
    };
    for new in demo_campaigns(today, &year) {
        campaigns::create(&txn, &department_caller, &ctx, new).await?;
        report.campaigns += 1;
    }
    txn.commit().await?;
    // Today's snapshot, so the timeline has its first point before the daily worker runs.
    stats::take_snapshot(db, today, &year, stats::SnapshotMode::Refresh).await?;
    // The registry's truth, into the simulator's own database.
    population.replace_all(truths).await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn truth_row(p: &generate::Person) -> TruthRow {
    TruthRow {
        personal_id: p.truth.personal_id.clone(),
        full_name: p.truth.full_name.clone(),
        date_of_birth: p.truth.date_of_birth.format("%Y-%m-%d").to_string(),
        gender: p.truth.gender.to_owned(),
        province_code: Some(p.truth.new_province_code.clone()),
        commune_code: Some(p.truth.new_commune_code.clone()).filter(|c| !c.is_empty()),
    }
}

fn tally(report: &mut SeedReport, p: &generate::Person) {
    if !p.damage.is_empty() {
        report.damaged += 1;
    }
    for d in &p.damage {
        *report.by_damage.entry(d.as_str()).or_default() += 1;
    }
    if !p.registered {
        report.unregistered += 1;
    }
}

async fn insert_students<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    next_id: &mut i64,
    school_id: i64,
    class_rows: &[(i64, i32)],
    students: Vec<(usize, generate::Person)>,
    report: &mut SeedReport,
) -> anyhow::Result<Vec<TruthRow>> {
    let mut truths = Vec::new();
    let mut rows = Vec::with_capacity(students.len());
    for (class_index, p) in students {
        tally(report, &p);
        if p.registered {
            truths.push(truth_row(&p));
        }
        let (class_id, grade) = class_rows[class_index];
        let identity = p.entered;
        let outcome = people::evaluate(&identity, PersonKind::Student, Some(grade), None, ctx.today());
        rows.push(BulkPerson {
            id: *next_id,
            kind: PersonKind::Student,
            unit_id: school_id,
            class_id: Some(class_id),
            position: None,
            sector_code: Some(p.sector_code),
            identity,
            outcome,
        });
        *next_id += 1;
    }
    report.students += rows.len();
    people::bulk_insert(conn, ctx, rows).await?;
    Ok(truths)
}

async fn insert_people<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    next_id: &mut i64,
    unit_id: i64,
    staff: Vec<generate::Person>,
    report: &mut SeedReport,
) -> anyhow::Result<Vec<TruthRow>> {
    let mut truths = Vec::new();
    let mut rows = Vec::with_capacity(staff.len());
    for p in staff {
        tally(report, &p);
        if p.registered {
            truths.push(truth_row(&p));
        }
        let position = p.position.unwrap_or(Position::Teacher);
        let identity = p.entered;
        let outcome = people::evaluate(&identity, PersonKind::Staff, None, Some(position.as_str()), ctx.today());
        rows.push(BulkPerson {
            id: *next_id,
            kind: PersonKind::Staff,
            unit_id,
            class_id: None,
            position: Some(position),
            sector_code: Some(p.sector_code),
            identity,
            outcome,
        });
        *next_id += 1;
    }
    report.staff += rows.len();
    people::bulk_insert(conn, ctx, rows).await?;
    Ok(truths)
}
