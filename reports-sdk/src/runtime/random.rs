//! Randomness without a random-number crate: the standard library seeds each `RandomState`
//! with fresh per-process keys, which is plenty for jitter and request ids (neither is a
//! secret, neither needs to be unpredictable to an attacker).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::SystemTime;

/// 64 random bits. The clock is mixed in so two calls in one thread differ even where a
/// platform hands out related keys.
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// A number in `[0, 1)`.
pub(crate) fn random_fraction() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A fresh version-4 UUID, sent as `client-request-id` so a failure can be found in Graph's
/// logs.
pub(crate) fn request_id() -> String {
    let (high, low) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        low >> 52,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuids_and_differ() {
        let (a, b) = (request_id(), request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(
            (0..100).all(|_| (0.0..1.0).contains(&random_fraction())),
            "fractions stay in [0, 1)"
        );
    }
}
