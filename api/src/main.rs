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
    /// Seed the demo Hải Phòng data into an empty database.
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
    /// Re-run the rules on every stored record (after the rules changed).
    Revalidate,
    /// Recount the progress statistics from the records (after bulk changes made outside the
    /// service) and report any difference the counters had.
    RecountStats,
    /// Check a spreadsheet offline (.xlsx, .xls or .csv, any layout the import accepts): run
    /// the rules on every row and write the error workbook next to it (FILE.checked.xlsx).
    /// Exit status: 0 when no row has an error, 2 when some do, 1 when the file cannot be read.
    Check {
        /// The file to check.
        file: PathBuf,
        /// `student` (default, or what our template says) or `staff`.
        #[arg(long)]
        population: Option<String>,
    },
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::from_env(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        s.database_url = url.clone();
    }
    Ok(s)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = settings(&cli)?;
    dinhdanh::startup::init_tracing(&settings.log);
    match cli.command {
        Command::Serve { demo, bind } => {
            settings.demo |= demo;
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            let app = dinhdanh::startup::Application::build(settings.clone()).await?;
            let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
            let host = if host == "0.0.0.0" || host.is_empty() { "127.0.0.1" } else { host };
            let url = format!("http://{host}:{}", app.port());
            println!("dinhdanh is running at {url}/");
            println!("  API docs:  {url}/api/docs/");
            println!("  database:  {}", dinhdanh::db::redact_url(&settings.database_url));
            if settings.demo {
                println!("  demo accounts (password: demo): demo-department, demo-district, demo-school");
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
        Command::SeedDemo { students, seed } => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let store = dinhdanh::store::Store::new(db);
            let report = dinhdanh::demo::seed(&store, students, seed).await?;
            println!("{report}");
        }
        Command::Revalidate => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let started = std::time::Instant::now();
            let report = dinhdanh::store::people::revalidate_all(&db, |done, total| {
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
        Command::RecountStats => {
            let db = dinhdanh::db::connect(&settings).await?;
            dinhdanh::db::migrate(&db).await?;
            let drift = dinhdanh::store::counters::drift(&db).await?;
            dinhdanh::store::counters::rebuild_atomically(&db).await?;
            println!("statistics recounted ({} counter rows differed before)", drift.len());
        }
        Command::Check { file, population } => {
            let kind = match population.as_deref() {
                None => None,
                Some("student") => Some(dinhdanh::rules::PersonKind::Student),
                Some("staff") => Some(dinhdanh::rules::PersonKind::Staff),
                Some(other) => anyhow::bail!("--population must be student or staff, not {other:?}"),
            };
            let today = dinhdanh::domain::clock::today();
            let summary = dinhdanh::excel::check::run(&file, kind, &settings.import, today, &mut |done, total| {
                eprint!("\r  {done}/{total} dòng đã kiểm tra");
            })?;
            eprintln!();
            println!("{summary}");
            if summary.rows_with_errors > 0 {
                std::process::exit(2);
            }
        }
        Command::Openapi => {
            let doc = dinhdanh::routes::openapi();
            println!("{}", doc.to_pretty_json()?);
        }
    }
    Ok(())
}
