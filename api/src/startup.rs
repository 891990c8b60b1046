//! Building the application: settings → database (migrated) → state → HTTP server bound to its
//! own listener, so tests can start it on port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::error::{json_error_handler, path_error_handler, query_error_handler};
use crate::registry::population::Population;
use crate::state::AppState;
use crate::store::Store;

/// The personal-data keys of a process: read from the settings, checked against what the
/// database holds (the server refuses to start without the keys that sealed its values,
/// [`crate::crypto::check_start`]), installed for the store, and every ID number still in clear
/// (a database written before it had keys) sealed in place, in batches, with a count in the log.
/// Every command that opens the database calls it after migrating.
pub async fn prepare_keys(
    db: &sea_orm::DatabaseConnection,
    settings: &Settings,
) -> anyhow::Result<Option<std::sync::Arc<crate::crypto::KeyRing>>> {
    use crate::store::sealing;
    let ring = crate::crypto::KeyRing::from_settings(settings)?.map(std::sync::Arc::new);
    let stored = checked_keys(db, ring.as_deref(), false).await?;
    let Some(ring) = ring else {
        tracing::warn!("no personal-data keys configured (data_keys, index_key): ID numbers are stored in clear");
        return Ok(None);
    };
    tracing::info!("personal-data keys: {ring}");
    sealing::register_keys(db, &ring).await?;
    crate::crypto::install(ring.clone());
    // values in clear (a database written before its keys), or an index rebuilt in part under
    // this index key (a rotation the service was started in the middle of): sealed now
    let mut other_index = stored.index_key_ids.iter().any(|id| *id != ring.index_key_id());
    if other_index {
        // perhaps only an id the table still lists: the values decide
        let scanned = sealing::rescan_keys(db, &ring).await?;
        other_index = scanned.index_key_ids.iter().any(|id| *id != ring.index_key_id());
    }
    if other_index || sealing::holds_clear_values(db).await? {
        tracing::info!("sealing the ID numbers stored in clear");
        let report = sealing::encrypt_existing(db, &ring, 1_000, |scanned, sealed| {
            tracing::info!(scanned, sealed, "sealing ID numbers")
        })
        .await?;
        tracing::info!("{report}");
        if other_index {
            sealing::rescan_keys(db, &ring).await?;
        }
    }
    Ok(Some(ring))
}

/// The key ids the database holds, checked against the configured keys
/// ([`crate::crypto::check_start`]). The table of ids in use answers at once; since it may
/// also list an id no value uses any more (a process started with a key and sealed nothing),
/// a start it would refuse is decided by the values themselves, and the table made equal to
/// them. `new_index`: the index key is being replaced (`rotate-key`), so the blind indexes'
/// key ids are not checked.
pub async fn checked_keys(
    db: &sea_orm::DatabaseConnection,
    ring: Option<&crate::crypto::KeyRing>,
    new_index: bool,
) -> anyhow::Result<crate::crypto::StoredKeys> {
    use crate::store::sealing;
    let check = |stored: &crate::crypto::StoredKeys| {
        let mut stored = stored.clone();
        if new_index {
            stored.index_key_ids.clear();
        }
        crate::crypto::check_start(&stored, ring)
    };
    let stored = sealing::stored_keys(db).await?;
    if check(&stored).is_ok() {
        return Ok(stored);
    }
    let scanned = sealing::scan_keys(db).await?;
    check(&scanned)?;
    tracing::info!("the key ids listed in sealing_key_ids that no value uses are forgotten");
    sealing::replace_stored_keys(db, &scanned).await?;
    Ok(scanned)
}

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
    /// The registry simulator started in-process under `demo`, if any.
    pub registry_sim: Option<crate::registry::sim::SimHandle>,
}

