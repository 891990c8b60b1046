//! The registry simulator: an actix app on its own port serving `POST /v1/verifications` from
//! the demo generator's true population, kept in the simulator's own database
//! ([`super::population`], never dinhdanh's), comparing like the registry would
//! ([`super::compare`]) and misbehaving on demand: latency, 5xx, 429 with `Retry-After`,
//! hanging calls, an outage window, malformed bodies (from `[registry_sim]`, or switched on
//! through [`SimHandle`] by tests and benchmarks). Calls with a known `Idempotency-Key` get the
//! stored answer again without being processed twice. Every call is kept in a request log.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use rand::Rng;
use utoipa::OpenApi;

use super::compare::{self, RegistryPerson, Tolerance};
use super::population::Population;
use super::{
    ItemOutcome, ItemResult, MismatchField, RegistryValues, RequestItem, Residence, VERIFY_PATH, VerificationRequest,
    VerificationResponse,
};
use crate::config::RegistrySimSettings;

/// Faults switched on at run time, each for the next `n` calls (or until switched off).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Every call answers 503 while set.
    pub outage: bool,
    pub fail_next: u32,
    pub rate_limit_next: u32,
    pub timeout_next: u32,
    pub malformed_next: u32,
}

/// One call as the simulator saw it.
#[derive(Debug, Clone)]
pub struct SimCall {
    pub at: Instant,
    pub idempotency_key: Option<String>,
    pub request_ids: Vec<String>,
    pub status: u16,
    /// The items were compared (first time this key was seen with a usable body).
    pub processed: bool,
    /// The stored answer of an earlier call with the same key was sent again.
    pub replay: bool,
}

/// The simulator's state, shared by its workers and its [`SimHandle`].
pub struct SimState {
    population: Population,
    settings: RwLock<RegistrySimSettings>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<SimCall>>,
    answers: Mutex<HashMap<String, String>>,
    window: Mutex<(u64, u32)>,
    malformed_count: Mutex<u64>,
    started: Instant,
}

/// Control of a running simulator.
#[derive(Clone)]
pub struct SimHandle {
    /// Base URL (`http://127.0.0.1:PORT`): the client's `registry.base_url`.
    pub url: String,
    state: web::Data<SimState>,
}

impl SimHandle {
    pub fn set_outage(&self, on: bool) {
        self.faults(|f| f.outage = on);
    }
    pub fn fail_next(&self, n: u32) {
        self.faults(|f| f.fail_next = n);
    }
    pub fn rate_limit_next(&self, n: u32) {
        self.faults(|f| f.rate_limit_next = n);
    }
    pub fn timeout_next(&self, n: u32) {
        self.faults(|f| f.timeout_next = n);
    }
    pub fn malformed_next(&self, n: u32) {
        self.faults(|f| f.malformed_next = n);
    }
    /// The population the simulator answers from (tests register people through it).
    pub fn population(&self) -> &Population {
        &self.state.population
    }
    fn faults(&self, change: impl FnOnce(&mut Faults)) {
        if let Ok(mut f) = self.state.faults.lock() {
            change(&mut f);
        }
    }
    /// Changes the configured behaviour.
    pub fn update_settings(&self, change: impl FnOnce(&mut RegistrySimSettings)) {
        if let Ok(mut s) = self.state.settings.write() {
            change(&mut s);
        }
    }
    /// Every call so far, oldest first.
    pub fn calls(&self) -> Vec<SimCall> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
    /// How many times each request id was processed (replays excluded).
    pub fn processed_counts(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for call in self.calls().into_iter().filter(|c| c.processed) {
            for id in call.request_ids {
                *out.entry(id).or_insert(0) += 1;
            }
        }
        out
    }
}

