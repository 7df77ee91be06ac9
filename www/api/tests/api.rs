//! The API server against its seeded database: what each endpoint answers, how many SQL
//! statements a request costs (no N+1 on the optimized paths), bad input, parallel writers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use crm_api::{db, router, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

/// One seeded database per test run (seeding takes a second), copied for tests that write.
fn seeded() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("crm-api-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("seed.sqlite");
        db::open_or_seed(&path, 42).unwrap();
        // One file, no WAL beside it, so that copies are whole.
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "journal_mode", "DELETE")
            .unwrap();
        path
    })
}

/// A database of its own for a test that writes.
fn own_copy(name: &str) -> PathBuf {
    let copy = seeded().with_file_name(format!("{name}.sqlite"));
    std::fs::copy(seeded(), &copy).unwrap();
    db::open_or_seed(&copy, 42).unwrap();
    copy
}

fn app(database: PathBuf) -> Router {
    router(&Config {
        database,
        latency: Duration::ZERO,
        static_dir: None,
    })
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(body.unwrap_or("").to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{uri}: {e}: {bytes:?}"))
    };
    (status, value)
}

async fn get(app: &Router, uri: &str) -> Value {
    let (status, value) = call(app, "GET", uri, None).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {value}");
    value
}

async fn statements(app: &Router, endpoint: &str) -> (u64, u64) {
    let metrics = get(app, "/api/metrics").await;
    let counts = &metrics["endpoints"][endpoint];
    (
        counts["requests"].as_u64().unwrap_or(0),
        counts["statements"].as_u64().unwrap_or(0),
    )
}

#[test]
fn the_seed_has_the_plans_scale_is_skewed_and_is_the_same_every_time() {
    let conn = rusqlite::Connection::open(seeded()).unwrap();
    let count = |table: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(
        (
            count("companies"),
            count("contacts"),
            count("payments"),
            count("user_profiles")
        ),
        (db::COMPANIES, db::CONTACTS, db::PAYMENTS, db::PROFILES)
    );
    let top: i64 = conn
        .query_row(
            "SELECT count(*) FROM payments GROUP BY company_id ORDER BY 1 DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        top > 1_000,
        "a few companies have thousands of payments: the top one has {top}"
    );
    let indexes: Vec<String> = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        indexes,
        [
            "companies_by_name",
            "contacts_by_company",
            "payments_by_company_date"
        ]
    );
    let plan: String = conn.query_row("EXPLAIN QUERY PLAN SELECT * FROM payments WHERE company_id = 7 ORDER BY created_at DESC LIMIT 25", [], |r| r.get(3)).unwrap();
    assert!(plan.contains("payments_by_company_date"), "{plan}");

    let again = seeded().with_file_name("again.sqlite");
    let _ = std::fs::remove_file(&again);
    db::open_or_seed(&again, 42).unwrap();
    let digest = |path: &PathBuf| {
        let c = rusqlite::Connection::open(path).unwrap();
        c.query_row("SELECT sum(id * amount_cents % 1000003), group_concat(created_at, '') FROM (SELECT * FROM payments WHERE id % 997 = 0)", [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).unwrap()
    };
    assert_eq!(
        digest(seeded()),
        digest(&again),
        "the same seed gives the same data"
    );
}

