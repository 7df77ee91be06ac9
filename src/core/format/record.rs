//! What is persisted for an entry besides its value: its metadata record, and the layout of a
//! localStorage value.
//!
//! A localStorage value is `len(2 units) | pack(encode(meta)) | pack(encode(json))`: the metadata
//! comes first, in its own checksummed envelope, so that start-up reads just the head of each value
//! and leaves the payloads alone. IndexedDB keeps the two envelopes in one record, and the metadata
//! again in its journal (`journal`).
//! Both are untrusted input: every field is length-checked and a mismatch is `Error::Corrupt`.
//!
//! Binding: the metadata names its key and the checksum of its payload envelope, and ends with a
//! seal, XXH32 of the whole record seeded by the namespace and version (`seal_seed`). A record
//! copied to another namespace, version or key, a payload spliced or swapped in from another
//! entry, or metadata edited by hand all fail one of these checks before anything is returned.

use super::bytes::{put_list, put_str, Reader};
use super::checksum::xxh32;
use super::codec;
use super::text;
use crate::core::error::{Corruption, Error, Result};

/// An entry's metadata, as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Meta {
    /// The cache key; a value copied under another key is foreign.
    pub key: String,
    /// When it was written, epoch ms.
    pub created_at: u64,
    /// When it expires.
    pub expires_at: Option<u64>,
    /// When it turns stale.
    pub stale_at: Option<u64>,
    /// Length of the value's JSON text.
    pub raw_bytes: u64,
    /// Size of the stored payload envelope, in bytes.
    pub payload_bytes: u64,
    /// Whether the payload is LZ4-compressed.
    pub compressed: bool,
    /// Its tags.
    pub tags: Vec<String>,
    /// What it depends on.
    pub depends_on: Vec<String>,
    /// The write's place in the order every tab agrees on: (stamp, writer), later wins.
    pub stamp: u64,
    /// Random id of the engine (tab) that wrote it; breaks ties between equal stamps.
    pub writer: u32,
    /// XXH32 of the payload envelope stored beside this record.
    pub payload_sum: u32,
}

/// 2: stamp, writer, payload checksum and seal. Format 1 is the previous release's.
const META_FORMAT: u8 = 2;
const SEAL_BYTES: usize = 4;

