//! 15-bit text packing: any UTF-16 units unpack or fail closed; any bytes round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::format::text;

fuzz_target!(|data: &[u8]| {
    let as_units: Vec<u16> = data.chunks(2).map(|p| u16::from_le_bytes([p[0], *p.get(1).unwrap_or(&0)])).collect();
    let _ = text::unpack(&as_units);
    let _ = text::unpack_header(&as_units);
    assert_eq!(text::unpack(&text::pack(data)).unwrap(), data);
});
