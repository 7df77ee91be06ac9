//! Messages from another tab, built from the fuzzer's bytes, applied to an engine holding
//! entries in every tier: never a panic, and the engine stays usable.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::clock::ManualClock;
use smartcache::core::engine::{Broadcast, Engine};
use smartcache::core::engine::options::{CacheConfig, SetOptionsInput, TierChoice};
use smartcache::core::types::Tier;
use smartcache::store::memory::MemoryLocalStore;

fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (head, rest) = data.split_at(n);
    *data = rest;
    head
}

fn byte(data: &mut &[u8]) -> u8 {
    take(data, 1).first().copied().unwrap_or(0)
}

fn text(data: &mut &[u8]) -> String {
    let n = byte(data) as usize % 12;
    String::from_utf8_lossy(take(data, n)).into_owned()
}

fn bytes(data: &mut &[u8]) -> Vec<u8> {
    let n = byte(data) as usize;
    take(data, n).to_vec()
}

fn number(data: &mut &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let got = take(data, 8);
    b[..got.len()].copy_from_slice(got);
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let mut engine = Engine::open(
        ManualClock::new(1 << 40),
        CacheConfig::default(),
        MemoryLocalStore::default(),
    );
    engine.set_idb_available(true, "");
    let tier = |t| {
        SetOptionsInput {
            tier: Some(t),
            depends_on: Some(vec!["k".into()]),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let _ = engine.set("k", b"1", tier(TierChoice::Local));
    let _ = engine.set("i", b"2", tier(TierChoice::IndexedDb));
    let _ = engine.set("m", b"3", tier(TierChoice::Memory));
    while !data.is_empty() {
        let tiers = [Tier::Memory, Tier::Local, Tier::IndexedDb];
        let message = match byte(&mut data) % 4 {
            0 => Broadcast::Set {
                key: text(&mut data),
                home: tiers[byte(&mut data) as usize % 3],
                meta: Some(bytes(&mut data)),
                payload: Some(bytes(&mut data)),
                stamp: number(&mut data),
                writer: number(&mut data) as u32,
            },
            1 => Broadcast::Delete {
                key: text(&mut data),
                stamp: number(&mut data),
            },
            2 => Broadcast::Invalidate {
                name: text(&mut data),
                prefix: byte(&mut data) & 1 == 1,
                removed: vec![text(&mut data), text(&mut data)],
                stamp: number(&mut data),
            },
            _ => Broadcast::Clear {
                stamp: number(&mut data),
            },
        };
        engine.apply_remote(message);
        let _ = engine.lookup("k");
        let _ = engine.take_outbox();
    }
    let _ = engine.set("after", b"4", Default::default());
    let _ = engine.stats();
});
