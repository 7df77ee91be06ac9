//! Metadata records past their seal: the fuzzer's bytes are sealed as the cache would seal them,
//! so the field parser itself is explored. What parses re-serializes to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::checksum::xxh32;
use smartcache::core::format::record::{seal_seed, Meta};

fuzz_target!(|data: &[u8]| {
    let seed = seal_seed("fuzz", 1);
    let _ = Meta::from_bytes(data, seed);
    let mut sealed = vec![2u8];
    sealed.extend_from_slice(data);
    let seal = xxh32(&sealed, seed);
    sealed.extend_from_slice(&seal.to_le_bytes());
    if let Ok(meta) = Meta::from_bytes(&sealed, seed) {
        assert_eq!(meta.to_bytes(seed), sealed);
        assert_eq!(meta.record_len(), sealed.len());
    }
});