#[tokio::test]
async fn the_optimized_company_view_is_one_statement_and_holds_what_the_legacy_requests_do() {
    let app = app(seeded().clone());
    let view = get(&app, "/api/companies/1/view").await;
    assert_eq!(statements(&app, "company-view").await, (1, 1));

    // The legacy hook: company, contacts, payments, then one profile per payment creator.
    let company = get(&app, "/api/legacy/companies/1").await;
    let contacts = get(&app, "/api/legacy/companies/1/contacts").await;
    let payments = get(&app, "/api/legacy/companies/1/payments").await;
    let mut names = Vec::new();
    for payment in payments.as_array().unwrap() {
        let profile = get(
            &app,
            &format!("/api/legacy/profiles/{}", payment["createdBy"]),
        )
        .await;
        names.push(profile["name"].clone());
    }
    let owner = get(
        &app,
        &format!("/api/legacy/profiles/{}", company["ownerId"]),
    )
    .await;
    let mut legacy = (0, 0);
    for endpoint in [
        "legacy/company",
        "legacy/contacts",
        "legacy/payments",
        "legacy/profile",
    ] {
        let (requests, statements) = statements(&app, endpoint).await;
        legacy = (legacy.0 + requests, legacy.1 + statements);
    }
    let n_plus_1 = 3 + names.len() as u64 + 1;
    assert_eq!(
        legacy,
        (n_plus_1, n_plus_1),
        "the legacy page: 3 requests, then one per creator and the owner"
    );
    assert_eq!(names.len(), 10);

    assert_eq!(view["company"]["name"], company["name"]);
    assert_eq!(view["owner"], owner);
    assert_eq!(view["contacts"], contacts);
    let latest = view["latestPayments"].as_array().unwrap();
    assert_eq!(latest.len(), 25, "the first PaymentsTable page");
    assert_eq!(
        latest[..],
        get(&app, "/api/companies/1/payments?page=1&size=25").await["rows"]
            .as_array()
            .unwrap()[..]
    );
    for ((v, p), name) in latest.iter().zip(payments.as_array().unwrap()).zip(&names) {
        assert_eq!(
            (&v["id"], &v["amountCents"], &v["createdBy"]),
            (&p["id"], &p["amountCents"], name)
        );
    }
    let conn = rusqlite::Connection::open(seeded()).unwrap();
    let (n, total): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(amount_cents) FROM payments WHERE company_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(view["payments"]["count"], json!(n));
    assert_eq!(view["payments"]["totalCents"], json!(total));
}

#[tokio::test]
async fn payments_table_pages_are_one_statement_each_sorted_with_names_joined() {
    let app = app(seeded().clone());
    let small = get(&app, "/api/companies/1/payments?page=2&size=10").await;
    let large = get(
        &app,
        "/api/companies/1/payments?page=1&size=500&sort=amount-desc",
    )
    .await;
    assert_eq!(
        statements(&app, "payments-page").await,
        (2, 2),
        "one statement per page, whatever its size"
    );
    assert_eq!(small["rows"].as_array().unwrap().len(), 10);
    let rows = large["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 500);
    assert!(rows
        .windows(2)
        .all(|w| w[0]["amountCents"].as_i64() >= w[1]["amountCents"].as_i64()));
    assert!(
        rows.iter()
            .all(|r| r["createdBy"].as_str().is_some_and(|n| n.contains(' '))),
        "creator names, not ids"
    );
    assert_eq!(small["total"], large["total"]);
    let dates: Vec<&str> = small["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["createdAt"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first by default"
    );
}

#[tokio::test]
async fn the_list_searches_and_the_dashboard_is_large() {
    let app = app(seeded().clone());
    let list = get(&app, "/api/companies?search=acme&limit=5").await;
    assert_eq!(list["companies"].as_array().unwrap().len(), 5);
    assert!(list["companies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"].as_str().unwrap().to_lowercase().contains("acme")));
    let none = get(&app, "/api/companies?search=%25_%25").await;
    assert_eq!(
        none["total"],
        json!(0),
        "% and _ are searched for, not wildcards"
    );
    let dashboard = get(&app, "/api/dashboard").await;
    assert!(
        dashboard.to_string().len() > 64 * 1024,
        "a payload that belongs in IndexedDB"
    );
    assert_eq!(dashboard["payments"]["count"], json!(db::PAYMENTS));
    assert_eq!(statements(&app, "dashboard").await, (1, 1));
}

