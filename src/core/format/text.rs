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

/// The unit carrying `v` (15 bits): at most U+CDFF, never a surrogate.
fn unit(v: u32) -> u16 {
    (BASE + (v & MASK)) as u16
}

/// Packs bytes at 15 bits per UTF-16 unit: the units of the string localStorage keeps (the page
/// makes it with one UTF-16 decode; as UTF-8 it would be 3 bytes a unit to make and to read).
pub fn pack(bytes: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    pack_into(bytes, &mut out);
    out
}

/// `pack`, appending to `out` (which it grows by the units it appends).
pub fn pack_into(bytes: &[u8], out: &mut Vec<u16>) {
    let units = packed_units(bytes.len());
    let data_bits = bytes.len() as u64 * 8;
    let pad = (units as u64 - 1) * u64::from(BITS) - data_bits;
    out.reserve(units);
    out.push(unit(pad as u32));
    // Fifteen bytes make eight whole units; the bytes that remain go bit by bit.
    let (groups, tail) = bytes.as_chunks::<GROUP_BYTES>();
    for group in groups {
        out.extend_from_slice(&pack_group(group));
    }
    let (mut acc, mut nbits) = (0u32, 0u32);
    for &byte in tail {
        acc = (acc << 8) | u32::from(byte);
        nbits += 8;
        if nbits >= BITS {
            nbits -= BITS;
            out.push(unit(acc >> nbits));
            acc &= (1 << nbits) - 1;
        }
    }
    if nbits > 0 {
        out.push(unit(acc << (BITS - nbits)));
    }
}

/// The eight units that carry fifteen bytes: `unpack_group` backwards.
fn pack_group(bytes: &[u8; GROUP_BYTES]) -> [u16; GROUP_UNITS] {
    let be = |from: usize| {
        bytes[from..from + 7]
            .iter()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b))
    };
    let high = be(0) << 4 | u64::from(bytes[7] >> 4);
    let low = u64::from(bytes[7] & 0xF) << 56 | be(8);
    let mut units = [0; GROUP_UNITS];
    for (i, half) in [high, low].into_iter().enumerate() {
        for j in 0..4 {
            units[4 * i + j] = unit((half >> (45 - 15 * j)) as u32);
        }
    }
    units
}

/// Unpacks the UTF-16 units of a string made by `pack` (as the page hands them over, with no
/// UTF-8 copy in between); anything else is `Error::Corrupt`.
pub fn unpack(units: &[u16]) -> Result<Vec<u8>> {
    let corrupt = |why: &'static str| Error::Corrupt(Corruption::PackedText(why));
    let Some((&first, data)) = units.split_first() else {
        return Err(corrupt("empty"));
    };
    let pad = value(first).ok_or_else(|| corrupt("bad header unit"))?;
    let data_bits = data.len() as u64 * u64::from(BITS);
    if pad >= BITS || u64::from(pad) > data_bits || !(data_bits - u64::from(pad)).is_multiple_of(8)
    {
        return Err(corrupt("impossible padding"));
    }
    let byte_len = ((data_bits - u64::from(pad)) / 8) as usize;
    // Eight units carry 120 bits, fifteen whole bytes: the groups unpack with no carry between
    // them, and the last few units one by one. Bytes are taken as they complete, padding
    // included: a padding of 8 bits or more ends in one whole byte of it, which must be zero like
    // the rest.
    let (groups, tail) = data.as_chunks::<GROUP_UNITS>();
    let mut out = Vec::with_capacity(byte_len + 1);
    out.resize(groups.len() * GROUP_BYTES, 0);
    for (group, bytes) in groups.iter().zip(out.as_chunks_mut::<GROUP_BYTES>().0) {
        if !unpack_group(group, bytes) {
            return Err(corrupt("unit outside the packed range"));
        }
    }
    let (mut acc, mut nbits) = (0u32, 0u32);
    for &unit in tail {
        let v = value(unit).ok_or_else(|| corrupt("unit outside the packed range"))?;
        acc = (acc << BITS) | v;
        nbits += BITS - 8;
        out.push((acc >> nbits) as u8);
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
        }
        acc &= (1 << nbits) - 1;
    }
    let padding_byte = out.len() == byte_len + 1 && out.pop() == Some(0);
    if out.len() != byte_len || !(padding_byte || pad < 8) || acc != 0 {
        return Err(corrupt("length or padding does not match"));
    }
    Ok(out)
}

