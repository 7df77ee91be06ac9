//! The one error type of the core. The variants the application can cause carry the `code` that
//! the JS face puts on its `SmartCacheError` (`INVALID_KEY`, `NOT_SERIALIZABLE`, `INVALID_OPTION`,
//! `ENTRY_TOO_LARGE`, `CLOSED`); `Corrupt` and `Outdated` never reach the application: they become
//! `CORRUPT_ENTRY` faults (counted, reported as `fault` events) or silent purges.

/// Everything the core can refuse or fail on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `INVALID_KEY`: not a string, empty, or longer than 1024 units.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// `NOT_SERIALIZABLE`: the value would not come back deep-equal from JSON.
    #[error("value is not JSON-serializable: {0}")]
    NotSerializable(String),
    /// `INVALID_OPTION`: an option of the wrong type or out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// `ENTRY_TOO_LARGE`: the stored entry exceeds the budget of every tier it may go to.
    #[error("entry of {size} bytes exceeds the budget of every tier it may go to")]
    EntryTooLarge {
        /// Its stored size.
        size: u64,
    },
    /// `CLOSED`: the cache was closed.
    #[error("the cache is closed")]
    Closed,
    /// Stored bytes failed a check: a `CORRUPT_ENTRY` fault, never thrown at the app.
    #[error("corrupt stored entry: {0}")]
    Corrupt(Corruption),
    /// Written by an earlier release in a format this one no longer reads: purged, not a fault.
    #[error("stored entry of an older format: {0}")]
    Outdated(String),
}

impl Error {
    /// The stable code of API.md.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::NotSerializable(_) => "NOT_SERIALIZABLE",
            Error::InvalidOption(_) => "INVALID_OPTION",
            Error::EntryTooLarge { .. } => "ENTRY_TOO_LARGE",
            Error::Closed => "CLOSED",
            Error::Corrupt(_) | Error::Outdated(_) => "CORRUPT_ENTRY",
        }
    }
}

/// Why stored bytes were refused: each check of the decoders that fail closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant's `#[error]` text is what it documents
pub enum Corruption {
    #[error("shorter than the envelope header")]
    ShortEnvelope,
    #[error("not a smartcache envelope")]
    NotAnEnvelope,
    #[error("unknown envelope format version")]
    UnknownEnvelopeFormat,
    #[error("unknown envelope flags")]
    UnknownEnvelopeFlags,
    #[error("raw length is impossible for its compressed body")]
    ImpossibleRawLength,
    #[error("LZ4 body does not decode")]
    Lz4Body,
    #[error("decoded length differs from the header")]
    BodyLength,
    #[error("checksum mismatch")]
    Checksum,
    #[error("packed text: {0}")]
    PackedText(&'static str),
    #[error("metadata is truncated")]
    MetadataTruncated,
    #[error("metadata text is not UTF-8")]
    MetadataNotUtf8,
    #[error("metadata list is longer than its record")]
    MetadataListTooLong,
    #[error("unknown metadata format")]
    UnknownMetadataFormat,
    #[error("unknown journal format")]
    UnknownJournalFormat,
    #[error("bad metadata flag")]
    MetadataFlag,
    #[error("trailing bytes after metadata")]
    MetadataTrailingBytes,
    #[error("metadata seal does not match this namespace, version and record")]
    Seal,
    #[error("value is shorter than its header")]
    ValueShorterThanHeader,
    #[error("metadata is cut short")]
    MetadataCutShort,
    #[error("the value vanished while it was read")]
    ValueVanished,
    #[error("value belongs to another key")]
    ForeignKey,
    #[error("value length differs from its metadata")]
    ValueLength,
    #[error("the IndexedDB record is missing")]
    RecordMissing,
    #[error("the payload belongs to another record")]
    ForeignPayload,
    #[error("payload length differs from its metadata")]
    PayloadLength,
    #[error("the payload is not UTF-8 text")]
    PayloadNotUtf8,
    /// The JS face's `JSON.parse` refused it (its message).
    #[error("the payload is not JSON: {0}")]
    PayloadNotJson(String),
    #[error("the localStorage value was edited")]
    Edited,
}

/// The core's results.
pub type Result<T> = std::result::Result<T, Error>;

/// Every `SmartCacheError` code of API.md. `UNSUPPORTED` is raised by the JS face alone (there is
/// no engine to run where it applies); the others come from `Error::code`.
pub const ERROR_CODES: [&str; 6] = [
    "INVALID_KEY",
    "NOT_SERIALIZABLE",
    "INVALID_OPTION",
    "ENTRY_TOO_LARGE",
    "CLOSED",
    "UNSUPPORTED",
];

/// `text` in double quotes, for messages that name what was given (without Debug's escaping,
/// whose formatting machinery the wasm would otherwise carry for these messages alone).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    out.push_str(text);
    out.push('"');
    out
}

/// Longest key, in UTF-16 units as JavaScript counts them.
pub const MAX_KEY_UNITS: usize = 1024;

/// Checks a key against API.md: non-empty, at most 1024 UTF-16 units.
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::InvalidKey("key is empty".into()));
    }
    // A UTF-8 string of n bytes has at most n UTF-16 units: count only when it may matter.
    if key.len() > MAX_KEY_UNITS {
        let units = key.encode_utf16().count();
        if units > MAX_KEY_UNITS {
            return Err(Error::InvalidKey(format!(
                "key is {units} UTF-16 units long, the limit is {MAX_KEY_UNITS}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_limits_count_utf16_units() {
        assert!(check_key("company:42").is_ok());
        assert_eq!(check_key("").unwrap_err().code(), "INVALID_KEY");
        assert!(check_key(&"a".repeat(1024)).is_ok());
        assert!(check_key(&"a".repeat(1025)).is_err());
        // 'é' is 2 UTF-8 bytes but 1 UTF-16 unit; an emoji is 4 bytes and 2 units.
        assert!(check_key(&"é".repeat(1024)).is_ok());
        assert!(check_key(&"😀".repeat(512)).is_ok());
        assert!(check_key(&"😀".repeat(513)).is_err());
    }

    #[test]
    fn every_error_has_its_code() {
        let codes: Vec<_> = [
            Error::InvalidKey(String::new()),
            Error::NotSerializable(String::new()),
            Error::InvalidOption(String::new()),
            Error::EntryTooLarge { size: 1 },
            Error::Closed,
            Error::Corrupt(Corruption::Checksum),
        ]
        .iter()
        .map(Error::code)
        .collect();
        assert_eq!(
            codes,
            [
                "INVALID_KEY",
                "NOT_SERIALIZABLE",
                "INVALID_OPTION",
                "ENTRY_TOO_LARGE",
                "CLOSED",
                "CORRUPT_ENTRY"
            ]
        );
    }
}
