//! Length-prefixed little-endian fields: how the metadata record and the cross-tab messages are
//! written, and the bounds-checked reader of both. A short or forged field is `Error::Corrupt`.

use crate::core::error::{Corruption, Error, Result};

/// A string as its byte length (u32) and UTF-8 bytes.
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

/// Bytes as their length (u32) and themselves.
pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// A list of strings as its length (u32) and each string.
pub fn put_list(out: &mut Vec<u8>, list: &[String]) {
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    for s in list {
        put_str(out, s);
    }
}

/// Reads fields from the front of `bytes`.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` from their first byte.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(Error::Corrupt(Corruption::MetadataTruncated));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    /// What `put_bytes` wrote.
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// What `put_str` wrote.
    pub fn string(&mut self) -> Result<String> {
        String::from_utf8(self.bytes()?.to_vec())
            .map_err(|_| Error::Corrupt(Corruption::MetadataNotUtf8))
    }

    /// What `put_list` wrote.
    pub fn list(&mut self) -> Result<Vec<String>> {
        let count = self.u32()? as usize;
        // Each string takes at least its 4-byte length: a larger count is forged.
        if count > self.bytes.len() / 4 {
            return Err(Error::Corrupt(Corruption::MetadataListTooLong));
        }
        (0..count).map(|_| self.string()).collect()
    }
}
