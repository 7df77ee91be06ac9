//! IndexedDB journal chunks: the fuzzer's bytes, cut into chunks where they hold a 0xFF, replay
//! without a panic, and the snapshot of what they replay to replays to the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::journal::{replay, snapshot};

fuzz_target!(|data: &[u8]| {
    let live = replay(data.split(|&b| b == 0xFF)).live;
    let again = replay([&snapshot(&live)[..]]);
    assert_eq!(again.damaged, 0);
    assert_eq!(again.live, live);
});
