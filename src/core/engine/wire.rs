//! The cross-tab message: every `Broadcast` of a tick in one byte array, so that a write costs
//! the other tabs' channel a few bytes of it rather than an object built field by field.
//!
//! `WIRE_FORMAT | (tag | fields)*`, fields as `format::bytes` writes them. A batch of another
//! format, or one that does not read to its end, is ignored whole: it was not written by this
//! release.

use super::broadcast::Broadcast;
use crate::core::format::bytes::{put_bytes, put_list, put_str, Reader};
use crate::core::types::Tier;

const WIRE_FORMAT: u8 = 1;

const SET: u8 = 0;
const DELETE: u8 = 1;
const INVALIDATE: u8 = 2;
const CLEAR: u8 = 3;

const HAS_META: u8 = 1;
const HAS_PAYLOAD: u8 = 2;

impl Broadcast {
    /// The batch as one message, oldest first.
    pub fn encode_batch(batch: &[Broadcast]) -> Vec<u8> {
        let mut out = vec![WIRE_FORMAT];
        for broadcast in batch {
            broadcast.encode(&mut out);
        }
        out
    }

    /// What `encode_batch` wrote; None for anything else.
    pub fn decode_batch(bytes: &[u8]) -> Option<Vec<Broadcast>> {
        let (&WIRE_FORMAT, body) = bytes.split_first()? else {
            return None;
        };
        let mut r = Reader::new(body);
        let mut batch = Vec::new();
        while !r.is_empty() {
            batch.push(Broadcast::decode(&mut r)?);
        }
        Some(batch)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Broadcast::Set {
                key,
                home,
                meta,
                payload,
                stamp,
                writer,
            } => {
                out.push(SET);
                put_str(out, key);
                out.push(Tier::ALL.iter().position(|t| t == home).unwrap_or(0) as u8);
                let flags = if meta.is_some() { HAS_META } else { 0 }
                    | if payload.is_some() { HAS_PAYLOAD } else { 0 };
                out.push(flags);
                for bytes in [meta, payload].into_iter().flatten() {
                    put_bytes(out, bytes);
                }
                out.extend_from_slice(&stamp.to_le_bytes());
                out.extend_from_slice(&writer.to_le_bytes());
            }
            Broadcast::Delete { key, stamp } => {
                out.push(DELETE);
                put_str(out, key);
                out.extend_from_slice(&stamp.to_le_bytes());
            }
            Broadcast::Invalidate {
                name,
                prefix,
                removed,
                stamp,
            } => {
                out.push(INVALIDATE);
                put_str(out, name);
                out.push(u8::from(*prefix));
                put_list(out, removed);
                out.extend_from_slice(&stamp.to_le_bytes());
            }
            Broadcast::Clear { stamp } => {
                out.push(CLEAR);
                out.extend_from_slice(&stamp.to_le_bytes());
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Option<Broadcast> {
        Some(match r.u8().ok()? {
            SET => {
                let key = r.string().ok()?;
                let home = *Tier::ALL.get(usize::from(r.u8().ok()?))?;
                let flags = r.u8().ok()?;
                if flags & !(HAS_META | HAS_PAYLOAD) != 0 {
                    return None;
                }
                let mut field = |flag| -> Option<Option<Vec<u8>>> {
                    Some(match flags & flag {
                        0 => None,
                        _ => Some(r.bytes().ok()?.to_vec()),
                    })
                };
                let meta = field(HAS_META)?;
                let payload = field(HAS_PAYLOAD)?;
                Broadcast::Set {
                    key,
                    home,
                    meta,
                    payload,
                    stamp: r.u64().ok()?,
                    writer: r.u32().ok()?,
                }
            }
            DELETE => Broadcast::Delete {
                key: r.string().ok()?,
                stamp: r.u64().ok()?,
            },
            INVALIDATE => Broadcast::Invalidate {
                name: r.string().ok()?,
                prefix: match r.u8().ok()? {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
                removed: r.list().ok()?,
                stamp: r.u64().ok()?,
            },
            CLEAR => Broadcast::Clear {
                stamp: r.u64().ok()?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[a-z:é東😀\u{0}]{1,12}"]
    }

    fn bytes() -> impl Strategy<Value = Option<Vec<u8>>> {
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40))
    }

    fn broadcast() -> impl Strategy<Value = Broadcast> {
        prop_oneof![
            (
                text(),
                0..3usize,
                bytes(),
                bytes(),
                any::<u64>(),
                any::<u32>()
            )
                .prop_map(|(key, home, meta, payload, stamp, writer)| Broadcast::Set {
                    key,
                    home: Tier::ALL[home],
                    meta,
                    payload,
                    stamp,
                    writer,
                }),
            (text(), any::<u64>()).prop_map(|(key, stamp)| Broadcast::Delete { key, stamp }),
            (
                text(),
                any::<bool>(),
                proptest::collection::vec(text(), 0..4),
                any::<u64>()
            )
                .prop_map(|(name, prefix, removed, stamp)| Broadcast::Invalidate {
                    name,
                    prefix,
                    removed,
                    stamp,
                }),
            any::<u64>().prop_map(|stamp| Broadcast::Clear { stamp }),
        ]
    }

    proptest! {
        #[test]
        fn a_batch_reads_back_as_written(batch in proptest::collection::vec(broadcast(), 0..6)) {
            let bytes = Broadcast::encode_batch(&batch);
            prop_assert_eq!(Broadcast::decode_batch(&bytes), Some(batch));
        }

        #[test]
        fn a_cut_or_extended_batch_is_ignored(
            batch in proptest::collection::vec(broadcast(), 1..4),
            cut in any::<prop::sample::Index>(),
            extra in 1..=255u8,
        ) {
            let bytes = Broadcast::encode_batch(&batch);
            let at = 1 + cut.index(bytes.len() - 1);
            // Cut inside its last message, or followed by a byte that starts no message.
            prop_assert_eq!(Broadcast::decode_batch(&bytes[..at]).filter(|b| b == &batch), None);
            let mut longer = bytes.clone();
            longer.push(extra.max(CLEAR + 1));
            prop_assert_eq!(Broadcast::decode_batch(&longer), None);
        }

        #[test]
        fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Broadcast::decode_batch(&bytes);
        }
    }

    #[test]
    fn another_format_is_ignored() {
        let mut bytes = Broadcast::encode_batch(&[Broadcast::Clear { stamp: 7 }]);
        assert!(Broadcast::decode_batch(&bytes).is_some());
        bytes[0] = WIRE_FORMAT + 1;
        assert_eq!(Broadcast::decode_batch(&bytes), None);
        assert_eq!(Broadcast::decode_batch(&[]), None);
    }
}
