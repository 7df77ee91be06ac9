//! What is stored, and so untrusted on the way back: the payload envelope (`codec`, LZ4 and
//! XXH32), text packing for localStorage (`text`), the metadata record and localStorage value
//! layout (`record`), IndexedDB's journal of metadata (`journal`), the checksum, and the
//! length-prefixed fields records and cross-tab messages are written in (`bytes`). Every decoder
//! checks lengths and checksums and fails closed; `record` binds every stored value to its
//! namespace, version and key.

pub mod bytes;
pub mod checksum;
pub mod codec;
pub mod journal;
pub mod record;
pub mod text;