impl Application {
    /// Connects and migrates the database, seeds demo data into an empty database in demo
    /// mode, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Application::build_with_events(settings, crate::jobs::events::WorkerEvents::default()).await
    }

    /// [`Application::build`] with the workers signalling on a given drain hook (instances that
    /// share one are watched as one, as tests of two instances on one database do).
    pub async fn build_with_events(
        mut settings: Settings,
        worker_events: crate::jobs::events::WorkerEvents,
    ) -> anyhow::Result<Application> {
        let secret = match (&settings.jwt_secret, settings.demo) {
            (Some(secret), _) => secret.clone(),
            (None, true) => crate::auth::token::random_secret(),
            (None, false) => anyhow::bail!(
                "no JWT secret configured: set APP_JWT_SECRET (at least 32 bytes) or jwt_secret in the config file, \
                 or start with --demo"
            ),
        };
        if settings.demo {
            let dir = std::path::Path::new(crate::crypto::keys::DEMO_KEY_DIR);
            for file in crate::crypto::keys::prepare_demo_keys(&mut settings, dir)? {
                tracing::info!(file = %file.display(), "demo: personal-data key generated");
            }
        }
        let db = crate::db::connect(&settings).await?;
        crate::db::migrate(&db).await?;
        let data_keys = prepare_keys(&db, &settings).await?;
        let store = Store::new(db);
        // The registry simulator's population lives in its own database (never dinhdanh's).
        let population = if settings.demo {
            let population = Population::open(&settings.registry_sim.database_url).await?;
            crate::demo::seed_if_empty(&store, &population, &settings).await?;
            Some(population)
        } else {
            None
        };
        if crate::store::counters::ensure_built(&store.db).await? {
            tracing::info!("statistics counters rebuilt from the records");
        }
        tokio::spawn(crate::stats::worker::run(store.clone(), settings.clone()));
        let mut registry_sim = None;
        if let Some(population) = population
            && settings.registry.base_url.trim().is_empty()
        {
            // Demo: the registry simulator runs in-process on a free port, serving the demo's truth.
            let sim_settings =
                crate::config::RegistrySimSettings { bind: "127.0.0.1:0".to_owned(), ..settings.registry_sim.clone() };
            let sim = crate::registry::sim::spawn(population, sim_settings)?;
            settings.registry.base_url = sim.url.clone();
            settings.registry.api_key = None;
            tracing::info!(url = %sim.url, "registry simulator started");
            registry_sim = Some(sim);
        }
        let worker_env = crate::jobs::WorkerEnv { clock: settings.clock.clone(), events: worker_events.clone() };
        crate::jobs::import_sweep::spawn(store.clone(), settings.import.clone(), worker_env.clone());
        crate::jobs::retention::spawn(store.clone(), settings.retention.clone(), worker_env.clone());
        crate::jobs::spawn_verification_worker(store.clone(), &settings.registry, worker_env)?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let keys = web::Data::new(TokenKeys::new(&secret, settings.jwt_ttl_minutes)?);
        let mut state = AppState::new(store, settings.clone(), worker_events);
        state.keys = data_keys;
        let state = web::Data::new(state);
        let openapi = crate::routes::openapi();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            let settings = &app_state.settings;
            App::new()
                .app_data(app_state.clone())
                .app_data(keys.clone())
                .app_data(web::JsonConfig::default().limit(settings.max_json_bytes).error_handler(json_error_handler))
                .app_data(web::QueryConfig::default().error_handler(query_error_handler))
                .app_data(web::PathConfig::default().error_handler(path_error_handler))
                .app_data(web::PayloadConfig::default().limit(settings.max_upload_bytes))
                .into_utoipa_app()
                .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
                .service(crate::routes::health::health)
                .into_app()
                .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi.clone()))
                .route(
                    "/api/docs",
                    web::get().to(|| async {
                        actix_web::HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish()
                    }),
                )
                .default_service(web::to(crate::spa::serve))
                .wrap(Compress::default())
                .wrap(crate::http::cors(&settings.cors_allowed_origins))
                .wrap(crate::http::security_headers())
                .wrap(from_fn(crate::http::request_id_and_log))
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if settings.http_workers > 0 {
            server = server.workers(settings.http_workers);
        }
        Ok(Application { port, server: server.run(), state, registry_sim })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is asked to stop (SIGINT/SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Initialises tracing: `RUST_LOG` when set, else the configured filter.
pub fn init_tracing(default_filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// The glibc tunable the server runs with: no fastbins. With them, a free of a small block
/// parks it in a fastbin and every later request of 1 KiB or more first merges all the parked
/// blocks back (`malloc_consolidate`); a list page allocates tens of thousands of small blocks
/// and a few large ones (its answer, SQLite's pages), and spent 6 % of its CPU merging.
/// Measured on the class page (`--bench reads`, SQLite): 8–10 % more requests per second.
pub const ALLOCATOR_TUNABLE: &str = "glibc.malloc.mxfast=0";

/// The `GLIBC_TUNABLES` value to start the server with, given the current one: `None` when
/// the fastbin size is already set (by this function's re-execution, or by the operator).
pub fn tunables_with_fastbins_off(current: Option<&str>) -> Option<String> {
    match current.map(str::trim).filter(|c| !c.is_empty()) {
        Some(current) if current.split(':').any(|t| t.starts_with("glibc.malloc.mxfast=")) => None,
        Some(current) => Some(format!("{current}:{ALLOCATOR_TUNABLE}")),
        None => Some(ALLOCATOR_TUNABLE.to_owned()),
    }
}

/// Runs the rest of the server with [`ALLOCATOR_TUNABLE`]: glibc reads its tunables only when a
/// process starts, so the process executes itself again (same id, same arguments) with the
/// variable set, once. Returns when it is already set, off glibc, or when the re-execution
/// fails (the server then runs on glibc's defaults, and says so).
pub fn with_allocator_tuned() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let current = std::env::var("GLIBC_TUNABLES").ok();
        let Some(value) = tunables_with_fastbins_off(current.as_deref()) else { return };
        let mut args = std::env::args_os();
        let arg0 = args.next().unwrap_or_default();
        let error = match std::env::current_exe() {
            Ok(exe) => std::process::Command::new(exe).arg0(arg0).args(args).env("GLIBC_TUNABLES", value).exec(),
            Err(e) => e,
        };
        eprintln!("dinhdanh: running on glibc's default allocator settings ({ALLOCATOR_TUNABLE} not applied: {error})");
    }
}

#[cfg(test)]
mod allocator_tests {
    use super::*;

    #[test]
    fn the_fastbin_tunable_is_added_once() {
        let cases: &[(Option<&str>, Option<&str>)] = &[
            (None, Some("glibc.malloc.mxfast=0")),
            (Some(""), Some("glibc.malloc.mxfast=0")),
            (Some("glibc.malloc.tcache_count=100"), Some("glibc.malloc.tcache_count=100:glibc.malloc.mxfast=0")),
            (Some("glibc.malloc.mxfast=0"), None),
            (Some("glibc.malloc.check=0:glibc.malloc.mxfast=64"), None),
        ];
        for (current, want) in cases {
            assert_eq!(tunables_with_fastbins_off(*current).as_deref(), *want, "{current:?}");
        }
    }
}
