//! localStorage values: parsed directly, and planted under a key of the namespace for an engine
//! to find at start-up and read, which must never panic and never return what was not written.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::clock::ManualClock;
use smartcache::core::engine::{Engine, Lookup};
use smartcache::core::engine::options::CacheConfig;
use smartcache::core::format::record::{local_payload, parse_local_meta, seal_seed};
use smartcache::core::engine::store::LocalStore;
use smartcache::store::memory::MemoryLocalStore;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let units = smartcache::core::format::text::utf16_units(&value);
    let _ = parse_local_meta(&units, seal_seed("default", 1));
    let _ = local_payload(&units);
    let local = MemoryLocalStore::default();
    local.plant("smartcache:7:default:1:k", &value);
    let mut engine = Engine::open(ManualClock::new(1), CacheConfig::default(), local.clone());
    engine.set_idb_available(false, "fuzz");
    if let Ok(Lookup::Hit { .. }) = engine.lookup("k") {
        panic!("a value the cache never sealed was returned");
    }
    let _ = local.get("smartcache:7:default:1:k");
});