#[tokio::test]
async fn recording_a_payment_changes_the_totals_and_says_what_to_invalidate() {
    let app = app(own_copy("record"));
    let before = get(&app, "/api/companies/42/view").await;
    let (status, created) = call(
        &app,
        "POST",
        "/api/companies/42/payments",
        Some(r#"{"amountCents": 12345, "createdBy": 7}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["invalidates"],
        json!(["payments:company:42", "payments"])
    );
    assert_eq!(created["payment"]["amountCents"], json!(12345));
    let after = get(&app, "/api/companies/42/view").await;
    assert_eq!(
        after["payments"]["count"].as_i64().unwrap(),
        before["payments"]["count"].as_i64().unwrap() + 1
    );
    assert_eq!(
        after["payments"]["totalCents"].as_i64().unwrap(),
        before["payments"]["totalCents"].as_i64().unwrap() + 12345
    );
    assert_eq!(after["latestPayments"][0]["id"], created["payment"]["id"]);
}

#[tokio::test]
async fn bad_input_gets_400_or_404_with_a_json_error_and_never_a_panic() {
    let app = app(own_copy("bad"));
    let cases = [
        ("GET", "/api/companies/abc/view", None, 400),
        ("GET", "/api/companies/-3/view", None, 400),
        ("GET", "/api/companies/99999999999999999999/view", None, 400),
        ("GET", "/api/companies/999999/view", None, 404),
        ("GET", "/api/legacy/companies/999999/contacts", None, 404),
        ("GET", "/api/legacy/profiles/51", None, 404),
        ("GET", "/api/companies/1/payments?page=0", None, 400),
        ("GET", "/api/companies/1/payments?size=100000", None, 400),
        (
            "GET",
            "/api/companies/1/payments?page=9223372036854775807&size=500",
            None,
            400,
        ),
        (
            "GET",
            "/api/companies/1/payments?sort=id;DROP%20TABLE%20payments",
            None,
            400,
        ),
        ("GET", "/api/companies/1/payments?page=x", None, 400),
        ("GET", "/api/companies/1/payments?bogus=1", None, 400),
        ("GET", "/api/companies?limit=0", None, 400),
        ("GET", "/api/companies?offset=-1", None, 400),
        ("GET", "/api/nowhere", None, 404),
        ("POST", "/api/companies/1/payments", Some("{"), 400),
        ("POST", "/api/companies/1/payments", Some("[]"), 400),
        (
            "POST",
            "/api/companies/1/payments",
            Some(r#"{"amountCents": "ten", "createdBy": 1}"#),
            400,
        ),
        (
            "POST",
            "/api/companies/1/payments",
            Some(r#"{"amountCents": 0, "createdBy": 1}"#),
            400,
        ),
        (
            "POST",
            "/api/companies/1/payments",
            Some(r#"{"amountCents": 5, "createdBy": 1, "status": "stolen"}"#),
            400,
        ),
        (
            "POST",
            "/api/companies/1/payments",
            Some(r#"{"amountCents": 5, "createdBy": 999}"#),
            400,
        ),
        (
            "POST",
            "/api/companies/1/payments",
            Some(r#"{"amountCents": 5, "createdBy": 1, "extra": true}"#),
            400,
        ),
        (
            "POST",
            "/api/companies/999999/payments",
            Some(r#"{"amountCents": 5, "createdBy": 1}"#),
            404,
        ),
    ];
    for (method, uri, body, expected) in cases {
        let (status, value) = call(&app, method, uri, body).await;
        assert_eq!(
            status.as_u16(),
            expected,
            "{method} {uri} {body:?}: {value}"
        );
        assert!(
            value["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{uri}: {value}"
        );
    }
    // Still serving, and nothing was written by the refused requests.
    let view = get(&app, "/api/companies/1/view").await;
    let conn = rusqlite::Connection::open(seeded()).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM payments WHERE company_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(view["payments"]["count"], json!(n));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writers_never_corrupt_the_file_or_lose_a_payment() {
    let path = own_copy("parallel");
    let app = app(path.clone());
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let app = app.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    let body = format!(r#"{{"amountCents": {}, "createdBy": {}}}"#, 100 + i, 1 + w);
                    let (status, value) = call(
                        &app,
                        "POST",
                        &format!("/api/companies/{}/payments", 1 + (w * 7 + i) % 50),
                        Some(&body),
                    )
                    .await;
                    assert_eq!(status, StatusCode::CREATED, "{value}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM payments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, db::PAYMENTS + 200);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(statements(&app, "record-payment").await, (200, 600));
}