/// The documented contract of the registry (written to `openapi/registry.json`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "National population database: verification (dinhdanh's contract)",
        version = "1",
        description = "The contract dinhdanh speaks to the national population database (CSDLQG về dân cư). \
The real interface is not public; an adapter maps it onto this one. `dinhdanh registry-sim` implements it.\n\n\
Authentication: `Authorization: Bearer <api key>` or `X-Api-Key: <api key>`.\n\n\
Idempotency: every call carries an `Idempotency-Key`; a call resent with a key already answered gets the \
same answer again and is not processed twice.\n\n\
Comparison: exact on the ID number, date of birth and gender; the name after NFC, whitespace collapsing and \
case folding (old/new tone placement is not forgiven unless configured); the residence on the codes sent.\n\n\
Whole-call errors: 400 (body is not a request), 401 (bad key), 413 (too many items), 429 (rate limited, with \
`Retry-After` in seconds), 5xx, and timeouts."
    ),
    paths(verify),
    modifiers(&RegistryAuth),
    components(schemas(
        VerificationRequest,
        RequestItem,
        Residence,
        VerificationResponse,
        ItemResult,
        ItemOutcome,
        MismatchField,
        RegistryValues
    ))
)]
pub struct RegistryApi;

struct RegistryAuth;

impl utoipa::Modify for RegistryAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme("apiKey", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))));
    }
}

/// The registry contract's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    RegistryApi::openapi()
}

/// Builds the simulator's server on its own listener (`settings.bind`; port 0 picks one).
/// The caller runs the returned server (see [`spawn`]).
pub fn build(population: Population, settings: RegistrySimSettings) -> anyhow::Result<(SimHandle, Server)> {
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| anyhow::anyhow!("registry simulator cannot listen on {}: {e}", settings.bind))?;
    let port = listener.local_addr()?.port();
    let state = web::Data::new(SimState {
        population,
        settings: RwLock::new(settings),
        faults: Mutex::new(Faults::default()),
        log: Mutex::new(Vec::new()),
        answers: Mutex::new(HashMap::new()),
        window: Mutex::new((0, 0)),
        malformed_count: Mutex::new(0),
        started: Instant::now(),
    });
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .app_data(web::PayloadConfig::default().limit(16 * 1024 * 1024))
            .route(VERIFY_PATH, web::post().to(verify))
    })
    .listen(listener)?
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .run();
    Ok((SimHandle { url: format!("http://127.0.0.1:{port}"), state }, server))
}

/// Starts the simulator in the background of the current runtime.
pub fn spawn(population: Population, settings: RegistrySimSettings) -> anyhow::Result<SimHandle> {
    let (handle, server) = build(population, settings)?;
    tokio::spawn(server);
    Ok(handle)
}

/// What the fault injection decided for one call.
enum Fault {
    None,
    Status(u16),
    RateLimited(u64),
}

impl SimState {
    fn settings(&self) -> RegistrySimSettings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn log(&self, call: SimCall) {
        if let Ok(mut l) = self.log.lock() {
            l.push(call);
        }
    }

    fn take(&self, pick: impl FnOnce(&mut Faults) -> &mut u32) -> bool {
        let Ok(mut f) = self.faults.lock() else { return false };
        let n = pick(&mut f);
        if *n > 0 {
            *n -= 1;
            true
        } else {
            false
        }
    }

    /// Faults that answer before the body is looked at.
    fn fault_before(&self, s: &RegistrySimSettings) -> Fault {
        let outage_now = self.faults.lock().map(|f| f.outage).unwrap_or(false);
        let elapsed = self.started.elapsed().as_secs();
        let in_window =
            s.outage_secs > 0 && elapsed >= s.outage_after_secs && elapsed < s.outage_after_secs + s.outage_secs;
        if outage_now || in_window {
            return Fault::Status(503);
        }
        if self.take(|f| &mut f.rate_limit_next) {
            return Fault::RateLimited(s.retry_after_secs);
        }
        if s.rate_limit_per_sec > 0
            && let Ok(mut w) = self.window.lock()
        {
            let second = self.started.elapsed().as_secs();
            if w.0 != second {
                *w = (second, 0);
            }
            if w.1 >= s.rate_limit_per_sec {
                return Fault::RateLimited(s.retry_after_secs);
            }
            w.1 += 1;
        }
        if self.take(|f| &mut f.fail_next) || (s.error_rate > 0.0 && rand::rng().random_bool(s.error_rate)) {
            return Fault::Status(500);
        }
        Fault::None
    }

