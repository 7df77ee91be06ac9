//! IndexedDB's journal of metadata: how start-up learns what the database holds without reading
//! the entries themselves.
//!
//! Each entry is one IndexedDB record (its metadata record and its payload envelope together,
//! one write an entry); every batch also appends one journal chunk naming what it changed: each
//! key with the metadata record it now has, or none where it was removed. Start-up replays the
//! chunks in the order they were appended (the order the batches committed) and rewrites them as
//! one. A chunk is untrusted input like any stored record: one that does not decode is passed
//! over whole, and what the chunks before it said of its keys meets the entries' own checks (seal,
//! key, payload checksum) when they are read.
//!
//! `chunk = FORMAT (u8) | count (u32) | (key: put_str, meta: put_bytes)*`, an empty meta meaning
//! the key was removed (a metadata record is never empty).

use super::bytes::{put_bytes, put_str, Reader};
use crate::core::error::{Corruption, Error, Result};
use std::collections::BTreeMap;

const FORMAT: u8 = 1;
/// An item takes at least the two 4-byte lengths.
const MIN_ITEM_BYTES: usize = 8;

/// One batch's changes as a chunk: each key with the metadata record it now has, or `None`
/// where it was removed.
pub fn chunk<'a>(changes: impl IntoIterator<Item = (&'a str, Option<&'a [u8]>)>) -> Vec<u8> {
    let mut out = vec![FORMAT, 0, 0, 0, 0];
    let mut count: u32 = 0;
    for (key, meta) in changes {
        put_str(&mut out, key);
        put_bytes(&mut out, meta.unwrap_or_default());
        count += 1;
    }
    out[1..5].copy_from_slice(&count.to_le_bytes());
    out
}

/// A key and the metadata record it now has, or `None` where it was removed.
type Change<'a> = (String, Option<&'a [u8]>);

/// The changes a chunk names, in its order.
fn changes(chunk: &[u8]) -> Result<Vec<Change<'_>>> {
    let mut reader = Reader::new(chunk);
    if reader.u8()? != FORMAT {
        return Err(Error::Corrupt(Corruption::UnknownJournalFormat));
    }
    let count = reader.u32()? as usize;
    if count > chunk.len() / MIN_ITEM_BYTES {
        return Err(Error::Corrupt(Corruption::MetadataListTooLong));
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let key = reader.string()?;
        let meta = reader.bytes()?;
        out.push((key, (!meta.is_empty()).then_some(meta)));
    }
    if !reader.is_empty() {
        return Err(Error::Corrupt(Corruption::MetadataTrailingBytes));
    }
    Ok(out)
}

/// What the chunks say is stored, in the order they were appended: per key, in key order, the
/// metadata record of its last change that left one. A chunk that does not decode is passed over.
pub fn replay<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> BTreeMap<String, Vec<u8>> {
    let mut live = BTreeMap::new();
    for chunk in chunks {
        let Ok(changes) = changes(chunk) else {
            continue;
        };
        for (key, meta) in changes {
            match meta {
                Some(meta) => live.insert(key, meta.to_vec()),
                None => live.remove(&key),
            };
        }
    }
    live
}

/// The journal rewritten as the one chunk that replays to `live`.
pub fn snapshot(live: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    chunk(live.iter().map(|(k, m)| (k.as_str(), Some(&m[..]))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn later_chunks_win_and_removals_remove() {
        let first = chunk([("a", Some(&b"a1"[..])), ("b", Some(&b"b1"[..]))]);
        let second = chunk([
            ("a", None),
            ("c", Some(&b"c1"[..])),
            ("b", Some(&b"b2"[..])),
        ]);
        let live = replay([&first[..], &second[..]]);
        let expected: BTreeMap<String, Vec<u8>> =
            [("b".into(), b"b2".to_vec()), ("c".into(), b"c1".to_vec())].into();
        assert_eq!(live, expected);
        assert_eq!(replay([&snapshot(&live)[..]]), live);
        assert_eq!(replay([&chunk([])[..]]), BTreeMap::new());
    }

    #[test]
    fn a_chunk_that_does_not_decode_is_passed_over_whole() {
        let first = chunk([("a", Some(&b"a1"[..]))]);
        let second = chunk([("b", Some(&b"b1"[..])), ("a", None)]);
        let expected: BTreeMap<String, Vec<u8>> = [("a".into(), b"a1".to_vec())].into();
        for cut in 0..second.len() {
            assert_eq!(
                replay([&first[..], &second[..cut]]),
                expected,
                "cut at {cut}"
            );
        }
        let mut longer = second.clone();
        longer.push(0);
        let mut other_format = second.clone();
        other_format[0] = 2;
        let mut forged_count = second.clone();
        forged_count[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        for bad in [longer, other_format, forged_count] {
            assert_eq!(replay([&first[..], &bad[..]]), expected);
        }
    }

    proptest! {
        /// Replaying the chunks of any run of batches gives what applying them to a map gives,
        /// and so does the snapshot of the result.
        #[test]
        fn replay_is_applying_the_batches_in_order(
            batches in prop::collection::vec(
                prop::collection::vec(("[a-d]{1,2}", prop::option::of(prop::collection::vec(any::<u8>(), 1..6))), 0..6),
                0..8,
            ),
        ) {
            let mut model = BTreeMap::new();
            let chunks: Vec<Vec<u8>> = batches
                .iter()
                .map(|batch| {
                    for (key, meta) in batch {
                        match meta {
                            Some(meta) => model.insert(key.clone(), meta.clone()),
                            None => model.remove(key),
                        };
                    }
                    chunk(batch.iter().map(|(k, m)| (k.as_str(), m.as_deref())))
                })
                .collect();
            let live = replay(chunks.iter().map(Vec::as_slice));
            prop_assert_eq!(&live, &model);
            prop_assert_eq!(replay([&snapshot(&live)[..]]), model);
        }
    }
}
