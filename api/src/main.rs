//! The `dinhdanh` command: the server and its maintenance subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use dinhdanh::config::Settings;

#[derive(Parser)]
#[command(
    name = "dinhdanh",
    version,
    about = "Identity data of students and staff, verified against the national population database"
)]
struct Cli {
    /// TOML configuration file (see dinhdanh.example.toml); also APP_CONFIG.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL (sqlite://… or postgres://…); also DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API, docs and web app).
    Serve {
        /// Seed demo data into an empty database and generate a JWT secret if none is set.
        #[arg(long)]
        demo: bool,
        /// Address to listen on; also APP_BIND.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Set up a province's own instance: the Department unit of the province and its first
    /// administrator (`department_admin`). Prints a one-time password, to be changed at the first
    /// sign-in, unless --password-file gives one. A second run changes nothing and says so.
    Init {
        /// The province's code after the 2025 reform (e.g. 31 for Hải Phòng).
        #[arg(long)]
        province_code: String,
        /// Username of the first administrator.
        #[arg(long)]
        admin_username: String,
        /// A file holding the administrator's password (first line); no change is asked at the
        /// first sign-in.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Load the province's list of district offices and schools (.xlsx, .xls, .csv; MoET-style
    /// headers such as Mã trường, Tên trường, Cấp học, Đơn vị quản lý): prints what it would
    /// create, change, close or reject; --commit applies it.
    ImportUnits {
        /// The list.
        file: PathBuf,
        /// Apply the list (without it, only the preview is printed).
        #[arg(long)]
        commit: bool,
    },
    /// Seed the demo Hải Phòng data into an empty database, and the registry simulator's population
    /// into its own database (`registry_sim.database_url`).
    SeedDemo {
        /// Number of students to generate.
        #[arg(long, default_value_t = 5_000)]
        students: u32,
        /// Seed of the generator: the same seed gives the same data.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
    /// Run the national population database simulator (serves the demo's truth population from
    /// its own database, `registry_sim.database_url`, with the faults of `[registry_sim]`), or
    /// print its contract.
    RegistrySim {
        /// Address to listen on; also APP_REGISTRY_SIM__BIND.
        #[arg(long)]
        bind: Option<String>,
        /// Print the registry contract (OpenAPI) and exit.
        #[arg(long)]
        openapi: bool,
    },
    /// Re-run the rules on every stored record (after the rules changed).
    Revalidate,
    /// Recount the progress statistics from the records (after bulk changes made outside the
    /// service) and report any difference the counters had.
    RecountStats,
    /// Seal the ID numbers the database holds in clear, in place, in batches (resumable; also
    /// done at every start with keys), and print how many records were sealed.
    EncryptExisting {
        /// Records per transaction.
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
    },
    /// Re-seal every ID number with the first data key and rebuild the blind index under the
    /// configured index key, in batches, with progress (the old data keys stay listed until it
    /// has finished; the service may run during a data key rotation, not an index key one).
    RotateKey {
        /// Records per transaction.
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
    },
    /// Delete the personal data kept for operations that is past its retention time (`[retention]`:
    /// imports' planned rows, template snapshots, registry request bodies) once, now, record it
    /// in the access log and print the counts (the server does it daily by itself).
    Purge,
    /// The Ministry's national figures: signs in to each province's instance listed in SOURCES
    /// (one line per province: `url,username,password file`), reads its statistics export
    /// (counts only, no personal data) and writes the merged table, one row per province and
    /// the nation's, to --out (.xlsx); prints the totals.
    Rollup {
        /// The list of provinces' instances.
        sources: PathBuf,
        /// The national workbook to write.
        #[arg(long, default_value = "tong-hop-toan-quoc.xlsx")]
        out: PathBuf,
    },
    /// Check a file offline and write the result next to it. A CSV whose headers are the
    /// /validate field names (fullName, dateOfBirth, gender, personalId, grade, role, province,
    /// district, commune or residenceText) is streamed, whatever its size, to FILE.checked.csv
    /// with the normalised values and the findings added. Any other layout the import accepts
    /// (.xlsx, .xls, .csv: our template, the MoET export…) gets the error workbook
    /// FILE.checked.xlsx. Exit status: 0 when no row has an error, 2 when some do, 1 when the
    /// file cannot be read.
    Check {
        /// The file to check.
        file: PathBuf,
        /// `student` (default, or what our template says) or `staff`.
        #[arg(long)]
        population: Option<String>,
        /// Where to write the checked CSV (default: FILE.checked.csv next to the file).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The file holds month-first dates (flag every date that reads both ways).
        #[arg(long)]
        month_first_dates: bool,
        /// Threads checking a CSV's rows (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::from_env(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        s.database_url = url.clone();
    }
    Ok(s)
}

/// Runs `dinhdanh check` on one CSV file, with a progress line on stderr and the summary on
/// stdout.
fn check_file(
    file: &std::path::Path,
    out: Option<PathBuf>,
    kind: dinhdanh::rules::PersonKind,
    month_first_dates: bool,
    threads: Option<usize>,
) -> anyhow::Result<dinhdanh::check::CheckSummary> {
    use anyhow::Context;
    use dinhdanh::rules::RuleContext;
    let input = std::fs::File::open(file).with_context(|| format!("không mở được {}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let out = out.unwrap_or_else(|| dinhdanh::check::checked_path(file));
    let output = std::fs::File::create(&out).with_context(|| format!("không tạo được {}", out.display()))?;
    let mut ctx = RuleContext::new(dinhdanh::domain::clock::today(), kind);
    ctx.month_first_dates = month_first_dates;
    let started = std::time::Instant::now();
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = dinhdanh::check::check_csv_with(input, output, &ctx, threads, |rows| {
        let secs = started.elapsed().as_secs_f64().max(0.001);
        eprint!("\r  {rows} dòng đã kiểm tra ({:.0} dòng/giây, tệp {:.1} MB)", rows as f64 / secs, size as f64 / 1e6);
    })
    .with_context(|| format!("kiểm tra {}", file.display()))?;
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    println!("{} dòng kiểm tra trong {secs:.1} giây → {}", summary.rows, out.display());
    println!(
        "  đạt: {}, cần xem lại (cảnh báo): {}, có lỗi (phải sửa trước khi gửi xác thực): {}, đã tự sửa an toàn: {}",
        summary.clean, summary.with_warnings_only, summary.with_errors, summary.repaired
    );
    let mut codes: Vec<_> = summary.by_code.iter().collect();
    codes.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(b.0)));
    for (code, (severity, count)) in codes {
        println!("  {count:>9}  {code} ({})", severity.as_str());
    }
    Ok(summary)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. }) {
        // before anything is read or written: the process may start again here
        dinhdanh::startup::with_allocator_tuned();
    }
    let mut settings = settings(&cli)?;
    dinhdanh::startup::init_tracing(&settings.log);
    match cli.command {
        Command::Serve { demo, bind } => {
            settings.demo |= demo;
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            if !settings.demo {
                let db = dinhdanh::db::connect(&settings).await?;
                dinhdanh::db::migrate(&db).await?;
                let empty = dinhdanh::store::units::is_empty(&db).await?;
                db.close().await.ok();
                if empty {
                    println!(
                        "{}",
                        dinhdanh::provision::first_start_message(&dinhdanh::db::redact_url(&settings.database_url))
                    );
                    std::process::exit(2);
                }
            }
            let app = dinhdanh::startup::Application::build(settings.clone()).await?;
            let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            let host = if host == "0.0.0.0" || host.is_empty() { "127.0.0.1" } else { host };
            let url = format!("http://{host}:{}", app.port());
            println!("dinhdanh is running at {url}/");
            println!("  API docs:  {url}/api/docs/");
            println!("  database:  {}", dinhdanh::db::redact_url(&settings.database_url));
            if settings.demo {
                println!("  demo accounts (password: demo): demo-department, demo-district, demo-school, demo-admin");
            }
            if let Some(sim) = &app.registry_sim {
                println!("  registry simulator: {}/v1/verifications", sim.url);
            }
            if !dinhdanh::spa::is_built() {
                println!("  the web app is not built into this binary: run `make frontend` and rebuild");
            }
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            println!("migrations applied to {}", dinhdanh::db::redact_url(&settings.database_url));
        }
        Command::Init { province_code, admin_username, password_file } => {
            use anyhow::Context;
            let password = match password_file {
                Some(path) => {
                    let text =
                        std::fs::read_to_string(&path).with_context(|| format!("không đọc được {}", path.display()))?;
                    Some(text.lines().next().unwrap_or_default().to_owned())
                }
                None => None,
            };
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let outcome =
                dinhdanh::provision::init(&db, province_code.trim(), &admin_username, password, settings.clock.now())
                    .await?;
            println!("{outcome}");
        }
        Command::ImportUnits { file, commit } => {
            use anyhow::Context;
            let bytes = std::fs::read(&file).with_context(|| format!("không đọc được {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let lines = dinhdanh::routes::unit_lists::read_unit_list(&name, &bytes, &settings.import.limits())
                .map_err(|e| anyhow::anyhow!("{}", e.detail.clone().unwrap_or_else(|| e.code.as_str().to_owned())))?;
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let report = dinhdanh::provision::import_units(&db, &name, &lines, commit, settings.clock.now()).await?;
            println!("{report}");
        }
        Command::SeedDemo { students, seed } => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            dinhdanh::startup::prepare_keys(&db, &settings).await?;
            let store = dinhdanh::store::Store::new(db);
            let population =
                dinhdanh::registry::population::Population::open(&settings.registry_sim.database_url).await?;
            let loader = dinhdanh::demo::Loader::for_students(students);
            let report =
                dinhdanh::demo::seed_with(&store, &population, students, seed, &settings.clock, loader).await?;
            println!("{report}");
        }
        Command::Revalidate => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            dinhdanh::startup::prepare_keys(&db, &settings).await?;
            let started = std::time::Instant::now();
            let report = dinhdanh::store::people::revalidate_all(&db, settings.clock.now(), |done, total| {
                eprint!("\r  {done}/{total} records checked");
            })
            .await?;
            eprintln!();
            println!(
                "{} records checked in {:.1} s: {} with new findings or normalised values, {} to verify again",
                report.scanned,
                started.elapsed().as_secs_f64(),
                report.changed,
                report.requeued
            );
        }
        Command::EncryptExisting { batch } | Command::RotateKey { batch } => {
            let rotate = matches!(cli.command, Command::RotateKey { .. });
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let ring = dinhdanh::crypto::KeyRing::from_settings(&settings)?.map(std::sync::Arc::new).ok_or_else(|| {
                anyhow::anyhow!(
                    "no keys configured: set APP_DATA_KEYS (or data_keys_file) and APP_INDEX_KEY (or index_key_file)"
                )
            })?;
            use dinhdanh::store::sealing;
            // a new index key is what a rotation of the index is for: the index is rebuilt from
            // the normalised numbers, which the data keys open
            dinhdanh::startup::checked_keys(&db, Some(&ring), rotate).await?;
            sealing::register_keys(&db, &ring).await?;
            dinhdanh::crypto::install(ring.clone());
            let report = sealing::encrypt_existing(&db, &ring, batch, |scanned, sealed| {
                eprint!("\r  {scanned} records scanned, {sealed} sealed");
            })
            .await?;
            eprintln!();
            // every value now sealed with these keys: the table lists what the values use
            sealing::rescan_keys(&db, &ring).await?;
            if rotate {
                println!(
                    "every ID number sealed with data key {} and indexed with index key {}: {report}",
                    ring.current_key_id(),
                    ring.index_key_id()
                );
            } else {
                println!("{report}");
            }
        }
        Command::Purge => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            dinhdanh::startup::prepare_keys(&db, &settings).await?;
            let purged = dinhdanh::store::retention::run(&db, &settings.clock, &settings.retention).await?;
            println!("deleted: {purged}");
        }
        Command::RecountStats => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            dinhdanh::startup::prepare_keys(&db, &settings).await?;
            let drift = dinhdanh::store::counters::drift(&db).await?;
            dinhdanh::store::counters::rebuild_atomically(&db).await?;
            println!("statistics recounted ({} counter rows differed before)", drift.len());
        }
        Command::Check { file, population, out, month_first_dates, threads } => {
            let kind = match population.as_deref() {
                None => None,
                Some("student") => Some(dinhdanh::rules::PersonKind::Student),
                Some("staff") => Some(dinhdanh::rules::PersonKind::Staff),
                Some(other) => anyhow::bail!("--population must be student or staff, not {other:?}"),
            };
            let rows_with_errors = if dinhdanh::check::is_validate_csv(&file) {
                check_file(
                    &file,
                    out,
                    kind.unwrap_or(dinhdanh::rules::PersonKind::Student),
                    month_first_dates,
                    threads,
                )?
                .with_errors
            } else {
                let today = dinhdanh::domain::clock::today();
                let summary = dinhdanh::excel::check::run(&file, kind, &settings.import, today, &mut |done, total| {
                    eprint!("\r  {done}/{total} dòng đã kiểm tra");
                })?;
                eprintln!();
                println!("{summary}");
                summary.rows_with_errors
            };
            if rows_with_errors > 0 {
                std::process::exit(2);
            }
        }
        Command::RegistrySim { bind, openapi } => {
            if openapi {
                println!("{}", dinhdanh::registry::sim::openapi().to_pretty_json()?);
                return Ok(());
            }
            if let Some(bind) = bind {
                settings.registry_sim.bind = bind;
            }
            let url = &settings.registry_sim.database_url;
            let population = dinhdanh::registry::population::Population::open(url).await?;
            let people = population.count().await?;
            let (sim, server) = dinhdanh::registry::sim::build(population, settings.registry_sim.clone())?;
            println!("registry simulator listening at {}/v1/verifications", sim.url);
            println!("  population: {people} people in {}", dinhdanh::db::redact_url(url));
            tokio::select! {
                r = server => r?,
                _ = tokio::signal::ctrl_c() => println!("stopping"),
            }
        }
        Command::Rollup { sources, out } => {
            let sources = dinhdanh::rollup::read_sources(&sources)?;
            let client = dinhdanh::rollup::client()?;
            let national = dinhdanh::rollup::run(&client, &sources).await?;
            let bytes = dinhdanh::stats::rollup::workbook(&national, chrono::Utc::now())?;
            std::fs::write(&out, bytes)?;
            for p in &national.provinces {
                println!(
                    "{} {}: {} học sinh, {} đã xác thực ({:.1}%); {} CBGVNV",
                    p.code,
                    p.department,
                    p.students.total,
                    p.students.verified,
                    p.students.verified_share() * 100.0,
                    p.staff.total
                );
            }
            let n = &national.students;
            println!(
                "Toàn quốc ({} tỉnh): {} học sinh, {} có số định danh, {} đã xác thực ({:.1}%); {} CBGVNV — {}",
                national.provinces.len(),
                n.total,
                n.with_personal_id,
                n.verified,
                n.verified_share() * 100.0,
                national.staff.total,
                out.display()
            );
        }
        Command::Openapi => {
            let doc = dinhdanh::routes::openapi();
            println!("{}", doc.to_pretty_json()?);
        }
    }
    Ok(())
}
