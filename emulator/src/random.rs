//! Small deterministic hashing and random numbers: the same call always gives the same data,
//! with no dependency and no global state.

/// FNV-1a, to seed generators from names and to tag files.
pub(crate) struct Fnv(pub(crate) u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Hashes `text` and a terminator, so consecutive strings cannot run together.
    pub(crate) fn write(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
        self.write_bytes(&[0xff]);
    }

    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// SplitMix64: small, fast and deterministic.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`0` when `bound` is 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next().checked_rem(bound).unwrap_or(0)
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A stable value for a fact about one thing (a user's licence, a group's id): the same
/// `parts` give the same number in every report and every run.
pub(crate) fn fact(parts: &[&str], index: usize) -> SplitMix {
    let mut hash = Fnv::default();
    for part in parts {
        hash.write(part);
    }
    hash.write_bytes(&index.to_le_bytes());
    SplitMix(hash.0)
}
