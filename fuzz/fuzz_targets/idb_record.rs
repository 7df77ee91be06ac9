//! IndexedDB records: a metadata record (sealed from the fuzzer's bytes, to get past the seal)
//! loaded at start-up, then its payload read; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::checksum::xxh32;
use smartcache::core::clock::ManualClock;
use smartcache::core::engine::{Engine, Lookup};
use smartcache::core::engine::options::CacheConfig;
use smartcache::core::format::record::seal_seed;
use smartcache::store::memory::MemoryLocalStore;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |&b| b as usize).min(data.len());
    let (meta_body, payload) = data.split_at(split);
    let seed = seal_seed("default", 1);
    let mut meta = vec![2u8];
    meta.extend_from_slice(meta_body);
    let seal = xxh32(&meta, seed);
    meta.extend_from_slice(&seal.to_le_bytes());
    let mut engine = Engine::open(
        ManualClock::new(1),
        CacheConfig::default(),
        MemoryLocalStore::default(),
    );
    engine.set_idb_available(true, "");
    for key in ["k", "smartcache"] {
        engine.load_idb_record(key, &meta);
        engine.load_idb_record(key, data);
        if let Ok(Lookup::ReadIndexedDb { write }) = engine.lookup(key) {
            let _ = engine.ingest_indexed_db(key, write, Some(payload.to_vec()));
        }
    }
    let _ = engine.take_outbox();
});
