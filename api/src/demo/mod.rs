//! Demo data: a realistic Hải Phòng education sector with accounts, seeded into an empty
//! database by `dinhdanh seed-demo` and `dinhdanh serve --demo`. The seeder sets the province
//! up the way its IT officer and schools would (issue 10): `init` makes the Department and its
//! administrator, the Department's unit list ([`workbooks::unit_list`]) goes through the unit
//! import, the schools' accounts through the bulk accounts of `POST /users/bulk`, and every
//! unit's class and staff lists ([`workbooks::people_list`]) through the people import (classes
//! created as "lớp mới") — no private shortcut, so the demo proves the path. The generator
//! ([`generate`]) is also the test and benchmark corpus: people come with the truth the
//! registry simulator serves and the damage schools really produce ([`damage`]). The truth goes
//! into the simulator's own database ([`SimPopulation`]), never into dinhdanh's.

mod bulk;
pub mod damage;
pub mod generate;
pub mod names;
pub mod workbooks;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Instant;

use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::domain::access::{Caller, Role};
use crate::domain::clock::Clock;
use crate::domain::unit_list::UnitAction;
use crate::import::RowAction;
use crate::registry::population::{Population as SimPopulation, TruthRow};
use crate::rules::PersonKind;
use crate::stats::Population;
use crate::store::audit::AuditCtx;
use crate::store::campaigns::NewCampaign;
use crate::store::imports::{self, CommitOptions, ImportOptions};
use crate::store::{Store, accounts, campaigns, stats, unit_imports, units, users};

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

/// The demo's Department administrator: created by `init`, as a province's IT officer would.
pub const DEMO_ADMIN: &str = "demo-admin";

/// An account as the caller the API would see after it signs in.
async fn caller_of(db: &DatabaseConnection, username: &str) -> anyhow::Result<Caller> {
    let user = users::by_username(db, username).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    let unit = users::unit_of(db, &user).await?;
    Ok(Caller {
        user_id: user.id,
        username: user.username.clone(),
        role: users::role_of(&user)?,
        unit_id: unit.id,
        unit_path: unit.path,
    })
}

/// The demo keeps the password "demo" without a forced change (the demo is not a deployment):
/// set as the account's own password change would set it.
async fn keep_demo_password(
    db: &DatabaseConnection,
    caller: &Caller,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let hash = tokio::task::spawn_blocking(|| crate::auth::password::hash(DEMO_PASSWORD)).await??;
    accounts::change_own_password(db, &AuditCtx::manual(caller, None, at), caller.user_id, hash).await?;
    Ok(())
}

/// Seeds the demo data into an empty database the way a province sets itself up — `init`, the
/// unit list import, bulk accounts, the people import of each unit's lists — and replaces the
/// simulator's population with the truth of the people it generated; returns what it created.
pub async fn seed(
    store: &Store,
    population: &SimPopulation,
    students: u32,
    seed: u64,
    clock: &Clock,
) -> anyhow::Result<SeedReport> {
    seed_with(store, population, students, seed, clock, Loader::Import).await
}

/// How the seeder writes the units' people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loader {
    /// Through the people import of each unit's class and staff lists, as schools do (the demo
    /// proves the path; about 1,400 records/s on PostgreSQL).
    Import,
    /// Generated, evaluated and sealed as the import would, then written in multi-row batches
    /// of `batch` records, one transaction and one audit row each (province-sized seeds,
    /// issue 16).
    Bulk { batch: usize },
}

impl Loader {
    /// The import below this many students (what a demo shows), in bulk from it.
    pub const BULK_FROM_STUDENTS: u32 = 50_000;
    /// Records per transaction of the bulk loader.
    pub const BULK_BATCH: usize = 5_000;

    /// The loader `seed-demo` uses for `students`.
    pub fn for_students(students: u32) -> Loader {
        if students >= Self::BULK_FROM_STUDENTS { Loader::Bulk { batch: Self::BULK_BATCH } } else { Loader::Import }
    }
}

