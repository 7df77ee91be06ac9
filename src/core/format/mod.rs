//! What is stored, and so untrusted on the way back: the payload envelope (`codec`, LZ4 and
//! XXH32), text packing for localStorage (`text`), the metadata record and localStorage value
//! layout (`record`), and the checksum. Every decoder checks lengths and checksums and fails
//! closed; `record` binds every stored value to its namespace, version and key.

pub mod checksum;
pub mod codec;
pub mod record;
pub mod text;
