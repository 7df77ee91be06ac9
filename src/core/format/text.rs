//! Bytes <-> a string that localStorage keeps faithfully and counts cheaply.
//!
//! localStorage charges 2 bytes per UTF-16 unit, so base64 (6 bits a unit) wastes over 60% of the
//! quota. Here every unit carries 15 bits: unit = `BASE + v` with `v < 2^15`, and `BASE + 2^15 - 1`
//! is still below the surrogate range, so a packed string never holds a lone surrogate. The first
//! unit says how many padding bits end the last data unit (0..=14), which pins the byte length.

use crate::core::error::{Corruption, Error, Result};

/// First code unit used: U+4E00, the start of the CJK block, so a packed value reads as text in
/// devtools; `BASE + 0x7FFF` = U+CDFF < U+D800.
const BASE: u32 = 0x4E00;
const BITS: u32 = 15;
const MASK: u32 = (1 << BITS) - 1;

/// UTF-16 units of the packed form of `byte_len` bytes (what localStorage counts, halved).
pub fn packed_units(byte_len: usize) -> usize {
    1 + (byte_len * 8).div_ceil(BITS as usize)
}

fn unit(v: u32) -> char {
    // BASE + v is at most U+CDFF: never a surrogate, always a char.
    char::from_u32(BASE + v).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Packs bytes at 15 bits per UTF-16 unit.
pub fn pack(bytes: &[u8]) -> String {
    let units = packed_units(bytes.len());
    let data_bits = bytes.len() as u32 * 8;
    let pad = (units as u32 - 1) * BITS - data_bits;
    // Every unit is 3 bytes of UTF-8.
    let mut out = String::with_capacity(units * 3);
    out.push(unit(pad));
    let (mut acc, mut nbits) = (0u32, 0u32);
    for &byte in bytes {
        acc = (acc << 8) | u32::from(byte);
        nbits += 8;
        if nbits >= BITS {
            nbits -= BITS;
            out.push(unit((acc >> nbits) & MASK));
            acc &= (1 << nbits) - 1;
        }
    }
    if nbits > 0 {
        out.push(unit((acc << (BITS - nbits)) & MASK));
    }
    out
}

/// Unpacks a string made by `pack`; anything else is `Error::Corrupt`.
pub fn unpack(text: &str) -> Result<Vec<u8>> {
    let corrupt = |why: &'static str| Error::Corrupt(Corruption::PackedText(why));
    let mut chars = text.chars();
    let pad = match chars.next() {
        Some(c) => value(c).ok_or_else(|| corrupt("bad header unit"))?,
        None => return Err(corrupt("empty")),
    };
    // Each packed unit is exactly 3 UTF-8 bytes, so the unit count is known up front.
    let data_units = (text.len() / 3).saturating_sub(1) as u64;
    let data_bits = data_units * u64::from(BITS);
    if pad >= BITS || u64::from(pad) > data_bits || !(data_bits - u64::from(pad)).is_multiple_of(8)
    {
        return Err(corrupt("impossible padding"));
    }
    let byte_len = ((data_bits - u64::from(pad)) / 8) as usize;
    let mut out = Vec::with_capacity(byte_len);
    let (mut acc, mut nbits) = (0u32, 0u32);
    for c in chars {
        let v = value(c).ok_or_else(|| corrupt("unit outside the packed range"))?;
        acc = (acc << BITS) | v;
        nbits += BITS;
        while nbits >= 8 && out.len() < byte_len {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
        }
        acc &= (1 << nbits) - 1;
    }
    if out.len() != byte_len || acc != 0 {
        return Err(corrupt("length or padding does not match"));
    }
    Ok(out)
}

/// Two units carrying a 30-bit number, in the same alphabet as `pack`.
pub fn pack_header(n: u32) -> String {
    debug_assert!(n < 1 << (2 * BITS));
    [unit((n >> BITS) & MASK), unit(n & MASK)]
        .into_iter()
        .collect()
}

/// Reads the number written by `pack_header` from the start of `text`.
pub fn unpack_header(text: &str) -> Result<u32> {
    let mut chars = text.chars();
    match (chars.next().and_then(value), chars.next().and_then(value)) {
        (Some(high), Some(low)) => Ok((high << BITS) | low),
        _ => Err(Error::Corrupt(Corruption::PackedText(
            "header missing or out of range",
        ))),
    }
}

fn value(c: char) -> Option<u32> {
    let v = (c as u32).checked_sub(BASE)?;
    (v <= MASK).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn packs_fifteen_bits_per_unit() {
        let bytes = vec![0xA5u8; 15_000];
        let packed = pack(&bytes);
        assert_eq!(packed.encode_utf16().count(), 1 + 8_000);
        assert_eq!(packed.encode_utf16().count(), packed_units(bytes.len()));
        assert_eq!(unpack(&packed).unwrap(), bytes);
    }

    #[test]
    fn empty_and_tiny_inputs_round_trip() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(97)).collect();
            assert_eq!(unpack(&pack(&bytes)).unwrap(), bytes, "length {len}");
        }
    }

    #[test]
    fn foreign_text_is_rejected() {
        assert!(unpack("").is_err());
        assert!(unpack("{\"json\":true}").is_err());
        let mut packed = pack(b"hello, world");
        packed.push('x');
        assert!(unpack(&packed).is_err());
        let truncated: String = pack(b"hello, world").chars().take(3).collect();
        assert!(unpack(&truncated).is_err());
    }

    #[test]
    fn headers_round_trip() {
        for n in [0, 1, 32_767, 32_768, (1 << 30) - 1] {
            let head = pack_header(n);
            assert_eq!(head.encode_utf16().count(), 2);
            assert_eq!(unpack_header(&head).unwrap(), n);
        }
        assert!(unpack_header("ab").is_err());
    }

    proptest! {
        #[test]
        fn round_trips_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let packed = pack(&bytes);
            prop_assert!(packed.chars().all(|c| !(0xD800..0xE000).contains(&(c as u32))));
            prop_assert_eq!(packed.encode_utf16().count(), packed_units(bytes.len()));
            prop_assert_eq!(unpack(&packed).unwrap(), bytes);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,64}") {
            let _ = unpack(&text);
        }

        #[test]
        fn truncation_is_detected_or_harmless(bytes in proptest::collection::vec(any::<u8>(), 1..300), keep in any::<prop::sample::Index>()) {
            let packed: Vec<char> = pack(&bytes).chars().collect();
            let keep = keep.index(packed.len());
            let cut: String = packed[..keep].iter().collect();
            if let Ok(out) = unpack(&cut) {
                prop_assert!(out.len() < bytes.len());
            }
        }
    }
}