    async fn answer(&self, items: &[serde_json::Value], s: &RegistrySimSettings) -> Result<Vec<ItemResult>, String> {
        let mut parsed = Vec::with_capacity(items.len());
        for value in items {
            let Some(request_id) = value.get("requestId").and_then(|v| v.as_str()) else {
                return Err("every item needs a requestId".to_owned());
            };
            let item = serde_json::from_value::<RequestItem>(value.clone()).map_err(|e| e.to_string());
            let item = item.and_then(|i| compare::invalid_reason(&i).map_or(Ok(i), Err));
            parsed.push((request_id.to_owned(), item));
        }
        let ids: Vec<String> =
            parsed.iter().filter_map(|(_, i)| i.as_ref().ok().map(|i| i.personal_id.clone())).collect();
        let held: HashMap<String, RegistryPerson> =
            self.population.find(ids).await.map_err(|e| format!("database: {e}"))?;
        let tolerance = Tolerance { tone_placement: s.tone_placement_tolerant };
        Ok(parsed
            .into_iter()
            .map(|(request_id, item)| match item {
                Err(reason) => ItemResult {
                    request_id,
                    outcome: ItemOutcome::Invalid,
                    fields: vec![],
                    registry_values: None,
                    reason: Some(reason),
                },
                Ok(item) => match held.get(&item.personal_id) {
                    None => ItemResult {
                        request_id,
                        outcome: ItemOutcome::NotFound,
                        fields: vec![],
                        registry_values: None,
                        reason: None,
                    },
                    Some(person) => {
                        let fields = compare::compare(&item, person, tolerance);
                        if fields.is_empty() {
                            ItemResult {
                                request_id,
                                outcome: ItemOutcome::Matched,
                                fields,
                                registry_values: None,
                                reason: None,
                            }
                        } else {
                            let values = s.return_registry_values.then(|| compare::registry_values(&fields, person));
                            ItemResult {
                                request_id,
                                outcome: ItemOutcome::Mismatched,
                                fields,
                                registry_values: values,
                                reason: None,
                            }
                        }
                    }
                },
            })
            .collect())
    }

    /// A body that breaks the contract in one of several ways, none of which may verify a
    /// record: cut-off JSON, an unknown outcome, answers missing, a `matched` with mismatch
    /// fields, an answer for an item never sent.
    fn malformed(&self, good: &VerificationResponse) -> String {
        let n = self
            .malformed_count
            .lock()
            .map(|mut c| {
                *c += 1;
                *c
            })
            .unwrap_or(0);
        let mut results: Vec<serde_json::Value> =
            good.results.iter().filter_map(|r| serde_json::to_value(r).ok()).collect();
        match n % 5 {
            0 => {
                let text = serde_json::to_string(good).unwrap_or_default();
                text.get(..text.len() / 2).unwrap_or("{").to_owned()
            }
            1 => {
                for r in &mut results {
                    r["outcome"] = "ok".into();
                }
                serde_json::json!({ "results": results }).to_string()
            }
            2 => {
                results.pop();
                serde_json::json!({ "results": results }).to_string()
            }
            3 => {
                for r in &mut results {
                    r["outcome"] = "matched".into();
                    r["fields"] = serde_json::json!(["fullName"]);
                }
                serde_json::json!({ "results": results }).to_string()
            }
            _ => {
                for r in &mut results {
                    r["outcome"] = "matched".into();
                    r.as_object_mut().map(|o| o.remove("fields"));
                    r.as_object_mut().map(|o| o.remove("registryValues"));
                    r["requestId"] = format!("x{}", r["requestId"].as_str().unwrap_or("")).into();
                }
                serde_json::json!({ "results": results }).to_string()
            }
        }
    }
}

fn authorised(req: &HttpRequest, key: &str) -> bool {
    if key.is_empty() {
        return true;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bearer = header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned));
    bearer.as_deref() == Some(key) || header("x-api-key").as_deref() == Some(key)
}

