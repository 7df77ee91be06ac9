//! 15-bit text packing: any text unpacks or fails closed; any bytes round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::text;

fuzz_target!(|data: &[u8]| {
    let as_text = String::from_utf8_lossy(data);
    let _ = text::unpack(&as_text);
    let _ = text::unpack_header(&as_text);
    assert_eq!(text::unpack(&text::pack(data)).unwrap(), data);
});
