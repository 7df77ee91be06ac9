//! XXH32, the checksum of the payload envelope: fast on wasm32 (32-bit arithmetic only) and strong
//! enough to tell a hand-edited or truncated entry from the one the cache wrote.

const P1: u32 = 0x9E37_79B1;
const P2: u32 = 0x85EB_CA77;
const P3: u32 = 0xC2B2_AE3D;
const P4: u32 = 0x27D4_EB2F;
const P5: u32 = 0x1656_67B1;

/// The little-endian u32 of 4 bytes (a slice of exactly 4: no bounds check is left to make).
fn le(word: &[u8]) -> u32 {
    u32::from_le_bytes([word[0], word[1], word[2], word[3]])
}

fn round(acc: u32, lane: u32) -> u32 {
    acc.wrapping_add(lane.wrapping_mul(P2))
        .rotate_left(13)
        .wrapping_mul(P1)
}

/// XXH32 of `data` with `seed`, as the reference implementation computes it.
pub fn xxh32(data: &[u8], seed: u32) -> u32 {
    let len = data.len();
    // Stripes of 16 bytes through four independent lanes (so that the CPU overlaps their
    // multiplications), as fixed-size arrays so that the reads carry no bounds checks.
    let mut stripes = data.chunks_exact(16);
    let mut h = if len >= 16 {
        let (mut v1, mut v2, mut v3, mut v4) = (
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        );
        for stripe in &mut stripes {
            let Ok(stripe) = <&[u8; 16]>::try_from(stripe) else {
                unreachable!("chunks_exact(16)")
            };
            v1 = round(v1, le(&stripe[0..4]));
            v2 = round(v2, le(&stripe[4..8]));
            v3 = round(v3, le(&stripe[8..12]));
            v4 = round(v4, le(&stripe[12..16]));
        }
        v1.rotate_left(1)
            .wrapping_add(v2.rotate_left(7))
            .wrapping_add(v3.rotate_left(12))
            .wrapping_add(v4.rotate_left(18))
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(len as u32);
    let mut words = stripes.remainder().chunks_exact(4);
    for word in &mut words {
        h = mix_word(h, le(word));
    }
    for &byte in words.remainder() {
        h = mix_byte(h, byte);
    }
    avalanche(h)
}

/// The tail's steps after the stripes: a whole word, then a byte.
fn mix_word(h: u32, word: u32) -> u32 {
    h.wrapping_add(word.wrapping_mul(P3))
        .rotate_left(17)
        .wrapping_mul(P4)
}

fn mix_byte(h: u32, byte: u8) -> u32 {
    h.wrapping_add(u32::from(byte).wrapping_mul(P5))
        .rotate_left(11)
        .wrapping_mul(P1)
}

/// The final mixing of every bit into every other.
fn avalanche(mut h: u32) -> u32 {
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// XXH32's stripes read by indexing, lane by lane in a loop, as the specification words it
    /// (the earlier implementation): the model the fixed-array lanes must equal.
    fn model(data: &[u8], seed: u32) -> u32 {
        let read =
            |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
        let (len, mut at) = (data.len(), 0);
        let mut h = if len >= 16 {
            let mut v = [
                seed.wrapping_add(P1).wrapping_add(P2),
                seed.wrapping_add(P2),
                seed,
                seed.wrapping_sub(P1),
            ];
            while at + 16 <= len {
                for (lane, acc) in v.iter_mut().enumerate() {
                    *acc = round(*acc, read(at + 4 * lane));
                }
                at += 16;
            }
            v[0].rotate_left(1)
                .wrapping_add(v[1].rotate_left(7))
                .wrapping_add(v[2].rotate_left(12))
                .wrapping_add(v[3].rotate_left(18))
        } else {
            seed.wrapping_add(P5)
        };
        h = h.wrapping_add(len as u32);
        while at + 4 <= len {
            h = mix_word(h, read(at));
            at += 4;
        }
        for &byte in &data[at..] {
            h = mix_byte(h, byte);
        }
        avalanche(h)
    }

    proptest! {
        #[test]
        fn equals_the_byte_by_byte_reading(data in proptest::collection::vec(any::<u8>(), 0..200), seed in any::<u32>()) {
            prop_assert_eq!(xxh32(&data, seed), model(&data, seed));
        }
    }

    #[test]
    fn matches_reference_vectors() {
        assert_eq!(xxh32(b"", 0), 0x02CC_5D05);
        assert_eq!(xxh32(b"a", 0), 0x550D_7456);
        assert_eq!(xxh32(b"abc", 0), 0x32D1_53FF);
        assert_eq!(
            xxh32(b"Nobody inspects the spammish repetition", 0),
            0xE229_3B2F
        );
    }
}