/// [`seed`] with the people written by `loader`; the rest (init, unit list, accounts,
/// campaigns, snapshot) goes the same way.
pub async fn seed_with(
    store: &Store,
    population: &SimPopulation,
    students: u32,
    seed: u64,
    clock: &Clock,
    loader: Loader,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let db = &store.db;
    if !units::is_empty(db).await? {
        anyhow::bail!(
            "the database already holds data: seed-demo only fills an empty database (for SQLite, delete var/ to start over)"
        );
    }
    let today = clock.today();
    let year = Settings::default().current_school_year(today);
    let year_start: i32 = year.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let plan = generate::plan(students, seed, year_start);
    let mut report = SeedReport::default();
    // each step's time, in the log: a province-sized seed takes minutes
    let mut step = Instant::now();
    let mut done = |what: &str| {
        tracing::info!(seconds = format!("{:.1}", step.elapsed().as_secs_f64()), "seed-demo: {what}");
        step = Instant::now();
    };

    // 1. `dinhdanh init --province-code 31 --admin-username demo-admin`
    crate::provision::init(db, generate::PROVINCE, DEMO_ADMIN, None, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = caller_of(db, DEMO_ADMIN).await?;
    keep_demo_password(db, &admin, clock.now()).await?;
    let admin_ctx = AuditCtx::manual(&admin, Some(format!("seed-demo:{seed}")), clock.now());

    // 2. the unit list, as the Department keeps it, through the unit import (preview, commit)
    let bytes = workbooks::unit_list(&plan)?;
    let lines = crate::routes::unit_lists::read_unit_list(
        workbooks::UNIT_LIST_FILE,
        &bytes,
        &Settings::default().import.limits(),
    )
    .map_err(|e| anyhow::anyhow!("unit list: {}", e.detail.clone().unwrap_or_default()))?;
    let preview = unit_imports::preview(db, &admin_ctx, &admin, workbooks::UNIT_LIST_FILE, &lines).await?;
    let rejected: Vec<String> = preview
        .plan
        .iter()
        .filter(|p| p.action == UnitAction::Rejected)
        .map(|p| format!("{} {}", p.code, p.reasons.join(" ")))
        .collect();
    anyhow::ensure!(rejected.is_empty(), "the demo's unit list has rejected lines: {rejected:?}");
    unit_imports::commit(db, &admin_ctx, &admin, preview.row.id).await?;
    let department = units::get(db, admin.unit_id).await?;
    let mut district_ids = Vec::with_capacity(plan.districts.len());
    for d in &plan.districts {
        district_ids.push(unit_id(db, &d.unit.code).await?);
    }
    let mut school_ids = Vec::with_capacity(plan.schools.len());
    for s in &plan.schools {
        school_ids.push(unit_id(db, &s.unit.code).await?);
    }
    report.districts = district_ids.len();
    report.schools = school_ids.len();
    done("the Department and the unit list");
    for s in &plan.schools {
        *report.school_levels.entry(s.unit.level.map(|l| l.label()).unwrap_or("?")).or_default() += 1;
    }

    // 3. accounts: one per school in bulk (POST /users/bulk), an office account per district
    // office and the demo's own accounts (POST /users); the demo ones keep the password "demo"
    let bulk = crate::provision::bulk_accounts(db, &admin_ctx, &admin, department.id, Role::School).await?;
    let mut office_accounts = Vec::with_capacity(district_ids.len());
    for (i, d) in plan.districts.iter().enumerate() {
        let username =
            if i == 0 { "demo-district".to_owned() } else { accounts::bulk_username(&d.unit.code, Role::District) };
        office_accounts.push(username);
    }
    let school_account =
        |i: usize| bulk.iter().find(|l| l.school_code == plan.schools[i].unit.code).map(|l| l.username.clone());
    let mut singles: Vec<(String, Role, i64, String)> =
        vec![("demo-department".to_owned(), Role::Department, department.id, "Chuyên viên Sở GDĐT".to_owned())];
    for (i, username) in office_accounts.iter().enumerate() {
        singles.push((
            username.clone(),
            Role::District,
            district_ids[i],
            format!("Chuyên viên {}", plan.districts[i].unit.name),
        ));
    }
    if let Some(first) = school_ids.first() {
        singles.push(("demo-school".to_owned(), Role::School, *first, "Văn thư nhà trường".to_owned()));
    }
    let secrets = crate::provision::one_time_passwords(singles.len()).await?;
    for ((username, role, unit_id, display_name), (_, hash)) in singles.into_iter().zip(secrets) {
        let req = accounts::AccountRequest { username, role, unit_id, display_name };
        accounts::create(db, &admin_ctx, &admin, req, hash).await?;
    }
    for username in ["demo-department", "demo-district", "demo-school"] {
        if users::by_username(db, username).await?.is_some() {
            keep_demo_password(db, &caller_of(db, username).await?, clock.now()).await?;
        }
    }

    done("accounts");

    // 4. each unit's people, through the people import of its own lists (classes named in the
    // class list are created as "lớp mới"), or in bulk
    let department_caller = caller_of(db, "demo-department").await?;
    if let Loader::Bulk { batch } = loader {
        let targets = bulk::Units { department: department.id, districts: district_ids, schools: school_ids, batch };
        bulk::load_people(db, population, &plan, targets, clock, &year, &mut report).await?;
    } else {
        let names = names::NameSampler::default();
        let mut ids = generate::Registry::default();
        let mut truths = Vec::new();
        let people = PeopleImport { db, clock, settings: demo_import_settings() };
        let department_staff = generate::office_staff(&plan, None, &mut ids, &names);
        truths.extend(truths_of(&department_staff, &mut report));
        report.staff += people.staff(&department_caller, department.id, &department.name, &department_staff).await?;
        for (i, district_id) in district_ids.iter().enumerate() {
            let staff = generate::office_staff(&plan, Some(i), &mut ids, &names);
            truths.extend(truths_of(&staff, &mut report));
            let caller = caller_of(db, &office_accounts[i]).await?;
            report.staff += people.staff(&caller, *district_id, &plan.districts[i].unit.name, &staff).await?;
        }
        for (index, school_id) in school_ids.iter().enumerate() {
            let school = &plan.schools[index];
            let generated = generate::school_people(&plan, index, &mut ids, &names);
            let username =
                school_account(index).ok_or_else(|| anyhow::anyhow!("no account for {}", school.unit.code))?;
            let caller = caller_of(db, &username).await?;
            let students: Vec<(&str, &generate::Person)> =
                generated.students.iter().map(|(c, p)| (school.classes[*c].name.as_str(), p)).collect();
            truths
                .extend(truths_of(&generated.students.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(), &mut report));
            report.students += people.import(&caller, *school_id, &school.unit.name, students, false).await?;
            report.classes += classes_of(db, *school_id).await?;
            truths.extend(truths_of(&generated.staff, &mut report));
            report.staff += people.staff(&caller, *school_id, &school.unit.name, &generated.staff).await?;
        }
        // The registry's truth, into the simulator's own database.
        population.replace_all(truths).await?;
        // the planner's statistics for the tables just filled, as the bulk loader takes them:
        // a PostgreSQL without autovacuum (this project's test machine) would otherwise plan
        // on those of the empty tables the migrations analyzed (a class page's rows read
        // through the school's index and sorted: 132 buffers a page instead of 16)
        if sea_orm::ConnectionTrait::get_database_backend(db) == sea_orm::DatabaseBackend::Postgres {
            sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
        }
    }
    done("people");

    // 5. the Department's campaigns (POST /campaigns) and today's snapshot, so the timeline has
    // its first point before the daily worker runs
    let ctx = AuditCtx::manual(&department_caller, Some(format!("seed-demo:{seed}")), clock.now());
    for new in demo_campaigns(today, &year) {
        campaigns::create(db, &department_caller, &ctx, new).await?;
        report.campaigns += 1;
    }
    stats::take_snapshot(db, today, &year, stats::SnapshotMode::Refresh).await?;
    done("campaigns and today's snapshot");
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The people import's settings for the demo: the defaults, planned in line rather than by the
/// background job (the seeder waits for each file anyway).
fn demo_import_settings() -> crate::config::ImportSettings {
    crate::config::ImportSettings { job_threshold_rows: usize::MAX, ..Settings::default().import }
}

async fn unit_id(db: &DatabaseConnection, code: &str) -> anyhow::Result<i64> {
    Ok(units::by_code(db, code).await?.ok_or_else(|| anyhow::anyhow!("unit {code} not created"))?.id)
}

async fn classes_of(db: &DatabaseConnection, school_id: i64) -> anyhow::Result<usize> {
    use crate::store::entities::classes as c;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(c::Entity::find().filter(c::Column::SchoolId.eq(school_id)).count(db).await? as usize)
}

/// Imports lists the way a clerk does: upload (preview), commit.
struct PeopleImport<'a> {
    db: &'a DatabaseConnection,
    clock: &'a Clock,
    settings: crate::config::ImportSettings,
}

/// How many times a list is sent again with the rows an earlier file refused: a copy-pasted ID
/// number makes the second row a "duplicate row" of the first within one file, and a school
/// then adds that child in a later, supplementary list.
const SUPPLEMENTS: usize = 3;

impl PeopleImport<'_> {
    /// Imports a unit's staff list (positions in its `Chức vụ` column).
    async fn staff(
        &self,
        caller: &Caller,
        unit_id: i64,
        unit_name: &str,
        staff: &[generate::Person],
    ) -> anyhow::Result<usize> {
        self.import(caller, unit_id, unit_name, staff.iter().map(|p| ("", p)).collect(), true).await
    }

    /// Imports the rows (class name, person) of one unit; answers how many records it created.
    async fn import(
        &self,
        caller: &Caller,
        unit_id: i64,
        unit_name: &str,
        mut rows: Vec<(&str, &generate::Person)>,
        staff: bool,
    ) -> anyhow::Result<usize> {
        let kind = if staff { PersonKind::Staff } else { PersonKind::Student };
        let mut created = 0;
        for round in 0..=SUPPLEMENTS {
            if rows.is_empty() {
                break;
            }
            let list = workbooks::PeopleList { school_name: unit_name, rows: rows.clone(), staff };
            let bytes = workbooks::people_list(&list)?;
            let filename = match (staff, round) {
                (true, 0) => "danh-sach-can-bo.xlsx".to_owned(),
                (false, 0) => "danh-sach-hoc-sinh.xlsx".to_owned(),
                (_, n) => format!("danh-sach-bo-sung-{n}.xlsx"),
            };
            let opts = ImportOptions { kind: Some(kind), class_id: None, unit_id: Some(unit_id), commit: false };
            let env = crate::jobs::WorkerEnv { clock: self.clock.clone(), events: Default::default() };
            let upload = imports::Upload { filename, bytes };
            let preview = imports::start(self.db, &self.settings, &env, caller, None, upload, opts)
                .await
                .map_err(|e| anyhow::anyhow!("people import: {e}"))?;
            let record =
                imports::commit(self.db, self.clock, caller, None, &preview.id, &CommitOptions::default()).await?;
            created += imports::totals_of(&record).create as usize;
            // rows the file refused go in a supplementary list (data rows start on the 6th)
            let refused: Vec<usize> = imports::rows_of(self.db, &record.id)
                .await?
                .iter()
                .filter(|r| r.action == RowAction::Rejected)
                .filter_map(|r| (r.row as usize).checked_sub(6))
                .collect();
            if !refused.is_empty() && round == SUPPLEMENTS {
                tracing::warn!(unit = unit_name, rows = refused.len(), "demo rows refused by the people import");
            }
            rows = refused.into_iter().filter_map(|i| rows.get(i).copied()).collect();
        }
        Ok(created)
    }
}

fn truths_of(people: &[generate::Person], report: &mut SeedReport) -> Vec<TruthRow> {
    people.iter().inspect(|p| tally(report, p)).filter(|p| p.registered).map(truth_row).collect()
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
