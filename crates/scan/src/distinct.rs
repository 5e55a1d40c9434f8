//! Distinct-value counting shared by all scan threads.
//!
//! Each value is held as the 128-bit XXH3 of its key instead of the string: one hash per
//! finding, no allocation kept, 16 bytes per value. Two of a billion distinct values share
//! a digest with probability below 10⁻²⁰, far under any count we report.
//!
//! One set per kind serves every thread of a scan, cut into [`SHARDS`] shards by the high
//! bits of the digest, each behind its own lock. A thread buffers its digests by shard
//! ([`Pending`]) and takes each shard's lock once per [`BATCH`] findings. Before, every
//! thread kept its own sets and they were merged when the threads ended: the merge ran on
//! one core at the end of every parallel text scan (its tail, ~5% of the wall time of a
//! 300 MB file), and a value seen by both threads was inserted twice.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

/// Shards per set: enough that two threads rarely want the same lock, few enough that a
/// batch still fills each shard's buffer with several digests.
pub(crate) const SHARDS: usize = 64;

/// Digests a thread buffers per kind before it takes the locks.
const BATCH: usize = 4096;

type Table = HashSet<u128, std::hash::BuildHasherDefault<Passthrough>>;

/// The distinct values of one kind, shared by the threads of a scan.
pub(crate) struct Distinct {
    shards: Box<[Mutex<Table>]>,
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Distinct {
    /// Distinct values so far.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

/// The shard of a digest: its top bits (the tables probe by the low 64, so the two stay
/// independent).
fn shard(d: u128) -> usize {
    (d >> (128 - SHARDS.trailing_zeros())) as usize
}

/// One thread's digests not yet in the shared sets, by kind and shard. Dropping it
/// flushes what is left.
pub(crate) struct Pending<'a, const K: usize> {
    sets: &'a [Distinct; K],
    bufs: Vec<[Vec<u128>; SHARDS]>,
    counts: [usize; K],
    /// Where this thread's next flush starts, so two flushing threads do not queue on the
    /// same shard in lock step.
    start: usize,
}

impl<'a, const K: usize> Pending<'a, K> {
    /// Buffers for `sets`; `thread` spreads the flushes of different threads apart.
    pub(crate) fn new(sets: &'a [Distinct; K], thread: usize) -> Self {
        Pending {
            sets,
            bufs: (0..K)
                .map(|_| std::array::from_fn(|_| Vec::new()))
                .collect(),
            counts: [0; K],
            start: thread.wrapping_mul(SHARDS / 2 + 1) % SHARDS,
        }
    }

    /// Counts digest `d` for kind `kind`.
    pub(crate) fn insert(&mut self, kind: usize, d: u128) {
        self.bufs[kind][shard(d)].push(d);
        self.counts[kind] += 1;
        if self.counts[kind] >= BATCH {
            self.flush(kind);
        }
    }

    /// Moves kind `kind`'s buffered digests into its set: each shard's lock is tried in
    /// turn and a busy one is left for a second round, which waits.
    fn flush(&mut self, kind: usize) {
        let set = &self.sets[kind];
        let bufs = &mut self.bufs[kind];
        for wait in [false, true] {
            for i in 0..SHARDS {
                let s = (self.start + i) % SHARDS;
                if bufs[s].is_empty() {
                    continue;
                }
                let mut table = match set.shards[s].try_lock() {
                    Ok(t) => t,
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) if wait => {
                        set.shards[s].lock().unwrap_or_else(PoisonError::into_inner)
                    }
                    Err(std::sync::TryLockError::WouldBlock) => continue,
                };
                table.extend(bufs[s].drain(..));
            }
        }
        self.counts[kind] = 0;
        self.start = (self.start + 1) % SHARDS;
    }
}

impl<const K: usize> Drop for Pending<'_, K> {
    fn drop(&mut self) {
        for kind in 0..K {
            if self.counts[kind] > 0 {
                self.flush(kind);
            }
        }
    }
}

/// The digest a value is counted by: XXH3-128 with a secret drawn once per process. The
/// tables keyed by digests probe by their low bits; with the public default secret, a
/// file of values crafted to share those bits (found by brute force offline) would make
/// every insert walk the same chain — a scan quadratic in its input. (A seed instead of a
/// secret cost 11% of the text scan: the crate derives a secret from the seed on every
/// call.)
pub(crate) fn digest(key: &str) -> u128 {
    static SECRET: std::sync::LazyLock<[u8; 192]> = std::sync::LazyLock::new(|| {
        let random = std::collections::hash_map::RandomState::new();
        let mut secret = [0u8; 192];
        for (i, word) in secret.chunks_exact_mut(8).enumerate() {
            word.copy_from_slice(&std::hash::BuildHasher::hash_one(&random, i).to_le_bytes());
        }
        secret
    });
    twox_hash::XxHash3_128::oneshot_with_secret(&*SECRET, key.as_bytes())
        .unwrap_or_else(|_| twox_hash::XxHash3_128::oneshot(key.as_bytes()))
}

/// The hasher of the tables: their keys are digests already, so their low bits serve.
#[derive(Default)]
pub(crate) struct Passthrough(u64);

impl std::hash::Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is used; fold anything else so it still hashes.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Digests use a secret of this process, not the public default XXH3 anyone can
    /// precompute collisions for.
    #[test]
    fn digests_are_keyed_by_a_process_secret() {
        let keys = ["x@contoso.de", "y@contoso.de", "+4930123456"];
        assert!(keys
            .iter()
            .any(|k| digest(k) != twox_hash::XxHash3_128::oneshot(k.as_bytes())));
    }

    #[test]
    fn distinct_counts_values_once_and_threads_add_to_the_union() {
        let sets: [Distinct; 2] = Default::default();
        {
            let mut a = Pending::new(&sets, 0);
            for v in ["x@contoso.de", "y@contoso.de", "x@contoso.de"] {
                a.insert(0, digest(v));
            }
            a.insert(1, digest("contoso.de"));
        }
        assert_eq!(sets[0].len(), 2);
        assert_eq!(sets[1].len(), 1);
        // Two threads at once, each past several batches, half their values shared.
        std::thread::scope(|s| {
            for t in 0..2 {
                let sets = &sets;
                s.spawn(move || {
                    let mut p = Pending::new(sets, t);
                    for i in 0..5 * BATCH {
                        let v = if i % 2 == 0 { i } else { i + t * 1_000_000 };
                        p.insert(0, digest(&format!("u{v}@contoso.de")));
                    }
                });
            }
        });
        // x and y, 2.5 batches shared, 2.5 batches each of their own.
        assert_eq!(sets[0].len(), 2 + 5 * BATCH / 2 * 3);
        assert_eq!(sets[1].len(), 1);
        // Values reach every shard.
        assert!(sets[0]
            .shards
            .iter()
            .all(|s| !s.lock().unwrap_or_else(PoisonError::into_inner).is_empty()));
    }
}
