//! The demo CRM's API server: the legacy endpoints the plan replaces (one request per query, an
//! N+1 for payment creators), the optimized ones (one request and one SQL statement per page),
//! PaymentsTable pages, a dashboard, recording a payment, and the metrics that count requests and
//! statements per endpoint. Every response is delayed by the emulated network latency.

#![forbid(unsafe_code)]

pub mod db;
mod sql;

use axum::body::Body;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension, ToSql};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The emulated round trip to a hosted database, when `API_LATENCY_MS` is not given.
pub const DEFAULT_LATENCY_MS: u64 = 80;
/// Latest payments on the legacy payments request.
const LATEST_PAYMENTS: i64 = 10;
/** The company view carries the first PaymentsTable page (newest first): one round trip shows both. */
const FIRST_TABLE_PAGE: i64 = 25;
const MAX_PAGE_SIZE: i64 = 500;
const MAX_LIST: i64 = 200;

#[derive(Debug, Clone)]
pub struct Config {
    pub database: PathBuf,
    pub latency: Duration,
    /// Files served for every path outside /api (the built app), with index.html for the rest.
    pub static_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Counts {
    pub requests: u64,
    pub statements: u64,
}

#[derive(Debug)]
struct App {
    pool: db::Pool,
    metrics: Mutex<BTreeMap<&'static str, Counts>>,
}

type Shared = Arc<App>;

/// An answer that is an error: its status and a JSON body `{ "error": message }`.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(json!({ "error": self.1, "status": self.0.as_u16() })),
        )
            .into_response()
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(what: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no such {what}"))
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, format!("database: {e}"))
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> ApiError {
        bad(format!("bad path: {}", e.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> ApiError {
        bad(format!("bad query: {}", e.body_text()))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        bad(format!("bad body: {}", e.body_text()))
    }
}

type ApiResult = Result<Response, ApiError>;

/// A JSON text SQLite built, sent as it is.
fn json_text(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

impl App {
    fn count(&self, endpoint: &'static str, requests: u64, statements: u64) {
        if let Ok(mut metrics) = self.metrics.lock() {
            let counts = metrics.entry(endpoint).or_default();
            counts.requests += requests;
            counts.statements += statements;
        }
    }

    /// Runs one statement answering one JSON text (None: no row, or NULL), counted for `endpoint`.
    async fn one(
        self: &Arc<Self>,
        endpoint: &'static str,
        sql: String,
        args: Vec<Box<dyn ToSql + Send>>,
    ) -> Result<Option<String>, ApiError> {
        let app = self.clone();
        let found = tokio::task::spawn_blocking(move || {
            app.count(endpoint, 0, 1);
            app.pool.with(|conn| {
                let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref() as &dyn ToSql).collect();
                conn.prepare_cached(&sql)?
                    .query_row(refs.as_slice(), |row| row.get::<_, Option<String>>(0))
                    .optional()
                    .map(Option::flatten)
            })
        })
        .await
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        Ok(found?)
    }
}

fn id_of(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    let Path(id) = path?;
    if id < 1 {
        return Err(bad("ids are positive integers"));
    }
    Ok(id)
}

macro_rules! args {
    ($($a:expr),*) => { vec![$(Box::new($a) as Box<dyn ToSql + Send>),*] };
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    search: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn companies(
    State(app): State<Shared>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    app.count("companies", 1, 0);
    let Query(q) = query?;
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    if !(1..=MAX_LIST).contains(&limit) || offset < 0 {
        return Err(bad(format!("limit is 1 to {MAX_LIST}, offset at least 0")));
    }
    let escaped = q
        .search
        .unwrap_or_default()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let text = app
        .one(
            "companies",
            sql::COMPANY_LIST.into(),
            args![format!("%{escaped}%"), limit, offset],
        )
        .await?;
    Ok(json_text(text.unwrap_or_default()))
}

/// A GET of one thing by id: one statement, its JSON text, or 404 naming `what`; `limit`, when
/// given, is the statement's second parameter.
async fn by_id(
    app: Shared,
    path: Result<Path<i64>, PathRejection>,
    endpoint: &'static str,
    (statement, limit): (&str, Option<i64>),
    what: &str,
) -> ApiResult {
    app.count(endpoint, 1, 0);
    let id = id_of(path)?;
    let args = match limit {
        Some(n) => args![id, n],
        None => args![id],
    };
    let text = app.one(endpoint, statement.into(), args).await?;
    text.map(json_text).ok_or_else(|| not_found(what))
}

type IdPath = Result<Path<i64>, PathRejection>;

async fn legacy_company(State(app): State<Shared>, path: IdPath) -> ApiResult {
    by_id(
        app,
        path,
        "legacy/company",
        (sql::LEGACY_COMPANY, None),
        "company",
    )
    .await
}

async fn legacy_contacts(State(app): State<Shared>, path: IdPath) -> ApiResult {
    by_id(
        app,
        path,
        "legacy/contacts",
        (sql::LEGACY_CONTACTS, None),
        "company",
    )
    .await
}

async fn legacy_payments(State(app): State<Shared>, path: IdPath) -> ApiResult {
    let statement = (sql::LEGACY_PAYMENTS, Some(LATEST_PAYMENTS));
    by_id(app, path, "legacy/payments", statement, "company").await
}

async fn profile(State(app): State<Shared>, path: IdPath) -> ApiResult {
    by_id(app, path, "legacy/profile", (sql::PROFILE, None), "profile").await
}

async fn company_view(State(app): State<Shared>, path: IdPath) -> ApiResult {
    let statement = (sql::COMPANY_VIEW, Some(FIRST_TABLE_PAGE));
    by_id(app, path, "company-view", statement, "company").await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<i64>,
    size: Option<i64>,
    sort: Option<String>,
}

async fn payments_page(
    State(app): State<Shared>,
    path: Result<Path<i64>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    app.count("payments-page", 1, 0);
    let id = id_of(path)?;
    let Query(q) = query?;
    let page = q.page.unwrap_or(1);
    let size = q.size.unwrap_or(25);
    if page < 1 || !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(bad(format!(
            "page is at least 1, size 1 to {MAX_PAGE_SIZE}"
        )));
    }
    let sort = q.sort.as_deref().unwrap_or("date-desc");
    let Some((_, order)) = sql::PAYMENT_ORDERS.iter().find(|(name, _)| *name == sort) else {
        let names: Vec<&str> = sql::PAYMENT_ORDERS.iter().map(|(n, _)| *n).collect();
        return Err(bad(format!("sort is one of {}", names.join(", "))));
    };
    let offset = (page - 1)
        .checked_mul(size)
        .ok_or_else(|| bad("page too large"))?;
    let statement = sql::PAYMENTS_PAGE.replace("{order}", order);
    let text = app
        .one("payments-page", statement, args![id, page, size, offset])
        .await?;
    text.map(json_text).ok_or_else(|| not_found("company"))
}

async fn dashboard(State(app): State<Shared>) -> ApiResult {
    app.count("dashboard", 1, 0);
    let text = app.one("dashboard", sql::DASHBOARD.into(), args![]).await?;
    Ok(json_text(text.unwrap_or_default()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewPayment {
    amount_cents: i64,
    created_by: i64,
    status: Option<String>,
}

async fn record_payment(
    State(app): State<Shared>,
    path: Result<Path<i64>, PathRejection>,
    body: Result<Json<NewPayment>, JsonRejection>,
) -> ApiResult {
    app.count("record-payment", 1, 0);
    let id = id_of(path)?;
    let Json(payment) = body?;
    if !(1..=1_000_000_000).contains(&payment.amount_cents) {
        return Err(bad("amountCents is 1 to 1,000,000,000"));
    }
    let status = payment.status.unwrap_or_else(|| "paid".into());
    if status != "paid" && status != "pending" {
        return Err(bad("status is paid or pending"));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let shared = app.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        shared.pool.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            shared.count("record-payment", 0, 1);
            if !tx.query_row(sql::COMPANY_EXISTS, [id], |r| r.get::<_, bool>(0))? {
                return Ok(Err(not_found("company")));
            }
            shared.count("record-payment", 0, 1);
            if !tx.query_row(sql::PROFILE_EXISTS, [payment.created_by], |r| {
                r.get::<_, bool>(0)
            })? {
                return Ok(Err(bad("createdBy names no profile")));
            }
            shared.count("record-payment", 0, 1);
            let created = tx.query_row(
                sql::INSERT_PAYMENT,
                params![
                    id,
                    payment.amount_cents,
                    status,
                    payment.created_by,
                    db::format_time(now)
                ],
                |r| r.get::<_, String>(0),
            )?;
            tx.commit()?;
            Ok(Ok(created))
        })
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let created: serde_json::Value = serde_json::from_str(&outcome?)
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    // The names the change touches: this company's payments (its pages and company view depend
    // on them) and all payments (what is built from every company's, like the dashboard).
    let body = json!({ "payment": created, "invalidates": [format!("payments:company:{id}"), "payments"] });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn metrics(State(app): State<Shared>) -> ApiResult {
    let endpoints = app.metrics.lock().map(|m| m.clone()).unwrap_or_default();
    let total = endpoints.values().fold(Counts::default(), |a, c| Counts {
        requests: a.requests + c.requests,
        statements: a.statements + c.statements,
    });
    Ok(Json(json!({ "endpoints": endpoints, "total": total })).into_response())
}

async fn reset_metrics(State(app): State<Shared>) -> ApiResult {
    if let Ok(mut m) = app.metrics.lock() {
        m.clear();
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unknown_api() -> ApiError {
    not_found("endpoint")
}

/// Every API response waits for the emulated round trip first.
async fn delay(State(latency): State<Duration>, request: Request, next: Next) -> Response {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    next.run(request).await
}

/// The server's routes over the database at `config.database` (opened, not seeded: see db).
pub fn router(config: &Config) -> Router {
    let app = Arc::new(App {
        pool: db::Pool::new(&config.database),
        metrics: Mutex::new(BTreeMap::new()),
    });
    let api = Router::new()
        .route("/companies", get(companies))
        .route("/companies/{id}/view", get(company_view))
        .route(
            "/companies/{id}/payments",
            get(payments_page).post(record_payment),
        )
        .route("/legacy/companies/{id}", get(legacy_company))
        .route("/legacy/companies/{id}/contacts", get(legacy_contacts))
        .route("/legacy/companies/{id}/payments", get(legacy_payments))
        .route("/legacy/profiles/{id}", get(profile))
        .route("/dashboard", get(dashboard))
        .route("/metrics", get(metrics))
        .route("/metrics/reset", post(reset_metrics))
        .fallback(unknown_api)
        .with_state(app)
        .layer(middleware::from_fn_with_state(config.latency, delay));
    let router = Router::new().nest("/api", api);
    match &config.static_dir {
        Some(dir) => {
            let files = tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(dir.join("index.html")));
            router.fallback_service(files)
        }
        None => router.fallback(|| async { (StatusCode::NOT_FOUND, Body::from("not found")) }),
    }
}
