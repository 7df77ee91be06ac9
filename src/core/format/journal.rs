//! IndexedDB's journal of metadata: how start-up learns what the database holds without reading
//! the entries themselves.
//!
//! Each entry is one IndexedDB record (its metadata record and its payload envelope together,
//! one write an entry); every batch also appends one journal chunk naming what it changed: each
//! key with the metadata record it now has, or none where it was removed. Start-up replays the
//! chunks in the order they were appended (the order the batches committed) and rewrites them as
//! one. A chunk is untrusted input like any stored record: one that does not decode is passed
//! over whole, and what the chunks before it said of its keys meets the entries' own checks (seal,
//! key, payload checksum) when they are read; the entries the journal then no longer names are
//! found by their own records (`recovered`), which carry their metadata too.
//!
//! `chunk = FORMAT (u8) | count (u32) | (key: put_str, meta: put_bytes)*`, an empty meta meaning
//! the key was removed (a metadata record is never empty).

use super::bytes::{put_bytes, put_str, Reader};
use crate::core::error::{Corruption, Error, Result};
use crate::core::sort;

const FORMAT: u8 = 1;
/// An item takes at least the two 4-byte lengths.
const MIN_ITEM_BYTES: usize = 8;

/// A key and the metadata record it now has, or `None` where it was removed.
pub type Change<'a> = (&'a str, Option<&'a [u8]>);

/// One batch's changes as a chunk.
pub fn chunk(changes: &[Change<'_>]) -> Vec<u8> {
    let mut out = vec![FORMAT];
    out.extend_from_slice(&(changes.len() as u32).to_le_bytes());
    for (key, meta) in changes {
        put_str(&mut out, key);
        put_bytes(&mut out, meta.unwrap_or_default());
    }
    out
}

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
        let key = std::str::from_utf8(reader.bytes()?)
            .map_err(|_| Error::Corrupt(Corruption::MetadataNotUtf8))?;
        let meta = reader.bytes()?;
        out.push((key, (!meta.is_empty()).then_some(meta)));
    }
    if !reader.is_empty() {
        return Err(Error::Corrupt(Corruption::MetadataTrailingBytes));
    }
    Ok(out)
}

/// What a replay found.
#[derive(Debug, Default, PartialEq)]
pub struct Replayed {
    /// Per key, in key order, the metadata record of its last change that left one.
    pub live: Vec<(String, Vec<u8>)>,
    /// How many chunks did not decode (the entries only those named are not in `live`).
    pub damaged: usize,
}

/// What the chunks say is stored, in the order they were appended. A chunk that does not decode
/// is passed over, and counted.
pub fn replay<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Replayed {
    let mut all = Vec::new();
    let mut damaged = 0;
    for chunk in chunks {
        match changes(chunk) {
            Ok(changes) => all.extend(changes),
            Err(_) => damaged += 1,
        }
    }
    // Stable: a key's changes stay in the order they were made, and its last one counts.
    sort::sort_by(&mut all, |a, b| a.0.cmp(b.0));
    let mut live = Vec::new();
    let mut changes = all.into_iter().peekable();
    while let Some((key, meta)) = changes.next() {
        let superseded = changes.peek().is_some_and(|(next, _)| *next == key);
        if let (false, Some(meta)) = (superseded, meta) {
            live.push((key.to_string(), meta.to_vec()));
        }
    }
    Replayed { live, damaged }
}

/// `live` with the entries a damaged journal no longer named, as their own records give them
/// (`found`: key and metadata record, keys not in `live`), in key order again.
pub fn recovered(
    mut live: Vec<(String, Vec<u8>)>,
    found: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> Vec<(String, Vec<u8>)> {
    live.extend(found);
    sort::sort_by(&mut live, |a, b| a.0.cmp(&b.0));
    live
}

/// The journal rewritten as the one chunk that replays to `live`.
pub fn snapshot(live: &[(String, Vec<u8>)]) -> Vec<u8> {
    let changes: Vec<Change<'_>> = live
        .iter()
        .map(|(k, m)| (k.as_str(), Some(&m[..])))
        .collect();
    chunk(&changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn live(pairs: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(k, m)| (k.to_string(), m.to_vec()))
            .collect()
    }

    #[test]
    fn later_chunks_win_and_removals_remove() {
        let first = chunk(&[("a", Some(b"a1")), ("b", Some(b"b1"))]);
        let second = chunk(&[("a", None), ("c", Some(b"c1")), ("b", Some(b"b2"))]);
        let found = replay([&first[..], &second[..]]).live;
        assert_eq!(found, live(&[("b", b"b2"), ("c", b"c1")]));
        assert_eq!(replay([&snapshot(&found)[..]]).live, found);
        assert_eq!(replay([&chunk(&[])[..]]), Replayed::default());
    }

    #[test]
    fn a_chunk_that_does_not_decode_is_passed_over_whole() {
        let first = chunk(&[("a", Some(b"a1"))]);
        let second = chunk(&[("b", Some(b"b1")), ("a", None)]);
        let expected = Replayed {
            live: live(&[("a", b"a1")]),
            damaged: 1,
        };
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

    #[test]
    fn recovered_entries_join_the_replayed_ones_in_key_order() {
        let replayed = replay([&chunk(&[("b", Some(b"b1")), ("d", Some(b"d1"))])[..]]).live;
        let found = vec![
            ("c".to_string(), b"c1".to_vec()),
            ("a".to_string(), b"a1".to_vec()),
        ];
        let all = recovered(replayed, found);
        assert_eq!(
            all,
            live(&[("a", b"a1"), ("b", b"b1"), ("c", b"c1"), ("d", b"d1")])
        );
        assert_eq!(replay([&snapshot(&all)[..]]).live, all);
    }

    proptest! {
        /// Replaying the chunks of any run of batches gives what applying them to a map gives,
        /// and so does the snapshot of the result.
        #[test]
        fn replay_is_applying_the_batches_in_order(
            batches in prop::collection::vec(
                prop::collection::vec(
                    ("[a-d]{1,2}", prop::option::of(prop::collection::vec(any::<u8>(), 1..6))),
                    0..6,
                ),
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
                    let changes: Vec<Change<'_>> =
                        batch.iter().map(|(k, m)| (k.as_str(), m.as_deref())).collect();
                    chunk(&changes)
                })
                .collect();
            let model: Vec<(String, Vec<u8>)> = model.into_iter().collect();
            let found = replay(chunks.iter().map(Vec::as_slice));
            prop_assert_eq!(found.damaged, 0);
            prop_assert_eq!(&found.live, &model);
            prop_assert_eq!(replay([&snapshot(&found.live)[..]]).live, model);
        }
    }
}
