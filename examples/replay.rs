//! Replays access traces (one `key size` a line, `#` comments) through the cache's policy and
//! plain LRU at 1 %, 5 % and 20 % of each trace's working set (the sum of each key's first size),
//! natively: the same code and the same arithmetic as the hit-ratio benchmark.
//!   cargo run --release --example replay -- trace.txt...
use smartcache::core::policy::{replay, Gdsf, Lru};
use std::collections::HashMap;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: replay TRACE...  (one `key size` a line)");
        std::process::exit(2);
    }
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut ids = HashMap::new();
        let (mut keys, mut sizes) = (Vec::new(), Vec::new());
        let mut working_set = 0u64;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let key = parts.next().unwrap_or_default().to_string();
            let size: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            let next = ids.len() as u32;
            let id = *ids.entry(key).or_insert_with(|| {
                working_set += u64::from(size);
                next
            });
            keys.push(id);
            sizes.push(size);
        }
        for share in [0.01, 0.05, 0.2] {
            let budget = (working_set as f64 * share) as u64;
            let ratio = |hits: u64| 100.0 * hits as f64 / keys.len() as f64;
            let ours = ratio(replay(&mut Gdsf::new(budget), &keys, &sizes));
            let lru = ratio(replay(&mut Lru::new(budget), &keys, &sizes));
            println!(
                "{path} {:>2.0} %: gdsf {ours:.2}  lru {lru:.2}",
                share * 100.0
            );
        }
    }
}
