//! `crm-api [--db FILE] [--seed N] [--static DIR]`: serves the demo CRM on 127.0.0.1:`PORT`
//! (8080), seeding the database file on first start. `API_LATENCY_MS` (80) delays every API
//! response: the plan's figures are made of round trips to a hosted database.

use crm_api::{db, router, Config, DEFAULT_LATENCY_MS};
use std::path::PathBuf;
use std::time::Duration;

fn usage() -> ! {
    eprintln!("usage: crm-api [--db FILE] [--seed N] [--static DIR]   (env: PORT, API_LATENCY_MS)");
    std::process::exit(2);
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("{name} must be a whole number, not {text:?}");
            std::process::exit(2);
        }),
        Err(_) => default,
    }
}

#[tokio::main]
async fn main() {
    let mut database = PathBuf::from("target/crm.sqlite");
    let mut seed = 42u64;
    let mut static_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--db" => database = PathBuf::from(value),
            "--seed" => seed = value.parse().unwrap_or_else(|_| usage()),
            "--static" => static_dir = Some(PathBuf::from(value)),
            _ => usage(),
        }
    }
    let started = std::time::Instant::now();
    match db::open_or_seed(&database, seed) {
        Ok(true) => eprintln!(
            "seeded {} (seed {seed}) in {:.1} s",
            database.display(),
            started.elapsed().as_secs_f64()
        ),
        Ok(false) => {}
        Err(e) => {
            eprintln!("cannot open {}: {e}", database.display());
            std::process::exit(1);
        }
    }
    let latency = Duration::from_millis(env_number("API_LATENCY_MS", DEFAULT_LATENCY_MS));
    let port = env_number("PORT", 8080);
    let config = Config {
        database,
        latency,
        static_dir,
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port as u16)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    // PORT=0 takes a free port: name the one bound.
    let bound = listener.local_addr().map_or(port, |a| u64::from(a.port()));
    println!(
        "smartcache demo CRM: http://127.0.0.1:{bound}/ (API latency {} ms)",
        latency.as_millis()
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router(&config))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("server stopped: {e}");
        std::process::exit(1);
    }
}
