//! End-to-end tests of the `leakdex` binary: one test binary (fast linking), one module
//! per area. Every test runs the real binary on files it makes in its own temp dir.

mod util;

#[macro_use]
mod index;
mod alerts;
mod api;
mod audit;
mod cli;
mod documents;
mod limits;
mod robustness;
mod served;
mod truth;