/// Two units carrying a 30-bit number, in the same alphabet as `pack`.
pub fn pack_header(n: u32) -> [u16; 2] {
    debug_assert!(n < 1 << (2 * BITS));
    [unit(n >> BITS), unit(n)]
}

/// Reads the number written by `pack_header` from the first two of `units`.
pub fn unpack_header(units: &[u16]) -> Result<u32> {
    let at = |i: usize| units.get(i).copied().and_then(value);
    match (at(0), at(1)) {
        (Some(high), Some(low)) => Ok((high << BITS) | low),
        _ => Err(Error::Corrupt(Corruption::PackedText(
            "header missing or out of range",
        ))),
    }
}

/// Units in a group that ends on a byte boundary (8 × 15 bits = 15 bytes).
const GROUP_UNITS: usize = 8;
const GROUP_BYTES: usize = 15;

/// Writes the fifteen bytes eight units carry into `bytes`; false when a unit is outside the
/// alphabet. Branch-free: each half of four units is 60 bits, and the halves meet in the eighth
/// byte. Byte by byte, since a slice copy of 7 bytes is a call at this optimisation level.
fn unpack_group(units: &[u16; GROUP_UNITS], bytes: &mut [u8; GROUP_BYTES]) -> bool {
    let mut outside = 0u32;
    let mut half = |four: &[u16]| {
        four.iter().fold(0u64, |acc, &unit| {
            let v = u32::from(unit).wrapping_sub(BASE);
            outside |= v;
            (acc << BITS) | u64::from(v & MASK)
        })
    };
    let (high, low) = (half(&units[..4]), half(&units[4..]));
    for (i, byte) in bytes[..7].iter_mut().enumerate() {
        *byte = (high >> (52 - 8 * i)) as u8;
    }
    bytes[7] = ((high & 0xF) << 4 | low >> 56) as u8;
    for (i, byte) in bytes[8..].iter_mut().enumerate() {
        *byte = (low >> (48 - 8 * i)) as u8;
    }
    outside <= MASK
}

/// The 15 bits a unit of the packed alphabet carries.
fn value(unit: u16) -> Option<u32> {
    let v = u32::from(unit).checked_sub(BASE)?;
    (v <= MASK).then_some(v)
}