fn problem(status: u16, detail: &str) -> HttpResponse {
    let code = actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(code)
        .content_type("application/problem+json")
        .body(serde_json::json!({"type": "about:blank", "status": status, "title": detail}).to_string())
}

/// Verifies up to N records against the national population database.
#[utoipa::path(
    post,
    path = "/v1/verifications",
    request_body = VerificationRequest,
    params(("Idempotency-Key" = String, Header, description = "Unique per logical call; a resent call repeats it")),
    responses(
        (status = 200, description = "One result per item", body = VerificationResponse),
        (status = 400, description = "Not a verification request"),
        (status = 401, description = "Missing or wrong API key"),
        (status = 413, description = "More items than the registry accepts per call"),
        (status = 429, description = "Rate limited; retry after `Retry-After` seconds",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "Registry error; retry with backoff"),
        (status = 503, description = "Registry unavailable (outage); retry later"),
    ),
    security(("bearer" = []), ("apiKey" = []))
)]
async fn verify(state: web::Data<SimState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let s = state.settings();
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let parsed: Option<Vec<serde_json::Value>> = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("items").and_then(|i| i.as_array().cloned()));
    let request_ids: Vec<String> = parsed
        .iter()
        .flatten()
        .filter_map(|i| i.get("requestId").and_then(|v| v.as_str()).map(str::to_owned))
        .collect();
    let log = |status: u16, processed: bool, replay: bool| SimCall {
        at: Instant::now(),
        idempotency_key: key.clone(),
        request_ids: request_ids.clone(),
        status,
        processed,
        replay,
    };
    if s.latency_ms_max > 0 {
        let ms = rand::rng().random_range(s.latency_ms_min.min(s.latency_ms_max)..=s.latency_ms_max);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if !authorised(&req, &s.api_key) {
        state.log(log(401, false, false));
        return problem(401, "missing or wrong API key");
    }
    match state.fault_before(&s) {
        Fault::Status(status) => {
            state.log(log(status, false, false));
            return problem(status, "registry error");
        }
        Fault::RateLimited(secs) => {
            state.log(log(429, false, false));
            return HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", secs.to_string()))
                .content_type("application/problem+json")
                .body(serde_json::json!({"type": "about:blank", "status": 429, "title": "rate limited"}).to_string());
        }
        Fault::None => {}
    }
    let Some(items) = parsed else {
        state.log(log(400, false, false));
        return problem(400, "the body must be {\"items\": [...]}");
    };
    if items.len() > s.max_items as usize {
        state.log(log(413, false, false));
        return problem(413, "too many items in one call");
    }
    let stored = key.as_ref().and_then(|k| state.answers.lock().ok().and_then(|a| a.get(k).cloned()));
    let (text, good, replay) = match stored {
        Some(text) => {
            let good = serde_json::from_str::<VerificationResponse>(&text).ok();
            (text, good, true)
        }
        None => {
            let results = match state.answer(&items, &s).await {
                Ok(r) => r,
                Err(e) => {
                    state.log(log(400, false, false));
                    return problem(400, &e);
                }
            };
            let good = VerificationResponse { results };
            let text = serde_json::to_string(&good).unwrap_or_default();
            if let (Some(k), Ok(mut a)) = (&key, state.answers.lock()) {
                a.insert(k.clone(), text.clone());
            }
            (text, Some(good), false)
        }
    };
    let hang = state.take(|f| &mut f.timeout_next) || (s.timeout_rate > 0.0 && rand::rng().random_bool(s.timeout_rate));
    let malformed =
        state.take(|f| &mut f.malformed_next) || (s.malformed_rate > 0.0 && rand::rng().random_bool(s.malformed_rate));
    state.log(log(200, !replay, replay));
    if hang {
        tokio::time::sleep(Duration::from_millis(s.timeout_ms)).await;
    }
    let body = match (malformed, good) {
        (true, Some(good)) => state.malformed(&good),
        _ => text,
    };
    HttpResponse::Ok().content_type("application/json").body(body)
}