/// The seed of every seal in one namespace and version: a record sealed under one never opens
/// under another.
pub fn seal_seed(namespace: &str, version: u64) -> u32 {
    let mut bytes = Vec::with_capacity(namespace.len() + 9);
    bytes.extend_from_slice(namespace.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(&version.to_le_bytes());
    xxh32(&bytes, 0x5eed_cac4)
}

/// The (stamp, writer) of a sealed metadata record, read from its fixed place at the end once the
/// seal is checked: what IndexedDB's compare-and-set orders writes by. None for anything else.
pub fn sealed_stamp(bytes: &[u8], seed: u32) -> Option<(u64, u32)> {
    let body_len = bytes.len().checked_sub(SEAL_BYTES)?;
    if bytes.first() != Some(&META_FORMAT) || body_len < 1 + 16 {
        return None;
    }
    let (body, seal) = bytes.split_at(body_len);
    if xxh32(body, seed).to_le_bytes() != seal {
        return None;
    }
    let at = body_len - 16;
    let stamp = u64::from_le_bytes(body[at..at + 8].try_into().ok()?);
    let writer = u32::from_le_bytes(body[at + 8..at + 12].try_into().ok()?);
    Some((stamp, writer))
}

/// The checksum that binds a payload envelope to its metadata.
pub fn payload_sum(payload: &[u8]) -> u32 {
    xxh32(payload, 0)
}

/// Opens an entry's payload envelope once its exact bytes match `sum`, the checksum its metadata
/// was sealed with (another entry's payload, or damaged bytes, are corrupt): with those checked,
/// the envelope's own checksum of what decompression rebuilds is not computed again.
pub fn open_payload(payload: &[u8], sum: u32) -> Result<Vec<u8>> {
    if payload_sum(payload) != sum {
        return Err(Error::Corrupt(Corruption::ForeignPayload));
    }
    codec::decode_verified(payload)
}

impl Meta {
    /// The record, sealed with `seed` (`seal_seed` of the namespace and version).
    pub fn to_bytes(&self, seed: u32) -> Vec<u8> {
        let mut out = vec![META_FORMAT, u8::from(self.compressed)];
        put_str(&mut out, &self.key);
        for n in [
            self.created_at,
            self.expires_at.unwrap_or(0),
            self.stale_at.unwrap_or(0),
            self.raw_bytes,
            self.payload_bytes,
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        put_list(&mut out, &self.tags);
        put_list(&mut out, &self.depends_on);
        out.extend_from_slice(&self.stamp.to_le_bytes());
        out.extend_from_slice(&self.writer.to_le_bytes());
        out.extend_from_slice(&self.payload_sum.to_le_bytes());
        let seal = xxh32(&out, seed);
        out.extend_from_slice(&seal.to_le_bytes());
        out
    }

    /// Bytes of the sealed record (what the tiers' budgets count).
    pub fn record_len(&self) -> usize {
        // format, flag, key, five numbers, two lists, stamp, writer, payload sum, seal
        let list = |l: &[String]| 4 + l.iter().map(|s| 4 + s.len()).sum::<usize>();
        2 + 4
            + self.key.len()
            + 5 * 8
            + list(&self.tags)
            + list(&self.depends_on)
            + 8
            + 4
            + 4
            + SEAL_BYTES
    }

    /// Opens a record sealed with `seed`: the seal is checked before any field is believed.
    pub fn from_bytes(bytes: &[u8], seed: u32) -> Result<Meta> {
        match bytes.first() {
            Some(&META_FORMAT) => {}
            Some(1) => return Err(Error::Outdated("metadata of an earlier format".into())),
            _ => return Err(Error::Corrupt(Corruption::UnknownMetadataFormat)),
        }
        let Some(body_len) = bytes.len().checked_sub(SEAL_BYTES) else {
            return Err(Error::Corrupt(Corruption::MetadataTruncated));
        };
        let (body, seal) = bytes.split_at(body_len);
        if xxh32(body, seed).to_le_bytes() != seal {
            return Err(Error::Corrupt(Corruption::Seal));
        }
        let mut r = Reader::new(&body[1..]);
        let compressed = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(Error::Corrupt(Corruption::MetadataFlag)),
        };
        let key = r.string()?;
        let created_at = r.u64()?;
        let nonzero = |n: u64| (n != 0).then_some(n);
        let expires_at = nonzero(r.u64()?);
        let stale_at = nonzero(r.u64()?);
        let raw_bytes = r.u64()?;
        let payload_bytes = r.u64()?;
        let tags = r.list()?;
        let depends_on = r.list()?;
        let stamp = r.u64()?;
        let writer = r.u32()?;
        let payload_sum = r.u32()?;
        if !r.is_empty() {
            return Err(Error::Corrupt(Corruption::MetadataTrailingBytes));
        }
        Ok(Meta {
            key,
            created_at,
            expires_at,
            stale_at,
            raw_bytes,
            payload_bytes,
            compressed,
            tags,
            depends_on,
            stamp,
            writer,
            payload_sum,
        })
    }

    /// Whether this write comes after `other` in the order all tabs agree on.
    pub fn newer_than(&self, other: &Meta) -> bool {
        (self.stamp, self.writer) > (other.stamp, other.writer)
    }

    /// Whether the entry's ttl has run out at `now`.
    pub fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Units of the localStorage header that gives the length of the metadata part.
pub const HEAD_UNITS: usize = 2;
/// The largest metadata part the header can describe (30 bits of units).
const MAX_META_UNITS: usize = (1 << 30) - 1;

/// The localStorage value of an entry: header, packed metadata envelope, packed payload envelope.
pub fn local_value(meta: &Meta, seed: u32, payload: &[u8]) -> Vec<u16> {
    let meta_envelope = codec::encode(&meta.to_bytes(seed), usize::MAX);
    let meta_units = text::packed_units(meta_envelope.len());
    assert!(
        meta_units <= MAX_META_UNITS,
        "metadata is bounded by the key and option limits"
    );
    let mut out = Vec::with_capacity(HEAD_UNITS + meta_units + text::packed_units(payload.len()));
    out.extend_from_slice(&text::pack_header(meta_units as u32));
    text::pack_into(&meta_envelope, &mut out);
    text::pack_into(payload, &mut out);
    out
}

/// Reads the metadata part's length from the first `HEAD_UNITS` units of a localStorage value.
pub fn local_meta_units(head: &[u16]) -> Result<usize> {
    Ok(text::unpack_header(head)? as usize)
}

/// Splits a localStorage value's UTF-16 units (or its first `HEAD_UNITS + meta units` units)
/// into metadata and, when present, the payload envelope.
pub fn parse_local_meta(value: &[u16], seed: u32) -> Result<Meta> {
    let (meta_units, _) = split_local(value)?;
    Meta::from_bytes(&codec::decode(&text::unpack(meta_units)?)?, seed)
}

/// The payload envelope of a full localStorage value, from its UTF-16 units.
pub fn local_payload(value: &[u16]) -> Result<Vec<u8>> {
    let (_, payload_units) = split_local(value)?;
    text::unpack(payload_units)
}

fn split_local(value: &[u16]) -> Result<(&[u16], &[u16])> {
    let head = value
        .get(..HEAD_UNITS)
        .ok_or(Error::Corrupt(Corruption::ValueShorterThanHeader))?;
    let meta_end = HEAD_UNITS + local_meta_units(head)?;
    let meta = value
        .get(HEAD_UNITS..meta_end)
        .ok_or(Error::Corrupt(Corruption::MetadataCutShort))?;
    Ok((meta, &value[meta_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn meta() -> Meta {
        Meta {
            key: "payments:company:42".into(),
            created_at: 1_700_000_000_000,
            expires_at: Some(1_700_000_600_000),
            stale_at: None,
            raw_bytes: 1234,
            payload_bytes: 321,
            compressed: true,
            tags: vec!["payments".into(), "company:42".into()],
            depends_on: vec!["payment:7".into()],
            stamp: 1_700_000_000_000 << 10,
            writer: 0xdead_beef,
            payload_sum: 0x1234_5678,
        }
    }

    const SEED: u32 = 7;

    #[test]
    fn metadata_round_trips() {
        let m = meta();
        assert_eq!(Meta::from_bytes(&m.to_bytes(SEED), SEED).unwrap(), m);
        assert_eq!(m.to_bytes(SEED).len(), m.record_len());
        assert_eq!(
            sealed_stamp(&m.to_bytes(SEED), SEED),
            Some((m.stamp, m.writer))
        );
        assert_eq!(sealed_stamp(&m.to_bytes(SEED), SEED + 1), None);
        assert_eq!(
            Meta::from_bytes(&Meta::default().to_bytes(SEED), SEED).unwrap(),
            Meta::default()
        );
    }

    #[test]
    fn a_record_opens_only_under_the_namespace_and_version_it_was_sealed_for() {
        let bytes = meta().to_bytes(seal_seed("crm", 1));
        assert!(Meta::from_bytes(&bytes, seal_seed("crm", 1)).is_ok());
        for (ns, v) in [("crm", 2), ("crm2", 1), ("cr", 1), ("", 1)] {
            let err = Meta::from_bytes(&bytes, seal_seed(ns, v)).unwrap_err();
            assert!(matches!(err, Error::Corrupt(_)), "{ns} {v}: {err}");
        }
    }

    #[test]
    fn any_edit_of_a_sealed_record_breaks_the_seal() {
        let bytes = meta().to_bytes(SEED);
        for at in 1..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            assert!(Meta::from_bytes(&bad, SEED).is_err(), "byte {at}");
        }
    }

    #[test]
    fn records_of_the_previous_format_are_outdated_not_corrupt() {
        let mut old = meta().to_bytes(SEED);
        old[0] = 1;
        assert!(matches!(
            Meta::from_bytes(&old, SEED),
            Err(Error::Outdated(_))
        ));
    }

    #[test]
    fn local_values_split_back_into_meta_and_payload() {
        let json = br#"[{"id":1,"amount":10},{"id":2,"amount":20}]"#.repeat(40);
        let payload = codec::encode(&json, 512);
        let value = local_value(&meta(), SEED, &payload);
        assert_eq!(parse_local_meta(&value, SEED).unwrap(), meta());
        assert_eq!(
            codec::decode(&local_payload(&value).unwrap()).unwrap(),
            json
        );
        // Start-up reads only the head: header plus metadata.
        let head_units = HEAD_UNITS + local_meta_units(&value[..HEAD_UNITS]).unwrap();
        assert_eq!(
            parse_local_meta(&value[..head_units], SEED).unwrap(),
            meta()
        );
    }

    #[test]
    fn foreign_and_damaged_values_are_corrupt() {
        let value = local_value(&meta(), SEED, &codec::encode(b"{}", 512));
        let json = text::utf16_units("{\"json\":1}");
        for bad in [&[][..], &json, &value[..1], &value[..value.len() - 1]] {
            let parsed = parse_local_meta(bad, SEED)
                .and_then(|_| local_payload(bad).and_then(|p| codec::decode(&p)));
            assert!(parsed.is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_metadata_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Meta::from_bytes(&bytes, SEED);
        }

        #[test]
        fn arbitrary_local_values_never_panic(units in proptest::collection::vec(any::<u16>(), 0..40)) {
            let _ = parse_local_meta(&units, SEED);
            let _ = local_payload(&units);
        }
    }
}
