//! The payload envelope: every persisted value is stored as
//!
//! ```text
//! magic "SC" | format u8 | flags u8 | raw length u32 LE | XXH32(raw) u32 LE | body
//! ```
//!
//! where the body is the raw payload, or its LZ4 block when compression was worth it. Stored bytes
//! are untrusted: `decode` checks every field and the checksum of what it rebuilt, and fails closed.

use super::checksum::xxh32;
use crate::core::error::{Corruption, Error, Result};

/// The first two bytes of every envelope.
pub const MAGIC: [u8; 2] = *b"SC";
/// 2: records are sealed to their namespace, version and key (see `record`). Envelopes of format 1
/// come from the previous release: they read as `Error::Outdated` and are purged.
pub const FORMAT_VERSION: u8 = 2;
const OLDEST_KNOWN_FORMAT: u8 = 1;
/// Bytes of the envelope before its body.
pub const HEADER_LEN: usize = 12;
const FLAG_LZ4: u8 = 0b0000_0001;
const KNOWN_FLAGS: u8 = FLAG_LZ4;
/// LZ4 cannot expand data by more than this factor; a header claiming more is forged.
const LZ4_MAX_RATIO: usize = 255;

/// Wraps `raw` in the envelope, LZ4-compressing it when it is larger than `compress_above` bytes
/// and the compressed form is actually smaller.
pub fn encode(raw: &[u8], compress_above: usize) -> Vec<u8> {
    let raw_len =
        u32::try_from(raw.len()).expect("payloads are limited to 4 GiB by the tier budgets");
    let compressed = (raw.len() > compress_above)
        .then(|| lz4_flex::block::compress(raw))
        .filter(|packed| packed.len() < raw.len());
    let (flags, body) = match &compressed {
        Some(packed) => (FLAG_LZ4, packed.as_slice()),
        None => (0, raw),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.push(flags);
    out.extend_from_slice(&raw_len.to_le_bytes());
    out.extend_from_slice(&xxh32(raw, 0).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Whether an envelope made by `encode` holds a compressed body. Only meaningful on valid input.
pub fn is_compressed(stored: &[u8]) -> bool {
    stored.get(3).is_some_and(|flags| flags & FLAG_LZ4 != 0)
}

/// Opens an envelope, checking magic, format, flags, length and checksum.
pub fn decode(stored: &[u8]) -> Result<Vec<u8>> {
    open(stored, true)
}

/// `decode` of an envelope whose exact bytes the caller has checked already (an entry's payload
/// against its metadata's checksum, `record::open_payload`): decompression is deterministic, so
/// the checksum of what it rebuilds would tell nothing more. Every other field is still checked.
pub(super) fn decode_verified(stored: &[u8]) -> Result<Vec<u8>> {
    open(stored, false)
}

fn open(stored: &[u8], summed: bool) -> Result<Vec<u8>> {
    if stored.len() < HEADER_LEN {
        return Err(Error::Corrupt(Corruption::ShortEnvelope));
    }
    if stored[0..2] != MAGIC {
        return Err(Error::Corrupt(Corruption::NotAnEnvelope));
    }
    if (OLDEST_KNOWN_FORMAT..FORMAT_VERSION).contains(&stored[2]) {
        return Err(Error::Outdated("envelope of an earlier format".into()));
    }
    if stored[2] != FORMAT_VERSION {
        return Err(Error::Corrupt(Corruption::UnknownEnvelopeFormat));
    }
    let flags = stored[3];
    if flags & !KNOWN_FLAGS != 0 {
        return Err(Error::Corrupt(Corruption::UnknownEnvelopeFlags));
    }
    let raw_len = u32::from_le_bytes([stored[4], stored[5], stored[6], stored[7]]) as usize;
    let checksum = u32::from_le_bytes([stored[8], stored[9], stored[10], stored[11]]);
    let body = &stored[HEADER_LEN..];
    let raw = if flags & FLAG_LZ4 != 0 {
        if raw_len > body.len().saturating_mul(LZ4_MAX_RATIO) {
            return Err(Error::Corrupt(Corruption::ImpossibleRawLength));
        }
        let raw = lz4_flex::block::decompress(body, raw_len)
            .map_err(|_| Error::Corrupt(Corruption::Lz4Body))?;
        if raw.len() != raw_len {
            return Err(Error::Corrupt(Corruption::BodyLength));
        }
        raw
    } else {
        if body.len() != raw_len {
            return Err(Error::Corrupt(Corruption::BodyLength));
        }
        body.to_vec()
    };
    if summed && xxh32(&raw, 0) != checksum {
        return Err(Error::Corrupt(Corruption::Checksum));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn crm_json() -> Vec<u8> {
        let rows: Vec<String> = (0..200)
            .map(|i| {
                format!(
                    r#"{{"id":{i},"company_id":42,"amount":{},"status":"paid","currency":"EUR"}}"#,
                    i * 37 % 1000
                )
            })
            .collect();
        format!("[{}]", rows.join(",")).into_bytes()
    }

    #[test]
    fn small_payloads_stay_uncompressed() {
        let raw = br#"{"id":1}"#;
        let stored = encode(raw, 512);
        assert!(!is_compressed(&stored));
        assert_eq!(stored.len(), HEADER_LEN + raw.len());
        assert_eq!(decode(&stored).unwrap(), raw);
    }

    #[test]
    fn repetitive_json_is_compressed_and_restored() {
        let raw = crm_json();
        let stored = encode(&raw, 512);
        assert!(is_compressed(&stored));
        assert!(
            stored.len() * 3 < raw.len(),
            "{} vs {}",
            stored.len(),
            raw.len()
        );
        assert_eq!(decode(&stored).unwrap(), raw);
    }

    #[test]
    fn incompressible_payloads_are_stored_raw() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let raw: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let stored = encode(&raw, 512);
        assert!(!is_compressed(&stored));
        assert_eq!(decode(&stored).unwrap(), raw);
    }

    #[test]
    fn each_damaged_field_is_rejected() {
        let good = encode(&crm_json(), 512);
        let damage = |at: usize, value: u8| {
            let mut bad = good.clone();
            bad[at] = value;
            decode(&bad).unwrap_err()
        };
        assert!(matches!(damage(0, b'X'), Error::Corrupt(_)));
        assert!(matches!(damage(2, 9), Error::Corrupt(_)));
        assert!(matches!(damage(3, 0b10), Error::Corrupt(_)));
        assert!(matches!(damage(4, 0xFF), Error::Corrupt(_)));
        assert!(matches!(damage(8, good[8] ^ 1), Error::Corrupt(_)));
        assert!(matches!(
            damage(good.len() - 1, good[good.len() - 1] ^ 0x40),
            Error::Corrupt(_)
        ));
        assert!(decode(&good[..good.len() - 3]).is_err());
        assert!(decode(&good[..5]).is_err());
        assert!(decode(&[]).is_err());
    }

    #[test]
    fn forged_huge_raw_length_is_refused_before_allocating() {
        let mut forged = encode(&crm_json(), 512);
        forged[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&forged).is_err());
    }

    proptest! {
        #[test]
        fn round_trips_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..4096), threshold in 0usize..1024) {
            let stored = encode(&raw, threshold);
            prop_assert!(stored.len() <= HEADER_LEN + raw.len());
            prop_assert_eq!(decode(&stored).unwrap(), raw);
        }

        #[test]
        fn round_trips_compressible_bytes(seed in proptest::collection::vec(any::<u8>(), 1..64), reps in 1usize..200) {
            let raw: Vec<u8> = seed.iter().cycle().take(seed.len() * reps).copied().collect();
            prop_assert_eq!(decode(&encode(&raw, 0)).unwrap(), raw);
        }

        #[test]
        fn arbitrary_input_never_panics(stored in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&stored);
        }

        #[test]
        fn any_single_corruption_is_detected(raw in proptest::collection::vec(any::<u8>(), 0..2048), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let mut stored = encode(&raw, 64);
            let at = at.index(stored.len());
            stored[at] ^= flip;
            prop_assert!(decode(&stored).is_err());
        }

        #[test]
        fn valid_headers_with_random_bodies_fail_closed(raw_len in 0u32..100_000, body in proptest::collection::vec(any::<u8>(), 0..256), lz4 in any::<bool>()) {
            let mut stored = vec![b'S', b'C', FORMAT_VERSION, u8::from(lz4)];
            stored.extend_from_slice(&raw_len.to_le_bytes());
            stored.extend_from_slice(&0u32.to_le_bytes());
            stored.extend_from_slice(&body);
            if let Ok(raw) = decode(&stored) {
                prop_assert_eq!(raw.len(), raw_len as usize);
                prop_assert_eq!(xxh32(&raw, 0), 0);
            }
        }
    }
}
