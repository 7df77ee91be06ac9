//! The payload envelope: any bytes decode or fail closed; what decodes re-encodes to the same raw.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::codec;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = codec::decode(data) {
        assert_eq!(codec::decode(&codec::encode(&raw, 0)).unwrap(), raw);
    }
    assert_eq!(codec::decode(&codec::encode(data, 64)).unwrap(), data);
});