/// The UTF-16 units of `text`, as the page reads them from localStorage (what `unpack` takes).
pub fn utf16_units(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The string localStorage keeps for `bytes`.
    fn packed_text(bytes: &[u8]) -> String {
        String::from_utf16(&pack(bytes)).expect("packed units are never surrogates")
    }

    #[test]
    fn packs_fifteen_bits_per_unit() {
        let bytes = vec![0xA5u8; 15_000];
        let packed = pack(&bytes);
        assert_eq!(packed.len(), 1 + 8_000);
        assert_eq!(packed.len(), packed_units(bytes.len()));
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
        assert!(unpack(&[]).is_err());
        assert!(unpack(&utf16_units("{\"json\":true}")).is_err());
        let mut packed = packed_text(b"hello, world");
        packed.push('x');
        assert!(unpack(&utf16_units(&packed)).is_err());
        let truncated: String = packed_text(b"hello, world").chars().take(3).collect();
        assert!(unpack(&utf16_units(&truncated)).is_err());
        // A unit outside the packed range, in each position and of each UTF-8 width: below
        // BASE, past BASE + MASK, one, two and four bytes long.
        // Also among units that carry zeros, where nothing else sets a bit beside it.
        let zeros: Vec<char> = packed_text(&[0; 30]).chars().collect();
        for at in 1..zeros.len() {
            let mut damaged = zeros.clone();
            damaged[at] = '\u{ce00}';
            let text: String = damaged.iter().collect();
            assert!(
                unpack(&utf16_units(&text)).is_err(),
                "U+CE00 among zeros at {at}"
            );
        }
        let packed: Vec<char> = packed_text(b"0123456789abcdef").chars().collect();
        for stranger in [
            '\u{4dff}',
            '\u{ce00}',
            'x',
            '\u{e9}',
            '\u{1f600}',
            '\u{ffff}',
        ] {
            for at in [0, 1, packed.len() / 2, packed.len() - 1] {
                let mut damaged = packed.clone();
                damaged[at] = stranger;
                let text: String = damaged.iter().collect();
                assert!(unpack(&utf16_units(&text)).is_err(), "{stranger:?} at {at}");
                // Also when the damage adds units rather than replacing one.
                damaged.insert(at, stranger);
                damaged.insert(at, stranger);
                let text: String = damaged.iter().collect();
                assert!(
                    unpack(&utf16_units(&text)).is_err(),
                    "{stranger:?} three times at {at}"
                );
            }
        }
    }

    #[test]
    fn any_padding_bit_set_is_rejected() {
        for len in 1..40 {
            let bytes: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(31)).collect();
            let packed = pack(&bytes);
            let pad = u32::from(packed[0]) - BASE;
            for bit in 0..pad {
                let mut damaged = packed.clone();
                *damaged.last_mut().unwrap() ^= 1 << bit;
                assert!(
                    unpack(&damaged).is_err(),
                    "length {len}, padding bit {bit} of {pad}"
                );
            }
        }
    }

    #[test]
    fn headers_round_trip() {
        for n in [0, 1, 32_767, 32_768, (1 << 30) - 1] {
            assert_eq!(unpack_header(&pack_header(n)).unwrap(), n);
        }
        assert!(unpack_header(&utf16_units("ab")).is_err());
    }

    proptest! {
        #[test]
        fn round_trips_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let packed = pack(&bytes);
            prop_assert!(packed.iter().all(|&u| (BASE..=BASE + MASK).contains(&u32::from(u))));
            prop_assert_eq!(packed.len(), packed_units(bytes.len()));
            prop_assert_eq!(&unpack(&packed).unwrap(), &bytes);
            // As the bit-by-bit reading of the bytes, 15 bits a unit after the padding unit.
            let bits: Vec<bool> = bytes.iter().flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1)).collect();
            let expected: Vec<u32> = bits.chunks(15).map(|c| c.iter().chain(std::iter::repeat(&false)).take(15).fold(0, |a, &bit| a << 1 | u32::from(bit))).collect();
            prop_assert_eq!(packed[1..].iter().map(|&u| u32::from(u) - BASE).collect::<Vec<_>>(), expected);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,64}") {
            let _ = unpack(&utf16_units(&text));
        }

        #[test]
        fn text_in_the_packed_alphabet_unpacks_as_the_bit_by_bit_reading(
            mut codes in proptest::collection::vec(0x4DF0u32..0xCE10, 0..140),
            well_formed in any::<bool>(),
        ) {
            // This is what reading the units one by one as a sequence of bits gives.
            // Half the cases get the padding a packed string has, so that both outcomes occur.
            if well_formed && !codes.is_empty() {
                let pad = ((codes.len() - 1) * 15 % 8) as u32;
                codes[0] = BASE + pad;
                if let Some(last) = codes.get_mut(1..).and_then(|d| d.last_mut()) {
                    *last = BASE + ((last.saturating_sub(BASE) & MASK) >> pad << pad);
                }
            }
            let text: String = codes.iter().filter_map(|&u| char::from_u32(u)).collect();
            let values: Option<Vec<u32>> = text.encode_utf16().map(value).collect();
            let expected = match values.as_deref() {
                None | Some([]) => None,
                Some([pad, data @ ..]) => {
                    let data_bits = data.len() as u64 * u64::from(BITS);
                    let ok_pad = *pad < BITS && u64::from(*pad) <= data_bits && (data_bits - u64::from(*pad)).is_multiple_of(8);
                    ok_pad.then(|| {
                        let mut bits: Vec<bool> = data.iter().flat_map(|v| (0..BITS).rev().map(move |i| v >> i & 1 == 1)).collect();
                        let tail = bits.split_off(bits.len() - *pad as usize);
                        let bytes: Vec<u8> = bits.chunks(8).map(|b| b.iter().fold(0u8, |a, &bit| a << 1 | u8::from(bit))).collect();
                        (tail, bytes)
                    }).filter(|(tail, _)| tail.iter().all(|b| !b)).map(|(_, bytes)| bytes)
                }
            };
            prop_assert_eq!(unpack(&utf16_units(&text)).ok(), expected);
        }

        #[test]
        fn truncation_is_detected_or_harmless(bytes in proptest::collection::vec(any::<u8>(), 1..300), keep in any::<prop::sample::Index>()) {
            let packed: Vec<char> = packed_text(&bytes).chars().collect();
            let keep = keep.index(packed.len());
            let cut: String = packed[..keep].iter().collect();
            if let Ok(out) = unpack(&utf16_units(&cut)) {
                prop_assert!(out.len() < bytes.len());
            }
        }
    }
}
